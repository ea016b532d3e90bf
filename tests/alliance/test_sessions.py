import datetime
import functools
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from alliance import services
from alliance.models import AllianceSession, Participant, Reminder
from gdpa.notify.models import OutboundEmail
from tests import factories
from tests.concurrency import all_at_once

pytestmark = pytest.mark.django_db


def invite(staff, session, *users, **audience):
    return services.session_invite(
        actor=staff, session=session, emails=[u.email for u in users], **audience
    )


def participant(session, user) -> Participant:
    return Participant.objects.get(session=session, email=user.email.lower())


def test_invited_focal_point_gets_an_email_with_links_and_a_calendar_file(
    staff, scheduled, focal_point, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            invite(
                staff,
                scheduled,
                member_states=[focal_point.memberships.get().organization.member_state],
            )
            == 1
        )
    message = mail.outbox[-1]
    assert message.to == [focal_point.email]
    assert "Invitation: Health and Well-being working group" in message.subject
    assert len(re.findall(r"/alliance/sessions/answer/", message.body)) == 3
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("session.ics", "text/calendar")
    assert Calendar.from_ical(content).walk("VEVENT")[0]["UID"] == f"{scheduled.uid}@gdpa-portal"
    # Running the sending task again sends nothing more.
    services.session_invitations_send(session_id=scheduled.pk)
    assert OutboundEmail.objects.filter(kind="session_invitation").count() == 1


def test_invitation_email_is_in_the_recipients_language_and_time_zone(
    staff, scheduled, django_capture_on_commit_callbacks
):
    person = factories.make_user(preferred_language="es", time_zone="America/El_Salvador")
    with django_capture_on_commit_callbacks(execute=True):
        invite(staff, scheduled, person)
    body = mail.outbox[-1].body
    local = scheduled.starts_at.astimezone(datetime.timezone(datetime.timedelta(hours=-6)))
    assert local.strftime("%H:%M") in body
    assert "America/El_Salvador" in body and "Pacific/Fiji" in body


