"""What people see: htmx refusals carry their notice, destructive actions ask first
without JavaScript, e-mails declare their language, counts read right, and the answer
page shows the session's own time first."""

import datetime
import json
import re
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from alliance import services
from alliance.models import Membership, Organization, Participant
from tests import factories

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _membership(user, organization) -> Membership:
    return Membership.objects.get(user=user, organization=organization)


def _html_part(message) -> str:
    return next(body for body, mimetype in message.alternatives if mimetype == "text/html")


# 9. htmx refusals -------------------------------------------------------------------------


def test_htmx_is_configured_to_show_refusals_and_never_a_whole_error_page(client, member):
    client.force_login(member)
    page = client.get(reverse("portal:dashboard")).content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)
    rules = json.loads(meta.group(1))["responseHandling"]

    def rule(status: int) -> dict:
        return next(r for r in rules if re.search(r["code"], str(status)))

    assert rule(422) == {"code": "422", "swap": True, "error": False}
    assert rule(403)["swap"] is True
    assert rule(404)["swap"] is False and rule(500)["swap"] is False
    # The messages gdpa.js shows when there is no region to swap, in the page's language.
    assert 'data-error-not-found="' in page and 'data-error-network="' in page


def test_approving_twice_answers_the_queue_with_the_notice(client, staff, diaspora_org):
    pending = factories.make_organization(admin=factories.make_user(), name="Late Collective")
    client.force_login(staff)
    url = reverse("alliance:verification_approve", args=[pending.pk])
    assert client.post(url, **HTMX).status_code == 200
    again = client.post(url, **HTMX)
    assert again.status_code == 422
    body = again.content.decode()
    assert 'id="queue"' in body and "already been decided" in body
    assert "<html" not in body


def test_rejecting_a_decided_organization_shows_why(client, staff):
    pending = factories.make_organization(admin=factories.make_user(), name="Late Collective")
    services.organization_verify(actor=staff, organization=pending)
    client.force_login(staff)
    response = client.post(
        reverse("alliance:verification_reject", args=[pending.pk]), {"reason": "No"}, **HTMX
    )
    assert response.status_code == 422
    assert "already been decided" in response.content.decode()
    assert Organization.objects.get(pk=pending.pk).status == Organization.Status.VERIFIED


def test_a_refused_member_action_answers_422_with_its_notice(client, leader, diaspora_org):
    client.force_login(leader)
    own = _membership(leader, diaspora_org)
    response = client.post(
        reverse("alliance:membership_remove", args=[diaspora_org.pk, own.pk]), **HTMX
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="people"' in body and "at least one administrator" in body
    assert Membership.objects.filter(pk=own.pk).exists()


def test_a_forbidden_member_action_answers_the_region_with_its_notice(
    client, staff, diaspora_org, leader
):
    delegate = factories.add_member(staff=staff, organization=diaspora_org)
    services.membership_set_member_management(
        actor=leader, membership=_membership(delegate, diaspora_org), allowed=True
    )
    client.force_login(delegate)
    founder = _membership(leader, diaspora_org)
    for name, data in (
        ("alliance:membership_remove", {}),
        ("alliance:membership_role", {"role": "member"}),
        ("alliance:membership_manage_right", {"allowed": "on"}),
    ):
        response = client.post(reverse(name, args=[diaspora_org.pk, founder.pk]), data, **HTMX)
        assert response.status_code == 403, name
        body = response.content.decode()
        assert 'id="people"' in body and 'class="alert' in body, name


def test_a_full_session_answers_the_rsvp_region_with_the_reason(
    client, staff, make_session, focal_point, member
):
    session = make_session(capacity=1)
    services.session_invite(actor=staff, session=session, emails=[focal_point.email, member.email])
    services.rsvp_set(
        participant=Participant.objects.get(session=session, user=member), answer="accepted"
    )
    client.force_login(focal_point)
    response = client.post(
        reverse("alliance:session_rsvp", args=[session.pk]), {"answer": "accepted"}, **HTMX
    )
    assert response.status_code == 422
    assert "The session is full" in response.content.decode()


# 10. Confirm before removing, without JavaScript -----------------------------------------


def test_leaving_asks_first_on_a_page_of_its_own(client, member, diaspora_org):
    client.force_login(member)
    own = _membership(member, diaspora_org)
    url = reverse("alliance:membership_remove", args=[diaspora_org.pk, own.pk])
    organization_page = client.get(reverse("alliance:organization", args=[diaspora_org.pk]))
    # The organization page links to the question; it does not post.
    assert f'href="{url}"' in organization_page.content.decode()
    assert f'action="{url}"' not in organization_page.content.decode()

    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Leave {diaspora_org.name}?" in body
    assert "You will lose access" in body
    assert f'<form method="post" action="{url}"' in body
    assert reverse("alliance:organization", args=[diaspora_org.pk]) in body  # cancel
    assert Membership.objects.filter(pk=own.pk).exists()

    left = client.post(url, follow=True)
    assert left.redirect_chain[-1][0] == reverse("alliance:my_organizations")
    assert left.content.decode().count(f"You left {diaspora_org.name}.") == 1
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_removing_a_member_asks_first_without_javascript(client, leader, member, diaspora_org):
    client.force_login(leader)
    target = _membership(member, diaspora_org)
    url = reverse("alliance:membership_remove", args=[diaspora_org.pk, target.pk])
    organization_page = client.get(reverse("alliance:organization", args=[diaspora_org.pk]))
    body = organization_page.content.decode()
    # A link to the question page; htmx posts from it after its own dialog.
    assert re.search(rf'<a [^>]*href="{re.escape(url)}"[^>]*hx-post="{re.escape(url)}"', body)
    assert f'action="{url}"' not in body

    page = client.get(url)
    assert page.status_code == 200
    assert f"Remove {member.full_name} from {diaspora_org.name}?" in page.content.decode()
    assert Membership.objects.filter(pk=target.pk).exists()


def test_the_question_page_refuses_what_the_person_may_not_do(
    client, staff, member, leader, diaspora_org
):
    client.force_login(member)
    founder = _membership(leader, diaspora_org)
    page = client.get(reverse("alliance:membership_remove", args=[diaspora_org.pk, founder.pk]))
    assert page.status_code == 403
    body = page.content.decode()
    assert "You may not remove this member." in body
    assert "Remove from the organization" not in body
    assert Membership.objects.filter(pk=founder.pk).exists()


# 11. The language of e-mails -------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "es"])
def test_html_emails_declare_their_language(
    staff, scheduled, language, django_capture_on_commit_callbacks
):
    person = factories.make_user(preferred_language=language)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_invite(actor=staff, session=scheduled, emails=[person.email])
    html = _html_part(mail.outbox[-1])
    assert f'<html lang="{language}">' in html


def test_a_guest_invited_in_french_gets_a_french_email(
    client, staff, scheduled, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("alliance:session_invite", args=[scheduled.pk]),
            {"emails": "invitee@example.org", "guest_language": "fr"},
        )
    assert response.status_code == 302
    assert Participant.objects.get(session=scheduled, email="invitee@example.org").language == "fr"
    message = mail.outbox[-1]
    assert message.to == ["invitee@example.org"]
    assert message.subject.endswith(f"Invitation\N{NO-BREAK SPACE}: {scheduled.title}")
    html = _html_part(message)
    assert '<html lang="fr">' in html
    assert "Ouvrir la page de la séance" in html


def test_guest_invitations_default_to_the_session_language_and_accounts_keep_theirs(
    client, staff, make_session, django_capture_on_commit_callbacks
):
    session = make_session(language="es")
    person = factories.make_user(preferred_language="en")
    client.force_login(staff)
    form = client.get(reverse("alliance:session_invite", args=[session.pk])).content.decode()
    assert re.search(r'<option value="es" selected>', form)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("alliance:session_invite", args=[session.pk]),
            {"emails": f"guest@example.org, {person.email}"},
        )
    guest = Participant.objects.get(session=session, email="guest@example.org")
    account = Participant.objects.get(session=session, user=person)
    assert (guest.language, account.language) == ("es", "")
    by_address = {m.to[0]: m for m in mail.outbox}
    assert '<html lang="es">' in _html_part(by_address["guest@example.org"])
    assert '<html lang="en">' in _html_part(by_address[person.email])


