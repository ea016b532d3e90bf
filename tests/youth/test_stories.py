"""Youth Voices: writing, submitting and moderating stories, and taking them down."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from gdpa.audit.models import AuditEntry
from gdpa.audit.registry import action as registered_action
from tests import factories
from youth import stories
from youth.models import Story

from .story_support import give_public_consent, make_youth, publish, sector, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_youth()


def edit_data(**overrides) -> dict:
    data = {
        "title": "Clinics for our community",
        "summary": "How we opened a health desk.",
        "text": "Our story.",
        "language": "en",
        "sector": str(sector().pk),
        "country": "PE",
        "photo_alt": "",
        "video_url": "",
    }
    data.update(overrides)
    return data


def test_the_whole_workflow_draft_submit_changes_submit_publish(
    client, author, staff, django_capture_on_commit_callbacks
):
    client.force_login(author)
    response = client.post(reverse("youth:story_create"), edit_data(title="Our clinic"))
    story = Story.objects.get(author=author)
    assert response.status_code == 302
    assert story.status == Story.Status.DRAFT
    assert story.text == "<p>Our story.</p>"

    client.post(reverse("youth:story_submit", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == Story.Status.SUBMITTED and story.submitted_at

    staff_client = type(client)()
    staff_client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("youth:story_request_changes", args=[story.pk]),
            {"comment": "Please add where the clinic is."},
        )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.CHANGES_REQUESTED
    assert mail.outbox[-1].to == [author.email]
    assert "Please add where the clinic is." in mail.outbox[-1].body

    page = client.get(reverse("youth:my_stories")).content.decode()
    assert "Changes requested" in page and "Please add where the clinic is." in page

    response = client.post(
        reverse("youth:story_edit", args=[story.pk]), edit_data(title="Our clinic in Lima")
    )
    assert response.status_code == 302
    client.post(reverse("youth:story_submit", args=[story.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("youth:story_publish", args=[story.pk]))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story.published_at
    assert story.moderated_by == staff
    assert "published" in mail.outbox[-1].subject
    assert client.get(reverse("youth:story", args=[story.pk])).status_code == 200
    actions = list(
        AuditEntry.objects.filter(target_id=str(story.pk), action__startswith="story.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "story.create",
        "story.submit",
        "story.request_changes",
        "story.update",
        "story.submit",
        "story.publish",
    ]


def test_the_decision_email_is_in_the_authors_language(author, staff):
    type(author).objects.filter(pk=author.pk).update(preferred_language="fr")
    author.refresh_from_db()
    story = stories.story_submit(author=author, story=write(author))
    from gdpa.notify.models import OutboundEmail

    stories.story_reject(actor=staff, story=story, comment="Hors sujet.")
    email = OutboundEmail.objects.get(kind="story_rejected")
    assert email.language == "fr" and email.to_email == author.email


def test_publishing_is_refused_without_the_public_display_consent(client, staff):
    author = make_youth(public=False)
    story = stories.story_submit(author=author, story=write(author))
    client.force_login(staff)
    response = client.post(
        reverse("youth:story_publish", args=[story.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert "has not agreed to have their name and stories shown publicly" in (
        response.content.decode()
    )
    story.refresh_from_db()
    assert story.status == Story.Status.SUBMITTED
    give_public_consent(author)
    response = client.post(
        reverse("youth:story_publish", args=[story.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "is published" in response.content.decode()


def test_reject_needs_a_comment_shown_in_place_then_the_story_is_closed(client, author, staff):
    story = stories.story_submit(author=author, story=write(author))
    client.force_login(staff)
    url = reverse("youth:story_reject", args=[story.pk])
    response = client.post(url, {"comment": "  "}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="decision"' in page and "Write a comment for the author" in page
    assert "<html" not in page  # the region only
    story.refresh_from_db()
    assert story.status == Story.Status.SUBMITTED

    response = client.post(url, {"comment": "Not about the alliance."})
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.REJECTED
    assert story.moderation_comment == "Not about the alliance."
    with pytest.raises(ValidationError):
        stories.story_update(author=author, story=story, title="Again")
    client.force_login(author)
    response = client.get(reverse("youth:story_edit", args=[story.pk]))
    assert response.status_code == 302
    assert client.post(reverse("youth:story_submit", args=[story.pk])).status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.REJECTED


def test_the_author_edits_until_published_but_not_after(client, author, staff):
    story = write(author)
    client.force_login(author)
    for status in (Story.Status.DRAFT, Story.Status.SUBMITTED):
        if status == Story.Status.SUBMITTED:
            stories.story_submit(author=author, story=story)
        response = client.post(
            reverse("youth:story_edit", args=[story.pk]), edit_data(title=f"Title {status}")
        )
        assert response.status_code == 302
        story.refresh_from_db()
        assert story.title == f"Title {status}"
    stories.story_publish(actor=staff, story=story)
    response = client.post(reverse("youth:story_edit", args=[story.pk]), edit_data(title="Late"))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == f"Title {Story.Status.SUBMITTED}"


def test_a_bad_story_is_answered_422_with_the_errors_and_nothing_saved(client, author):
    client.force_login(author)
    response = client.post(
        reverse("youth:story_create"),
        edit_data(title="", video_url="https://evil.example.org/video"),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter the title of your story" in page
    assert not Story.objects.exists()
    response = client.post(
        reverse("youth:story_create"), edit_data(video_url="http://www.youtube.com/watch?v=x")
    )
    assert response.status_code == 422
    assert "YouTube or Vimeo, starting with https://" in response.content.decode()
    response = client.post(
        reverse("youth:story_create"), edit_data(video_url="https://youtu.be/abc")
    )
    assert response.status_code == 302
    assert Story.objects.get().video_url == "https://youtu.be/abc"


def test_other_authors_stories_and_non_youth_people_get_404(client, author, staff):
    story = write(author)
    other = make_youth("Other Youth")
    client.force_login(other)
    for name in ("youth:my_story", "youth:story_edit"):
        assert client.get(reverse(name, args=[story.pk])).status_code == 404
    assert client.post(reverse("youth:story_submit", args=[story.pk])).status_code == 404
    assert client.post(reverse("youth:story_edit", args=[story.pk]), edit_data()).status_code == 404
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT
    client.force_login(factories.make_user(full_name="Not Youth"))
    assert client.get(reverse("youth:my_stories")).status_code == 404
    assert client.get(reverse("youth:story_create")).status_code == 404
    with pytest.raises(ValidationError):
        write(factories.make_user(full_name="Not Youth Either"))


def test_a_transition_outside_the_table_is_refused(author, staff):
    story = write(author)
    with pytest.raises(ValidationError, match="cannot change that way"):
        stories.story_publish(actor=staff, story=story)
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT


def test_withdrawing_public_consent_takes_the_stories_down_at_once(client, author, staff):
    published = publish(staff, write(author, title="Published one"))
    draft = write(author, title="Draft one")
    assert stories.stories_take_down_for_author(author, actor=author) == 1
    published.refresh_from_db()
    draft.refresh_from_db()
    assert published.status == Story.Status.UNPUBLISHED
    assert draft.status == Story.Status.DRAFT
    assert AuditEntry.objects.filter(action="story.take_down", target_id=str(published.pk))
    assert client.get(reverse("youth:story", args=[published.pk])).status_code == 404
    assert "Published one" not in client.get(reverse("youth:showcase")).content.decode()
    # Taken down, the author may change it and submit it again.
    stories.story_update(author=author, story=published, title="Back again")
    assert stories.story_submit(author=author, story=published).status == Story.Status.SUBMITTED


def test_the_dashboard_panel_tells_the_author_what_waits(client, author, staff):
    story = stories.story_submit(author=author, story=write(author))
    stories.story_request_changes(actor=staff, story=story, comment="Shorter, please.")
    client.force_login(author)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "1 story needs your changes" in page
    assert reverse("youth:story_create") in page


def test_the_moderation_queue_is_oldest_first_with_a_fixed_query_count(
    client, staff, django_assert_max_num_queries
):
    author = make_youth()
    first = stories.story_submit(author=author, story=write(author, title="First in"))
    for n in range(5):
        stories.story_submit(author=author, story=write(author, title=f"Later {n}"))
    client.force_login(staff)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("youth:moderation_queue")).content.decode()
    assert page.index("First in") < page.index("Later 0")
    assert reverse("youth:story_moderate", args=[first.pk]) in page


def test_every_story_action_has_words_in_the_audit_log():
    import pathlib
    import re

    source = (pathlib.Path(stories.__file__)).read_text()
    codes = set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', source))
    assert codes >= {"story.create", "story.take_down"}
    assert all(registered_action(code) is not None for code in codes)


def test_the_story_forms_give_specific_messages():
    from django import forms

    from youth import story_forms

    generic = {str(v) for v in forms.Field.default_error_messages.values()} | {
        str(forms.URLField.default_error_messages["invalid"]),
        str(forms.ChoiceField.default_error_messages["invalid_choice"]) % {"value": "x"},
    }
    for form_class in (
        story_forms.StoryForm,
        story_forms.ModerationCommentForm,
        story_forms.ShowcaseFilterForm,
    ):
        for name, field in form_class().fields.items():
            if field.required:
                assert str(field.error_messages["required"]) not in generic, name


def test_paragraphs_are_kept_and_come_back_as_typed_for_editing(client, author):
    typed = "One & two,\nsame paragraph.\n\nThree <strong>bold</strong><script>x</script>"
    story = write(author, text=typed)
    assert story.text == (
        "<p>One &amp; two,<br>same paragraph.</p>\n\n<p>Three <strong>bold</strong></p>"
    )
    client.force_login(author)
    page = client.get(reverse("youth:story_edit", args=[story.pk])).content.decode()
    assert "One &amp; two,\nsame paragraph.\n\nThree &lt;strong&gt;bold" in page
    again = stories.story_update(author=author, story=story, text=stories.editable_text(story.text))
    assert again.text == story.text  # editing without changes changes nothing
    html = "<ul><li>One</li></ul><p>Two</p>"
    assert stories.editable_text(write(author, text=html).text) == html