def test_an_address_without_an_account_is_invited_and_linked_after_sign_up(
    client, staff, scheduled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.session_invite(actor=staff, session=scheduled, emails=["New.Person@Example.org"])
    assert mail.outbox[-1].to == ["new.person@example.org"]
    assert "/account/signup/?next=" in mail.outbox[-1].body
    person = factories.make_user(email="new.person@example.org")
    client.force_login(person)
    assert client.get(reverse("alliance:session", args=[scheduled.pk])).status_code == 200
    assert participant(scheduled, person).user is None  # reading writes nothing
    client.post(reverse("alliance:session_rsvp", args=[scheduled.pk]), {"answer": "accepted"})
    assert participant(scheduled, person).user == person


def test_bad_addresses_are_listed_and_nobody_is_invited(staff, scheduled):
    with pytest.raises(ValidationError, match="not-an-address"):
        services.session_invite(
            actor=staff, session=scheduled, emails=["ok@example.org", "not-an-address"]
        )
    assert not Participant.objects.exists()


def test_rsvp_link_works_once(client, staff, scheduled, focal_point):
    invite(staff, scheduled, focal_point)
    p = participant(scheduled, focal_point)
    url = reverse("alliance:rsvp_link", args=[services.rsvp_link_token(p, "accepted")])
    assert "Confirm: Accepted" in client.get(url).content.decode()
    assert (
        participant(scheduled, focal_point).rsvp == Participant.Rsvp.INVITED
    )  # GET changes nothing
    assert client.post(url).status_code == 200
    assert participant(scheduled, focal_point).rsvp == Participant.Rsvp.ACCEPTED
    again = client.post(url)
    assert again.status_code == 400
    assert "already been used" in again.content.decode()


def test_a_foreign_or_tampered_rsvp_token_changes_nothing(client, staff, scheduled, focal_point):
    invite(staff, scheduled, focal_point)
    token = services.rsvp_link_token(participant(scheduled, focal_point), "accepted")
    response = client.post(reverse("alliance:rsvp_link", args=[token[:-3] + "abc"]))
    assert response.status_code == 400
    assert participant(scheduled, focal_point).rsvp == Participant.Rsvp.INVITED


def test_capacity_is_enforced_and_the_full_session_is_explained(staff, make_session):
    session = make_session(capacity=1)
    first, second = factories.make_user(), factories.make_user()
    invite(staff, session, first, second)
    services.rsvp_set(participant=participant(session, first), answer="accepted")
    with pytest.raises(ValidationError, match="full"):
        services.rsvp_set(participant=participant(session, second), answer="accepted")
    services.rsvp_set(participant=participant(session, second), answer="tentative")
    assert session.participants.filter(rsvp="accepted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_never_overbook(staff, make_session):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; CI runs this on PostgreSQL")
    session = make_session(capacity=3)
    people = [factories.make_user() for _ in range(10)]
    invite(staff, session, *people)
    ids = [participant(session, p).pk for p in people]

    def answer(pk):
        services.rsvp_set(participant=Participant.objects.get(pk=pk), answer="accepted")

    refused = all_at_once(*(functools.partial(answer, pk) for pk in ids))
    assert session.participants.filter(rsvp="accepted").count() == 3
    assert len(refused) == 7 and all("full" in str(e) for e in refused)


def test_no_answer_after_the_start(staff, scheduled, focal_point):
    invite(staff, scheduled, focal_point)
    with (
        time_machine.travel(scheduled.starts_at + datetime.timedelta(minutes=1)),
        pytest.raises(ValidationError, match="closed"),
    ):
        services.rsvp_set(participant=participant(scheduled, focal_point), answer="accepted")


def test_join_link_only_for_accepted_and_only_from_30_minutes_before(
    client, staff, scheduled, focal_point, member
):
    invite(staff, scheduled, focal_point, member)
    services.rsvp_set(participant=participant(scheduled, focal_point), answer="accepted")
    services.rsvp_set(participant=participant(scheduled, member), answer="tentative")
    url = reverse("alliance:session", args=[scheduled.pk])
    join = scheduled.join_url
    client.force_login(focal_point)
    with time_machine.travel(scheduled.starts_at - datetime.timedelta(minutes=31)):
        assert join not in client.get(url).content.decode()
    with time_machine.travel(scheduled.starts_at - datetime.timedelta(minutes=29)):
        assert join in client.get(url).content.decode()
        client.force_login(member)
        assert join not in client.get(url).content.decode()
        assert (
            join
            not in client.get(reverse("alliance:session_ics", args=[scheduled.pk])).content.decode()
        )


def test_a_person_who_was_not_invited_gets_404(client, scheduled, outsider, make_session):
    client.force_login(outsider)
    assert client.get(reverse("alliance:session", args=[scheduled.pk])).status_code == 404
    assert client.get(reverse("alliance:session_ics", args=[scheduled.pk])).status_code == 404


def test_session_ics_and_feed_parse_and_keep_uid_across_reschedule(
    client, staff, scheduled, focal_point
):
    invite(staff, scheduled, focal_point)
    services.rsvp_set(participant=participant(scheduled, focal_point), answer="accepted")
    client.force_login(focal_point)
    first = Calendar.from_ical(
        client.get(reverse("alliance:session_ics", args=[scheduled.pk])).content
    )
    event = first.walk("VEVENT")[0]
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert first.walk("VALARM")
    new_start = scheduled.starts_at + datetime.timedelta(days=1)
    services.session_update(
        actor=staff,
        session=scheduled,
        starts_at=new_start,
        ends_at=new_start + datetime.timedelta(hours=2),
    )
    feed = services.calendar_feed_get(user=focal_point)
    client.logout()
    body = client.get(reverse("alliance:calendar_feed", args=[feed.token])).content
    assert scheduled.join_url.encode() not in body
    again = Calendar.from_ical(body).walk("VEVENT")[0]
    assert again["UID"] == event["UID"]
    assert int(again["SEQUENCE"]) == int(event["SEQUENCE"]) + 1
    assert again.decoded("DTSTART") == new_start.replace(microsecond=0)
    # A revoked feed address stops working.
    services.calendar_feed_reset(user=focal_point)
    assert client.get(reverse("alliance:calendar_feed", args=[feed.token])).status_code == 404


def test_reminders_go_out_once_each_in_the_recipients_language(
    staff, scheduled, django_capture_on_commit_callbacks
):
    person = factories.make_user(preferred_language="fr", time_zone="Europe/Dublin")
    invite(staff, scheduled, person)
    services.rsvp_set(participant=participant(scheduled, person), answer="accepted")
    assert Reminder.objects.count() == 3
    for offset in (
        datetime.timedelta(days=7),
        datetime.timedelta(days=1),
        datetime.timedelta(hours=1),
    ):
        moment = scheduled.starts_at - offset + datetime.timedelta(seconds=30)
        with time_machine.travel(moment), django_capture_on_commit_callbacks(execute=True):
            services.reminders_dispatch()
            services.reminders_dispatch()  # a second beat run finds nothing to do
    reminders = OutboundEmail.objects.filter(kind__startswith="session_reminder")
    assert sorted(reminders.values_list("kind", flat=True)) == [
        "session_reminder_1d",
        "session_reminder_1h",
        "session_reminder_7d",
    ]
    assert all(r.language == "fr" for r in reminders)


def test_a_changed_answer_keeps_reminders_while_going_and_drops_them_when_not(
    staff, scheduled, focal_point, django_capture_on_commit_callbacks
):
    invite(staff, scheduled, focal_point)
    mine = participant(scheduled, focal_point)
    unsent = Reminder.objects.filter(participant=mine, sent_at__isnull=True)
    services.rsvp_set(participant=mine, answer="accepted")
    assert sorted(unsent.values_list("kind", flat=True)) == ["1d", "1h", "7d"]
    services.rsvp_set(participant=mine, answer="declined")
    assert not unsent.exists()
    services.rsvp_set(participant=mine, answer="accepted")
    assert unsent.count() == 3
    # The hour before: the 1h reminder is due and the sweep has not run yet. Switching to
    # "tentative" still means going, so that reminder still goes out.
    with time_machine.travel(scheduled.starts_at - datetime.timedelta(minutes=50)):
        services.rsvp_set(participant=mine, answer="tentative")
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_dispatch()
    assert OutboundEmail.objects.filter(kind="session_reminder_1h").count() == 1
    services.rsvp_set(participant=mine, answer="declined")
    services.rsvp_set(participant=mine, answer="accepted")
    # Each reminder goes once per schedule: the ones already gone are not scheduled again.
    assert not unsent.exists()
    assert Reminder.objects.filter(participant=mine).count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_reminder_runs_send_each_reminder_once(staff, make_session):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is a PostgreSQL matter; CI runs this on PostgreSQL")
    session = make_session()
    people = [factories.make_user() for _ in range(30)]
    invite(staff, session, *people)
    for person in people:
        services.rsvp_set(participant=participant(session, person), answer="accepted")
    Reminder.objects.filter(kind="1h").update(due_at=timezone.now() - datetime.timedelta(seconds=1))
    all_at_once(*[services.reminders_dispatch] * 3)
    sent = OutboundEmail.objects.filter(kind="session_reminder_1h")
    assert sent.count() == 30
    assert sent.values("to_email").distinct().count() == 30
    assert not Reminder.objects.filter(kind="1h", sent_at__isnull=True).exists()


def test_a_change_of_time_reschedules_reminders_and_tells_people_once(
    staff, scheduled, focal_point, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(staff, scheduled, focal_point)
    services.rsvp_set(participant=participant(scheduled, focal_point), answer="accepted")
    new_start = scheduled.starts_at + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            actor=staff,
            session=scheduled,
            starts_at=new_start,
            ends_at=new_start + datetime.timedelta(hours=1),
        )
    services.participants_notify_change(session_id=scheduled.pk)  # a retried message
    assert OutboundEmail.objects.filter(kind="session_changed").count() == 1
    due = sorted(Reminder.objects.filter(sent_at__isnull=True).values_list("due_at", flat=True))
    assert due[-1] == new_start - datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(actor=staff, session=scheduled)
    assert OutboundEmail.objects.filter(kind="session_cancelled").count() == 1
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_at_delta": -3}, "end must be after the start"),
        ({"start_days": -1}, "must be in the future"),
    ],
)
def test_bad_session_times_are_refused(staff, make_session, change, message):
    start = timezone.now() + datetime.timedelta(days=change.get("start_days", 5))
    end = start + datetime.timedelta(hours=change.get("ends_at_delta", 2))
    with pytest.raises(ValidationError, match=message):
        make_session(starts_at=start, ends_at=end)
    assert not AllianceSession.objects.exists()