def test_staff_set_the_language_of_a_session(client, staff, scheduled):
    client.force_login(staff)
    page = client.get(reverse("alliance:session_edit", args=[scheduled.pk])).content.decode()
    assert 'id="id_language"' in page and '<option value="en" selected>' in page


# 12. Counts and times ---------------------------------------------------------------------


def test_the_invitation_count_reads_right_for_one_and_for_many(client, staff, scheduled):
    client.force_login(staff)
    url = reverse("alliance:session_invite", args=[scheduled.pk])
    one = client.post(url, {"emails": "a@example.org"}, follow=True)
    assert "1 person was invited; the e-mail is on its way." in one.content.decode()
    two = client.post(url, {"emails": "b@example.org c@example.org"}, follow=True)
    assert "2 people were invited; the e-mails are on their way." in two.content.decode()


def test_the_attendance_count_reads_right_for_one(client, staff, scheduled, focal_point):
    services.session_invite(actor=staff, session=scheduled, emails=[focal_point.email])
    participant = Participant.objects.get(session=scheduled)
    client.force_login(staff)
    with time_machine.travel(scheduled.starts_at + datetime.timedelta(minutes=5)):
        response = client.post(
            reverse("alliance:session_attendance", args=[scheduled.pk]),
            {"shown": [participant.pk], "attended": [participant.pk]},
            **HTMX,
        )
    assert "Attendance saved: 1 person present on this page." in response.content.decode()


def test_the_answer_page_shows_the_session_time_first_and_no_utc_as_the_readers(
    client, staff, make_session
):
    fiji = zoneinfo.ZoneInfo("Pacific/Fiji")
    start = datetime.datetime(2030, 3, 5, 10, 0, tzinfo=fiji)
    session = make_session(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    services.session_invite(actor=staff, session=session, emails=["guest@example.org"])
    participant = Participant.objects.get(session=session)
    token = services.rsvp_link_token(participant, "accepted")
    body = client.get(reverse("alliance:rsvp_link", args=[token])).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body))
    assert "Tuesday 5 March 2030, 10:00–12:00 (Fiji time, Pacific/Fiji)" in text
    assert "your time," not in text and "UTC" not in text
    # The reader's own time is filled in by the browser, hidden until then.
    local = re.search(r"<p [^>]*data-local-time=\"([^\"]+)\"[^>]*>", body)
    assert local.group(1) == "2030-03-04T22:00:00+00:00"
    assert " hidden>" in local.group(0)
