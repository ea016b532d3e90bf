"""The participant's two consents on their consent page: seeing what they agreed to and
when, giving the public-display consent later, withdrawing it on its own (their published
stories are taken down at once), and withdrawing the consent to take part."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from alliance.models import Sector
from gdpa.audit.models import AuditEntry
from tests import factories
from youth import services
from youth.models import (
    CONSENT_VERSION,
    PUBLIC_CONSENT_TEXTS,
    PUBLIC_CONSENT_VERSION,
    Story,
    YouthProfile,
)
from youth.stories import stories_take_down_for_author

pytestmark = pytest.mark.django_db

PUBLIC_TEXT = str(PUBLIC_CONSENT_TEXTS[PUBLIC_CONSENT_VERSION]).replace("'", "&#x27;")


def make_story(author, status=Story.Status.PUBLISHED, **fields):
    return Story.objects.create(
        author=author,
        title=fields.pop("title", f"A story by {author.full_name}"),
        summary="How we planted mangroves.",
        text="<p>We planted mangroves.</p>",
        sector=Sector.objects.get(slug="climate"),
        country="FJ",
        status=status,
        **fields,
    )


def profile_of(user) -> YouthProfile:
    return YouthProfile.objects.get(user=user)


@pytest.fixture
def youth():
    return factories.make_youth_participant(full_name="Tevita Ratu")


@pytest.fixture
def public_youth():
    with time_machine.travel(datetime.datetime(2026, 5, 2, 8, tzinfo=datetime.UTC)):
        return factories.make_youth_participant(full_name="Valeria Flores", public_consent=True)


# --- the consent page -----------------------------------------------------------------------


def test_the_page_shows_both_consents_with_their_text_version_and_date(client, public_youth):
    client.force_login(public_youth)
    page = client.get(reverse("youth:consent")).content.decode()
    assert "I agree that IOM processes this information" in page
    assert PUBLIC_TEXT in page
    assert page.count("May 2, 2026") == 2
    assert CONSENT_VERSION in page and PUBLIC_CONSENT_VERSION in page
    assert f'href="{reverse("youth:public_consent_withdraw")}"' in page
    assert 'name="public_consent"' not in page  # already given: nothing to tick


def test_without_the_public_consent_the_page_offers_it_in_an_unticked_box(client, youth):
    client.force_login(youth)
    page = client.get(reverse("youth:consent")).content.decode()
    assert "your name and your stories are not shown publicly" in page
    assert f'action="{reverse("youth:public_consent_give")}"' in page
    assert '<input type="checkbox" name="public_consent" required' in page
    assert PUBLIC_TEXT in page
    assert reverse("youth:public_consent_withdraw") not in page


# --- giving the public-display consent later --------------------------------------------------


def test_the_public_consent_can_be_given_later_with_its_time_and_version(client, youth):
    client.force_login(youth)
    moment = datetime.datetime(2026, 7, 1, 10, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        response = client.post(reverse("youth:public_consent_give"), {"public_consent": "on"})
    assert response.status_code == 302
    assert response.url == reverse("youth:consent")
    profile = profile_of(youth)
    assert profile.public_consent_at == moment
    assert profile.public_consent_version == PUBLIC_CONSENT_VERSION
    entry = AuditEntry.objects.get(action="youth_profile.public_consent_given")
    assert entry.actor == youth
    assert entry.after["public_consent_version"] == PUBLIC_CONSENT_VERSION
    page = client.get(response.url).content.decode()
    assert "can now be shown publicly" in page


def test_an_unticked_box_gives_no_consent(client, youth):
    client.force_login(youth)
    response = client.post(reverse("youth:public_consent_give"), {})
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'id="id_public_consent_error"' in page and "Tick the box to give your consent" in page
    assert profile_of(youth).public_consent_at is None
    assert not AuditEntry.objects.filter(action="youth_profile.public_consent_given").exists()


def test_giving_it_twice_is_explained_and_keeps_the_first_date(client, public_youth):
    first = profile_of(public_youth).public_consent_at
    client.force_login(public_youth)
    response = client.post(
        reverse("youth:public_consent_give"), {"public_consent": "on"}, follow=True
    )
    assert "You have already given your consent to public display." in response.content.decode()
    assert profile_of(public_youth).public_consent_at == first


# --- withdrawing the public-display consent ---------------------------------------------------


def test_the_confirmation_page_says_how_many_stories_come_down(client, public_youth):
    make_story(public_youth)
    make_story(public_youth)
    make_story(public_youth, Story.Status.SUBMITTED)
    client.force_login(public_youth)
    response = client.get(reverse("youth:public_consent_withdraw"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your 2 published stories are taken down at once." in page
    assert '<form method="post"' in page
    # Asking changes nothing.
    assert profile_of(public_youth).public_consent_at is not None
    assert Story.objects.filter(status=Story.Status.PUBLISHED).count() == 2


def test_withdrawing_it_unpublishes_the_stories_at_once_and_keeps_the_participation(
    client, public_youth
):
    published = make_story(public_youth, moderation_comment="Lovely, thank you.")
    draft = make_story(public_youth, Story.Status.DRAFT)
    waiting = make_story(public_youth, Story.Status.SUBMITTED)
    someone_else = make_story(factories.make_youth_participant(public_consent=True))
    client.force_login(public_youth)
    response = client.post(reverse("youth:public_consent_withdraw"))
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == Story.Status.UNPUBLISHED
    assert published.moderation_comment == "Lovely, thank you."
    assert Story.objects.get(pk=draft.pk).status == Story.Status.DRAFT
    assert Story.objects.get(pk=waiting.pk).status == Story.Status.SUBMITTED
    assert Story.objects.get(pk=someone_else.pk).status == Story.Status.PUBLISHED
    profile = profile_of(public_youth)
    assert profile.public_consent_at is None and profile.public_consent_version == ""
    entry = AuditEntry.objects.get(action="youth_profile.public_consent_withdrawn")
    assert entry.before["public_consent_version"] == PUBLIC_CONSENT_VERSION
    taken_down = AuditEntry.objects.get(action="story.take_down")
    assert (taken_down.target_id, taken_down.actor) == (str(published.pk), public_youth)
    assert taken_down.after["status"] == "unpublished"
    page = client.get(response.url).content.decode()
    assert "1 published story was taken down." in page
    assert "your name and your stories are not shown publicly" in page


def test_withdrawing_without_having_given_it_is_explained(client, youth):
    client.force_login(youth)
    page = client.get(reverse("youth:public_consent_withdraw")).content.decode()
    assert "so there is none to withdraw" in page and "<form" not in page.split("<main")[1]
    response = client.post(reverse("youth:public_consent_withdraw"), follow=True)
    assert "so there is none to withdraw" in response.content.decode()
    assert not AuditEntry.objects.filter(action="youth_profile.public_consent_withdrawn").exists()


def test_the_take_down_touches_only_the_authors_published_stories(public_youth):
    stories = [make_story(public_youth), make_story(public_youth)]
    rejected = make_story(public_youth, Story.Status.REJECTED)
    assert stories_take_down_for_author(public_youth, actor=public_youth) == 2
    assert {s.status for s in Story.objects.filter(pk__in=[s.pk for s in stories])} == {
        Story.Status.UNPUBLISHED
    }
    assert Story.objects.get(pk=rejected.pk).status == Story.Status.REJECTED
    assert AuditEntry.objects.filter(action="story.take_down").count() == 2
    assert stories_take_down_for_author(public_youth, actor=public_youth) == 0


def test_a_failed_take_down_leaves_the_consent_in_place(public_youth, monkeypatch):
    """The consent and the stories change together or not at all."""
    make_story(public_youth)

    def broken(user, *, actor):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "stories_take_down_for_author", broken)
    with pytest.raises(RuntimeError):
        services.youth_public_consent_withdraw(user=public_youth)
    assert profile_of(public_youth).public_consent_at is not None
    assert not AuditEntry.objects.filter(action="youth_profile.public_consent_withdrawn").exists()


# --- withdrawing the consent to take part -------------------------------------------------------


def test_withdrawing_the_participation_takes_the_stories_down_and_deletes_the_profile(
    client, public_youth
):
    published = make_story(public_youth)
    client.force_login(public_youth)
    response = client.post(reverse("youth:consent_withdraw"), {"understood": "on"})
    assert response.status_code == 302
    assert not YouthProfile.objects.filter(user=public_youth).exists()
    assert Story.objects.get(pk=published.pk).status == Story.Status.UNPUBLISHED
    withdrawn = AuditEntry.objects.get(action="youth_profile.consent_withdrawn")
    taken_down = AuditEntry.objects.get(action="story.take_down")
    assert taken_down.pk < withdrawn.pk  # the stories came down before the profile went
    assert withdrawn.before["public_consent_version"] == PUBLIC_CONSENT_VERSION


def test_the_participation_withdrawal_page_says_stories_come_down(client, youth):
    client.force_login(youth)
    page = client.get(reverse("youth:consent")).content.decode()
    assert "Your published stories are taken down at once." in page