def test_capacity_below_accepted_is_refused(staff, scheduled):
    people = [factories.make_user() for _ in range(2)]
    invite(staff, scheduled, *people)
    for person in people:
        services.rsvp_set(participant=participant(scheduled, person), answer="accepted")
    with pytest.raises(ValidationError, match="already accepted"):
        services.session_update(actor=staff, session=scheduled, capacity=1)
    scheduled.refresh_from_db()
    assert scheduled.capacity is None


def test_a_time_that_does_not_exist_in_the_session_zone_is_refused():
    with pytest.raises(ValidationError, match="does not exist"):
        services.local_to_utc(datetime.datetime(2027, 3, 28, 1, 30), "Europe/Dublin", "start")
    assert (
        services.local_to_utc(datetime.datetime(2027, 3, 28, 3, 0), "Europe/Dublin", "start").hour
        == 2
    )


def test_fiji_session_seen_from_el_salvador_and_dublin_across_daylight_saving(
    client, staff, make_session
):
    # 09:00 in Suva on 2027-03-29: Dublin has just moved to summer time (IST, UTC+1).
    start = services.local_to_utc(datetime.datetime(2027, 3, 29, 9, 0), "Pacific/Fiji", "start")
    with time_machine.travel(datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC)):
        session = make_session(starts_at=start, ends_at=start + datetime.timedelta(hours=1))
        salvador = factories.make_user(time_zone="America/El_Salvador")
        dublin = factories.make_user(time_zone="Europe/Dublin")
        invite(staff, session, salvador, dublin)
        url = reverse("alliance:session", args=[session.pk])
        client.force_login(salvador)
        page = client.get(url).content.decode()
        assert "Sunday 28 March 2027, 15:00" in page  # UTC-6
        assert "29 March, 09:00" in page and "Pacific/Fiji" in page
        client.force_login(dublin)
        assert "Sunday 28 March 2027, 22:00" in client.get(url).content.decode()  # UTC+1


