"""Invitations belong to accounts, not to address strings; pages read without writing;
"my sessions" is paginated (review issue 6, points 7 and 19)."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance import permissions, selectors, services
from alliance.models import AllianceSession, CalendarFeed, Participant
from tests import factories

pytestmark = pytest.mark.django_db


def change_address(user, new: str) -> None:
    """What allauth's change-of-address does once the new address is confirmed."""
    EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.create(user=user, email=new, primary=True, verified=True)
    user.email = new
    user.save(update_fields=["email"])


def test_changing_ones_address_keeps_ones_invitations(client, staff, scheduled):
    person = factories.make_user(email="ana@example.org")
    services.session_invite(actor=staff, session=scheduled, emails=[person.email])
    change_address(person, "ana.new@example.org")
    client.force_login(person)
    assert client.get(reverse("alliance:session", args=[scheduled.pk])).status_code == 200
    assert [p.session for p in selectors.invitations_of(person)] == [scheduled]


def test_a_recycled_address_does_not_inherit_the_old_owners_invitations(client, staff, scheduled):
    first = factories.make_user(email="desk@example.org")
    services.session_invite(actor=staff, session=scheduled, emails=[first.email])
    change_address(first, "former.desk@example.org")
    newcomer = factories.make_user(email="desk@example.org")
    client.force_login(newcomer)
    assert client.get(reverse("alliance:session", args=[scheduled.pk])).status_code == 404
    assert not selectors.invitations_of(newcomer).exists()
    assert permissions.participant_for(first, scheduled) is not None


def test_an_unconfirmed_address_neither_finds_nor_links_an_invitation(client, staff, scheduled):
    services.session_invite(actor=staff, session=scheduled, emails=["claim@example.org"])
    claimant = factories.make_user()
    EmailAddress.objects.create(user=claimant, email="Claim@example.org", verified=False)
    assert permissions.participant_for(claimant, scheduled) is None
    assert not selectors.invitations_of(claimant).exists()
    EmailAddress.objects.filter(user=claimant, email="Claim@example.org").update(verified=True)
    client.force_login(claimant)
    assert client.get(reverse("alliance:session", args=[scheduled.pk])).status_code == 200
    assert Participant.objects.get(email="claim@example.org").user is None  # GET wrote nothing
    client.post(reverse("alliance:session_rsvp", args=[scheduled.pk]), {"answer": "accepted"})
    invitation = Participant.objects.get(email="claim@example.org")
    assert invitation.user == claimant and invitation.rsvp == Participant.Rsvp.ACCEPTED


def test_staff_invitations_link_accounts_only_by_confirmed_addresses(staff, scheduled):
    unconfirmed = factories.make_user(email="pending@example.org")
    EmailAddress.objects.filter(user=unconfirmed).update(verified=False)
    confirmed = factories.make_user(email="Sure@Example.org")
    services.session_invite(
        actor=staff, session=scheduled, emails=["pending@example.org", "sure@example.org"]
    )
    assert Participant.objects.get(email="pending@example.org").user is None
    assert Participant.objects.get(email="sure@example.org").user == confirmed


def test_invitations_of_is_one_query(staff, make_session):
    person = factories.make_user()
    for _ in range(3):
        services.session_invite(actor=staff, session=make_session(), emails=[person.email])
    with CaptureQueriesContext(connection) as captured:
        assert len(list(selectors.invitations_of(person))) == 3
    assert len(captured) == 1


def test_my_sessions_is_paginated(client, staff, make_session):
    person = factories.make_user()
    start = timezone.now() + datetime.timedelta(days=3)
    for i in range(23):
        session = make_session(
            title=f"Session {i:02}",
            starts_at=start + datetime.timedelta(days=i),
            ends_at=start + datetime.timedelta(days=i, hours=1),
        )
        services.session_invite(actor=staff, session=session, emails=[person.email])
    client.force_login(person)
    first = client.get(reverse("alliance:my_sessions"))
    assert len(first.context["upcoming"].object_list) == 20
    assert "?page=2" in first.content.decode()
    second = client.get(reverse("alliance:my_sessions"), {"page": 2})
    assert [p.session.title for p in second.context["upcoming"].object_list] == [
        "Session 20",
        "Session 21",
        "Session 22",
    ]


def test_the_calendar_address_is_made_by_a_post_not_by_reading_the_page(client):
    person = factories.make_user()
    client.force_login(person)
    page = client.get(reverse("alliance:my_sessions")).content.decode()
    assert not CalendarFeed.objects.exists()
    assert "Create my calendar address" in page
    client.post(reverse("alliance:calendar_feed_reset"))
    feed = CalendarFeed.objects.get(user=person)
    page = client.get(reverse("alliance:my_sessions")).content.decode()
    assert reverse("alliance:calendar_feed", args=[feed.token]) in page
    client.post(reverse("alliance:calendar_feed_reset"))
    assert CalendarFeed.objects.get(user=person).token != feed.token


def test_sessions_are_indexed_by_start():
    field = AllianceSession._meta.get_field("starts_at")
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, AllianceSession._meta.db_table
        )
    assert field.db_index
    assert any(c["index"] and c["columns"] == ["starts_at"] for c in constraints.values())
