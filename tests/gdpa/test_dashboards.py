"""Dashboards land each role on what it must do next; answer buttons show their state."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance import services
from alliance.models import Participant
from gdpa.notify.models import OutboundEmail
from tests import factories
from youth import services as youth_services

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("portal:dashboard")
PROFILE = reverse("accounts:profile")


def invite(staff, session, *users):
    services.session_invite(actor=staff, session=session, emails=[u.email for u in users])


def participant(session, user) -> Participant:
    return Participant.objects.get(session=session, email=user.email.lower())


def answer(staff, session, user, rsvp):
    p = participant(session, user)
    services.rsvp_set(participant=p, answer=rsvp, user=user)
    return p


def page(client, user, url=DASHBOARD) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def row(html: str, p: Participant) -> str:
    """The dashboard row of one invitation."""
    match = re.search(rf'<li class="session-row" id="session-row-{p.pk}">(.*?)</li>', html, re.S)
    assert match, f"no dashboard row for participant {p.pk}"
    return match.group(1)


def pressed(html: str) -> list[str]:
    return re.findall(r'value="(\w+)"[^>]*aria-pressed="true"', html)


def start_in(days: float) -> dict:
    start = timezone.now() + datetime.timedelta(days=days)
    return {"starts_at": start, "ends_at": start + datetime.timedelta(hours=2)}


# The invitee's sessions, with their answer controls -----------------------------------------


def test_focal_point_dashboard_lists_sessions_needing_an_answer_first_with_controls(
    client, staff, focal_point, make_session
):
    soon = make_session(title="Soon and accepted", **start_in(2))
    later = make_session(title="Later and unanswered", **start_in(6))
    invite(staff, soon, focal_point)
    invite(staff, later, focal_point)
    accepted = answer(staff, soon, focal_point, Participant.Rsvp.ACCEPTED)
    waiting = participant(later, focal_point)

    html = page(client, focal_point)

    assert html.index("Later and unanswered") < html.index("Soon and accepted")
    assert "Needs your answer" in row(html, waiting)
    assert pressed(row(html, waiting)) == []
    assert pressed(row(html, accepted)) == ["accepted"]
    for label in ("Accept", "Tentative", "Decline"):
        assert f"</span>{label}</button>" in row(html, waiting)
    action = reverse("alliance:session_rsvp", args=[later.pk]) + "?from=dashboard"
    assert f'hx-post="{action}"' in row(html, waiting)
    assert f'action="{action}"' in row(html, waiting)
    assert f'hx-target="#session-row-{waiting.pk}"' in row(html, waiting)
    assert reverse("alliance:session_ics", args=[later.pk]) in row(html, waiting)


def test_join_shows_on_the_dashboard_when_the_link_opens_for_accepted_invitees(
    client, staff, focal_point, scheduled
):
    invite(staff, scheduled, focal_point)
    p = answer(staff, scheduled, focal_point, Participant.Rsvp.ACCEPTED)
    with time_machine.travel(scheduled.starts_at - datetime.timedelta(hours=2)):
        assert scheduled.join_url not in row(page(client, focal_point), p)
    with time_machine.travel(scheduled.starts_at - datetime.timedelta(minutes=10)):
        assert f'href="{scheduled.join_url}"' in row(page(client, focal_point), p)


def test_answering_from_the_dashboard_returns_its_row_with_the_answer_pressed(
    client, staff, focal_point, scheduled
):
    invite(staff, scheduled, focal_point)
    p = participant(scheduled, focal_point)
    client.force_login(focal_point)
    url = reverse("alliance:session_rsvp", args=[scheduled.pk]) + "?from=dashboard"

    response = client.post(url, {"answer": "accepted"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="session-row" id="session-row-{p.pk}">')
    assert "<html" not in html
    assert pressed(html) == ["accepted"]
    assert 'class="alert alert--success" tabindex="-1" data-focus-after-swap' in html
    assert "Your answer is saved: Accepted." in html
    assert "HX-Request" in response["Vary"]
    p.refresh_from_db()
    assert p.rsvp == Participant.Rsvp.ACCEPTED


def test_a_refused_answer_from_the_dashboard_is_shown_in_its_row_with_422(
    client, staff, focal_point, scheduled
):
    invite(staff, scheduled, focal_point)
    p = participant(scheduled, focal_point)
    client.force_login(focal_point)
    url = reverse("alliance:session_rsvp", args=[scheduled.pk]) + "?from=dashboard"

    response = client.post(url, {"answer": "maybe"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 422
    assert f'id="session-row-{p.pk}"' in html
    assert 'class="alert alert--error"' in html
    assert "Choose accept, tentative or decline." in html
    p.refresh_from_db()
    assert p.rsvp == Participant.Rsvp.INVITED


def test_answering_from_the_dashboard_without_javascript_goes_back_to_the_dashboard(
    client, staff, focal_point, scheduled
):
    invite(staff, scheduled, focal_point)
    client.force_login(focal_point)
    url = reverse("alliance:session_rsvp", args=[scheduled.pk]) + "?from=dashboard"

    response = client.post(url, {"answer": "tentative"}, follow=True)

    assert response.redirect_chain == [(DASHBOARD, 302)]
    html = response.content.decode()
    assert "Your answer is saved: Tentative." in html
    assert pressed(row(html, participant(scheduled, focal_point))) == ["tentative"]


def test_the_session_page_still_answers_in_its_own_region(client, staff, focal_point, scheduled):
    invite(staff, scheduled, focal_point)
    client.force_login(focal_point)
    url = reverse("alliance:session_rsvp", args=[scheduled.pk])

    response = client.post(url, {"answer": "declined"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="rsvp"')
    assert pressed(html) == ["declined"]
    assert 'hx-disabled-elt="#rsvp-form button"' in html
    assert "Saving…" in html
    assert "data-focus-after-swap" in html
    assert client.post(url, {"answer": "accepted"}).url == reverse(
        "alliance:session", args=[scheduled.pk]
    )


def test_the_sessions_panel_takes_the_same_queries_for_2_or_10_invitations(
    client, staff, focal_point, make_session
):
    def dashboard_queries(count: int) -> int:
        for n in range(count - Participant.objects.filter(user=focal_point).count()):
            session = make_session(title=f"Session {n}", **start_in(1 + n))
            invite(staff, session, focal_point)
            answer(staff, session, focal_point, Participant.Rsvp.ACCEPTED)
        client.force_login(focal_point)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(DASHBOARD).status_code == 200
        return len(queries)

    assert dashboard_queries(2) == dashboard_queries(10)


# Panels only for what a person can do ------------------------------------------------------


def test_staff_dashboard_is_a_to_do_list(client, staff, make_session, focal_point):
    applicant = factories.make_user(full_name="Applicant")
    factories.make_organization(admin=applicant, name="Awaiting Network")
    this_week = make_session(title="Plenary this week", **start_in(3))
    make_session(title="Next month's meeting", **start_in(30))
    invite(staff, this_week, focal_point, factories.make_user(), factories.make_user())
    answer(staff, this_week, focal_point, Participant.Rsvp.ACCEPTED)
    OutboundEmail.objects.create(
        to_email="gone@example.org",
        kind="test",
        language="en",
        subject="s",
        body_text="b",
        status=OutboundEmail.Status.FAILED,
    )

    html = page(client, staff)

    assert "Organizations awaiting verification" in html
    assert "Awaiting Network" in html
    assert reverse("alliance:verification_queue") in html
    assert "Plenary this week" in html
    assert reverse("alliance:session", args=[this_week.pk]) in html
    assert "Accepted: 1 · Tentative: 0 · Declined: 0 · No answer: 2" in html
    assert "Next month&#x27;s meeting" not in html
    assert "E-mails that failed" in html
    assert f'href="{reverse("notify:outbox")}?status=failed"' in html
    assert re.search(r'<strong class="todo__count">1</strong>\s*e-mail could not', html)
    # Staff are rarely invitees: no empty sessions panel, no registration, no youth offer.
    assert "You have no upcoming sessions" not in html
    assert "Register an organization" not in html
    assert "Join as a youth participant" not in html


def test_staff_without_the_second_factor_see_no_staff_figures(client, password_only_login, staff):
    factories.make_organization(admin=factories.make_user(), name="Awaiting Network")
    password_only_login(staff)
    html = client.get(DASHBOARD).content.decode()
    assert "Awaiting Network" not in html
    assert "E-mails that failed" not in html
    assert "Enter a code from your authenticator app" in html


def test_focal_point_is_not_offered_registration_or_youth(client, focal_point):
    html = page(client, focal_point)
    assert "Alliance sessions" in html
    assert "Register an organization" not in html
    assert "Youth participation" not in html
    assert "Alliance secretariat" not in html
    assert "Join as a youth participant" not in page(client, focal_point, PROFILE)


def test_person_without_an_organization_is_offered_registration_and_youth_on_the_profile(
    client, db
):
    person = factories.make_user()
    html = page(client, person)
    assert "Register an organization" in html
    assert "Join as a youth participant" not in html
    assert "Alliance secretariat" not in html
    profile = page(client, person, PROFILE)
    assert "Join as a youth participant" in profile
    assert reverse("youth:join") in profile


def test_staff_are_not_offered_youth_participation_on_the_profile(client, staff):
    assert "Join as a youth participant" not in page(client, staff, PROFILE)


def test_youth_participant_sees_their_participation_not_the_invitation(client, db):
    person = factories.make_user()
    youth_services.youth_profile_create(
        user=person,
        date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 25),
        heritage_countries=["SV"],
        consent=True,
    )
    html = page(client, person)
    assert "You are a youth participant." in html
    assert "Join as a youth participant" not in page(client, person, PROFILE)


def test_diaspora_leader_keeps_their_organizations_without_the_registration_offer(client, leader):
    html = page(client, leader)
    assert "Fiji Diaspora Network" in html
    assert "Register an organization" not in html


# The organizer's session page ---------------------------------------------------------------


def test_staff_organizer_sees_organizer_tools_not_the_participant_notice(client, staff, scheduled):
    html = page(client, staff, reverse("alliance:session", args=[scheduled.pk]))
    assert "You are not on the participant list" not in html
    assert "Your participation" not in html
    tools = html[html.index("Organizer tools") : html.index("Danger zone")]
    pk = scheduled.pk
    for url in (
        reverse("alliance:session_invite", args=[pk]),
        reverse("alliance:session_attendance", args=[pk]),
        reverse("alliance:session_attendance", args=[pk]) + "#figures-kind",
        reverse("alliance:session_attendance", args=[pk]) + "#add-doc",
        reverse("alliance:session_edit", args=[pk]),
    ):
        assert f'href="{url}"' in tools
    assert reverse("alliance:session_cancel", args=[pk]) in html[html.index("Danger zone") :]


def test_staff_who_are_invited_see_both_their_answer_and_the_organizer_tools(
    client, staff, scheduled
):
    invite(staff, scheduled, staff)
    html = page(client, staff, reverse("alliance:session", args=[scheduled.pk]))
    assert "Organizer tools" in html
    assert "Your participation" in html


def test_invitees_do_not_see_organizer_tools(client, staff, focal_point, scheduled):
    invite(staff, scheduled, focal_point)
    html = page(client, focal_point, reverse("alliance:session", args=[scheduled.pk]))
    assert "Organizer tools" not in html
    assert "Danger zone" not in html
    assert "Your participation" in html


def test_the_trainings_section_is_for_learners_not_staff(client, staff, leader):
    client.force_login(staff)
    assert 'id="panel-trainings"' not in client.get(reverse("portal:dashboard")).content.decode()
    client.force_login(leader)
    assert 'id="panel-trainings"' in client.get(reverse("portal:dashboard")).content.decode()