def test_staff_create_a_session_in_its_own_time_zone(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("alliance:session_create"),
        {
            "title": "Climate Action plenary",
            "kind": "plenary",
            "time_zone": "Indian/Mauritius",
            "start": "2030-05-04T10:00",
            "end": "2030-05-04T12:00",
            "format": "online",
            "join_url": "https://meet.example.org/climate",
            "status": "scheduled",
            "agenda-TOTAL_FORMS": "1",
            "agenda-INITIAL_FORMS": "0",
            "agenda-0-title": "Welcome",
            "agenda-0-duration_minutes": "10",
        },
    )
    session = AllianceSession.objects.get()
    assert response.status_code == 302
    assert session.starts_at == datetime.datetime(2030, 5, 4, 6, 0, tzinfo=datetime.UTC)
    assert session.agenda_items.get().title == "Welcome"


def test_staff_session_form_errors_change_nothing(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("alliance:session_create"),
        {
            "title": "Bad",
            "kind": "plenary",
            "time_zone": "UTC",
            "start": "2030-05-04T10:00",
            "end": "2030-05-04T09:00",
            "format": "online",
            "status": "draft",
            "agenda-TOTAL_FORMS": "0",
            "agenda-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "end must be after the start" in body
    assert "needs a join link" in body
    assert not AllianceSession.objects.exists()


def test_attendance_bulk_and_check_in_and_figures(client, staff, scheduled, focal_point, member):
    type(focal_point).objects.filter(pk=focal_point.pk).update(
        country_of_residence="FJ", gender="prefer_not_to_say"
    )
    invite(staff, scheduled, focal_point, member)
    for person in (focal_point, member):
        services.rsvp_set(participant=participant(scheduled, person), answer="accepted")
    with time_machine.travel(scheduled.starts_at + datetime.timedelta(minutes=5)):
        client.force_login(focal_point)
        wrong = client.post(
            reverse("alliance:session_checkin", args=[scheduled.pk]), {"code": "NOPE"}
        )
        assert "not the code shown in the room" in wrong.content.decode()
        client.post(
            reverse("alliance:session_checkin", args=[scheduled.pk]),
            {"code": scheduled.checkin_code.lower()},
        )
        assert participant(scheduled, focal_point).attended
        client.force_login(staff)
        p_member = participant(scheduled, member)
        client.post(
            reverse("alliance:session_attendance", args=[scheduled.pk]),
            {"shown": [p_member.pk], "attended": [p_member.pk]},
        )
        assert participant(scheduled, member).attended
        page = client.get(
            reverse("alliance:session_attendance", args=[scheduled.pk])
        ).content.decode()
        assert "Government" in page and "Diaspora organization" in page
        assert "Fiji" in page and "Prefer not to say" in page


def test_session_pages_run_a_fixed_number_of_queries(
    client, staff, scheduled, focal_point, django_assert_max_num_queries
):
    invite(staff, scheduled, focal_point)
    urls = [
        reverse("alliance:session", args=[scheduled.pk]),
        reverse("alliance:my_sessions"),
        reverse("portal:dashboard"),
    ]

    def measure():
        client.force_login(focal_point)
        for url in urls:  # warm up (pages write nothing on GET)
            client.get(url)
        counts = []
        for url in urls:
            with django_assert_max_num_queries(40) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    small = measure()
    others = [factories.make_user() for _ in range(60)]
    invite(staff, scheduled, *others)
    for person in others[:30]:
        services.rsvp_set(participant=participant(scheduled, person), answer="accepted")
    assert measure() == small


def test_the_staff_session_list_runs_the_same_queries_for_4_and_20_sessions(
    client, staff, make_session
):
    """Each row shows its invited and accepted counts; they come with the list, not per row."""
    start = timezone.now() + datetime.timedelta(days=3)

    def grow(count):
        for n in range(count):
            session = make_session(
                title=f"Session {n}",
                starts_at=start + datetime.timedelta(days=n),
                ends_at=start + datetime.timedelta(days=n, hours=1),
            )
            people = [factories.make_user() for _ in range(2)]
            invite(staff, session, *people)
            services.rsvp_set(participant=participant(session, people[0]), answer="accepted")

    def measure():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("alliance:staff_sessions")).status_code == 200
        return len(captured)

    client.force_login(staff)
    grow(4)
    client.get(reverse("alliance:staff_sessions"))  # warm up (the page writes nothing on GET)
    small = measure()
    grow(16)
    assert measure() == small


def test_uploads_are_checked_by_content_and_size(staff, scheduled):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake_pdf = SimpleUploadedFile(
        "agenda.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf"
    )
    with pytest.raises(ValidationError, match="Only PDF"):
        services.document_add(actor=staff, session=scheduled, title="Agenda", upload=fake_pdf)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="larger than 10 MB"):
        services.document_add(actor=staff, session=scheduled, title="Big", upload=big)
    real = SimpleUploadedFile(
        "agenda.exe", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    )
    document = services.document_add(actor=staff, session=scheduled, title="Agenda", upload=real)
    assert document.kind == "pdf" and document.file.name.endswith(".pdf")
    assert scheduled.documents.count() == 1


