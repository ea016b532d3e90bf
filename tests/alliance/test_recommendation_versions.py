"""A recommendation's versions and what changed in each, for everyone who may read it."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.models import Sector
from alliance.services import recommendations as services
from tests import factories
from youth.services import youth_profile_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(staff):
    track = services.track_create(
        actor=staff, sector=Sector.objects.get(slug="health"), title="Health and Well-being"
    )
    return services.recommendation_create(
        actor=staff,
        track=track,
        original_language="en",
        title_en="Portable health insurance",
        text_en="<p>Let diaspora members keep cover when they move.</p>",
    )


@pytest.fixture
def youth_user():
    person = factories.make_user(full_name="Young Person")
    youth_profile_create(
        user=person, date_of_birth=dt.date(2003, 6, 1), heritage_countries=["PE"], consent=True
    )
    return person


def _advance(staff, recommendation, *statuses):
    for status in statuses:
        services.recommendation_transition(
            actor=staff,
            recommendation=recommendation,
            status=status,
            input_closes_at=timezone.now() + dt.timedelta(days=3),
        )


def _versions_url(recommendation):
    return reverse("alliance:recommendation_versions", args=[recommendation.pk])


def _diff_url(recommendation, version):
    return reverse(
        "alliance:recommendation_version_diff", args=[recommendation.pk, version.history_id]
    )


def test_the_diff_shows_removed_and_added_words_in_words_not_colour_alone(client, staff, draft):
    services.recommendation_update(
        actor=staff,
        recommendation=draft,
        text_en="<p>Let diaspora members keep their cover when they <em>return</em>.</p>",
    )
    client.force_login(staff)
    newest = draft.history.order_by("-history_date", "-history_id").first()
    body = client.get(_diff_url(draft, newest)).text
    assert "Text (English)" in body
    removed = re.findall(r"<del>(.*?)</del>", body)
    added = re.findall(r"<ins>(.*?)</ins>", body)
    assert removed == ['<span class="visually-hidden">removed: </span>move.']
    assert added == [
        '<span class="visually-hidden">added: </span>their',
        '<span class="visually-hidden">added: </span>return.',
    ]
    assert "Title (English)" not in body  # unchanged fields are not listed


def test_the_first_version_has_nothing_to_compare_with(client, staff, draft):
    client.force_login(staff)
    body = client.get(_diff_url(draft, draft.history.get())).text
    assert "This is the first version" in body


def test_the_list_names_who_made_each_version_with_its_status_in_the_readers_zone(
    client, staff, draft, member
):
    member.time_zone = "Asia/Tokyo"
    member.save(update_fields=["time_zone"])
    _advance(staff, draft, "open")
    client.force_login(member)
    body = client.get(_versions_url(draft)).text
    assert body.count("IOM Staff Member") == 2
    assert "Open for input" in body and "Draft" in body
    assert "Japan" in body and "Asia/Tokyo" in body
    newest = draft.history.order_by("-history_date").first()
    tokyo = timezone.localtime(newest.history_date, timezone=dt.timezone(dt.timedelta(hours=9)))
    assert tokyo.strftime("%H:%M") in body
    assert body.index(_diff_url(draft, newest)) < body.index(
        _diff_url(draft, draft.history.order_by("history_date").first())
    )


def test_a_drafts_versions_are_missing_for_everyone_but_acting_staff(
    client, staff, draft, member, youth_user
):
    newest = draft.history.get()
    for person in (None, member, youth_user):
        if person:
            client.force_login(person)
        assert client.get(_versions_url(draft)).status_code == 404
        assert client.get(_diff_url(draft, newest)).status_code == 404
    client.force_login(staff)
    assert client.get(_versions_url(draft)).status_code == 200


def test_an_open_recommendations_versions_are_for_alliance_participants(
    client, staff, draft, member
):
    _advance(staff, draft, "open")
    assert client.get(_versions_url(draft)).status_code == 404
    client.force_login(factories.make_user(full_name="No Organization"))
    assert client.get(_versions_url(draft)).status_code == 404
    client.force_login(member)
    assert client.get(_versions_url(draft)).status_code == 200


def test_a_published_recommendations_versions_are_public(client, staff, draft):
    services.recommendation_update(
        actor=staff, recommendation=draft, title_en="Portable health cover"
    )
    _advance(staff, draft, "open", "review", "endorsed", "published")
    response = client.get(_versions_url(draft))
    assert response.status_code == 200
    assert "Published" in response.text
    titled = draft.history.filter(title_en="Portable health cover").order_by("history_date")
    body = client.get(_diff_url(draft, titled.first())).text
    assert re.search(r"<del>.*?insurance</del>", body) and re.search(r"<ins>.*?cover</ins>", body)
    assert reverse("alliance:recommendation_edit", args=[draft.pk]) not in response.text


def test_a_version_of_another_recommendation_is_missing(client, staff, draft):
    other = services.recommendation_create(
        actor=staff, track=draft.track, original_language="en", title_en="Other", text_en="Other"
    )
    client.force_login(staff)
    response = client.get(_diff_url(draft, other.history.get()))
    assert response.status_code == 404


@pytest.mark.parametrize("versions", [2, 12])
def test_the_versions_list_runs_a_fixed_number_of_queries(
    client, staff, draft, versions, django_assert_max_num_queries
):
    for n in range(versions - 1):
        services.recommendation_update(
            actor=staff, recommendation=draft, text_en=f"<p>Wording number {n}.</p>"
        )
    assert draft.history.count() == versions
    _advance(staff, draft, "open", "review", "endorsed", "published")
    with django_assert_max_num_queries(4):
        response = client.get(_versions_url(draft))
    assert response.text.count("What changed") == versions + 3