def test_an_address_typed_in_another_case_finds_the_account(
    staff, scheduled, django_capture_on_commit_callbacks
):
    person = factories.make_user(
        email="Maria.Lopez@example.org", preferred_language="es", time_zone="America/Bogota"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.session_invite(actor=staff, session=scheduled, emails=["maria.lopez@EXAMPLE.org"])
    assert participant(scheduled, person).user == person
    assert mail.outbox[-1].subject.startswith("[GDPA] Invitación")


def test_staff_mark_a_started_session_as_held_and_not_before(client, staff, scheduled):
    client.force_login(staff)
    url = reverse("alliance:session_held", args=[scheduled.pk])
    page = client.get(reverse("alliance:session", args=[scheduled.pk])).content.decode()
    assert "Mark as held" not in page
    response = client.post(url, follow=True)
    assert "Only a scheduled session that has started" in response.content.decode()
    scheduled.refresh_from_db()
    assert scheduled.status == AllianceSession.Status.SCHEDULED
    with time_machine.travel(scheduled.starts_at + datetime.timedelta(minutes=90)):
        page = client.get(reverse("alliance:session", args=[scheduled.pk])).content.decode()
        assert "Mark as held" in page
        client.post(url)
    scheduled.refresh_from_db()
    assert scheduled.status == AllianceSession.Status.HELD


def test_the_answer_to_an_rsvp_redraws_only_its_region(
    client, staff, scheduled, focal_point, django_assert_max_num_queries
):
    invite(staff, scheduled, focal_point)
    client.force_login(focal_point)
    client.get(reverse("alliance:session", args=[scheduled.pk]))
    # The write and the answer region; the agenda, documents and counts around it are
    # not read again (was 18), nor the answer just saved (was 13).
    with django_assert_max_num_queries(11):
        response = client.post(
            reverse("alliance:session_rsvp", args=[scheduled.pk]),
            {"answer": "tentative"},
            headers={"HX-Request": "true"},
        )
    body = response.content.decode()
    assert response.status_code == 200 and "<h1>" not in body
    assert "Your answer is saved: Tentative." in body
    assert participant(scheduled, focal_point).rsvp == Participant.Rsvp.TENTATIVE
