"""Session changes, the status lifecycle, cancelling with confirmation, check-in limits,
and errors that must not be 500s (review issue 6, points 5, 6, 8, 10 and 13)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from alliance import services
from alliance.forms import SessionForm
from alliance.models import AllianceSession, Participant, Reminder
from gdpa.notify.models import OutboundEmail
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.fixture
def accepted(staff, scheduled, django_capture_on_commit_callbacks):
    """An invitee in El Salvador (UTC-6) who was e-mailed and accepted."""
    person = factories.make_user(time_zone="America/El_Salvador")
    with django_capture_on_commit_callbacks(execute=True):
        services.session_invite(actor=staff, session=scheduled, emails=[person.email])
    p = Participant.objects.get(session=scheduled, user=person)
    services.rsvp_set(participant=p, answer="accepted")
    return p


def form_data(session: AllianceSession, **changes) -> dict:
    """The edit form as staff would post it back, with ``changes``."""
    initial = SessionForm.initial_for(session)
    data = {
        **{k: v for k, v in initial.items() if k not in ("sectors", "start", "end")},
        "start": initial["start"].strftime("%Y-%m-%dT%H:%M"),
        "end": initial["end"].strftime("%Y-%m-%dT%H:%M"),
        "capacity": initial["capacity"] or "",
        "agenda-TOTAL_FORMS": "0",
        "agenda-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


# 5. Only real changes of time, format or place count ------------------------------------


def test_a_typo_fix_tells_nobody_and_keeps_the_calendar_sequence(
    client, staff, scheduled, accepted, django_capture_on_commit_callbacks
):
    reminders = set(Reminder.objects.values_list("pk", "schedule_sequence"))
    sequence = AllianceSession.objects.get(pk=scheduled.pk).sequence
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("alliance:session_edit", args=[scheduled.pk]),
            form_data(scheduled, title="Health and Well-being working group (corrected)"),
        )
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.title.endswith("(corrected)")
    assert scheduled.sequence == sequence
    assert not OutboundEmail.objects.filter(kind="session_changed").exists()
    assert set(Reminder.objects.values_list("pk", "schedule_sequence")) == reminders


def test_a_new_time_sends_one_notice_that_says_what_changed(
    staff, scheduled, accepted, django_capture_on_commit_callbacks
):
    old_start = scheduled.starts_at
    new_start = old_start + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            actor=staff,
            session=scheduled,
            starts_at=new_start,
            ends_at=new_start + datetime.timedelta(hours=2),
            description="Now with an agenda.",
        )
    services.participants_notify_change(session_id=scheduled.pk)  # a retried message
    [notice] = [m for m in mail.outbox if "New time" in m.subject]
    salvador = datetime.timezone(datetime.timedelta(hours=-6))

    def local(moment):
        return moment.astimezone(salvador).strftime("%A %-d %B %Y, %H:%M")

    assert OutboundEmail.objects.filter(kind="session_changed").count() == 1
    assert f"Start: {local(old_start)} → {local(new_start)}" in notice.body
    assert "End:" in notice.body
    assert "Venue:" not in notice.body.split("When:")[0]
    scheduled.refresh_from_db()
    assert scheduled.sequence == 1
    due = Reminder.objects.filter(sent_at__isnull=True).values_list("due_at", flat=True)
    assert max(due) == new_start - datetime.timedelta(hours=1)


def test_a_new_venue_is_named_in_the_notice_and_keeps_the_reminders(
    staff, scheduled, accepted, django_capture_on_commit_callbacks
):
    due = set(Reminder.objects.values_list("kind", "due_at"))
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(actor=staff, session=scheduled, venue="IOM Nadi office")
    assert OutboundEmail.objects.filter(kind="session_changed").count() == 1
    [notice] = [m for m in mail.outbox if "Changed:" in m.subject]
    assert "Venue: IOM Suva office → IOM Nadi office" in notice.body
    scheduled.refresh_from_db()
    # The reminders still fit the start and follow the new calendar sequence.
    assert set(Reminder.objects.values_list("kind", "due_at")) == due
    assert set(Reminder.objects.values_list("schedule_sequence", flat=True)) == {scheduled.sequence}


def test_a_started_session_can_still_get_its_description_edited(client, staff, scheduled):
    with time_machine.travel(scheduled.starts_at + datetime.timedelta(minutes=10)):
        client.force_login(staff)
        response = client.post(
            reverse("alliance:session_edit", args=[scheduled.pk]),
            form_data(scheduled, description="Notes from the first half."),
        )
        assert response.status_code == 302
        scheduled.refresh_from_db()
        assert scheduled.description == "Notes from the first half."
        with pytest.raises(ValidationError, match="must be in the future"):
            services.session_update(
                actor=staff,
                session=scheduled,
                starts_at=scheduled.starts_at + datetime.timedelta(minutes=5),
            )


def test_a_held_session_keeps_its_time_but_its_description_can_be_edited(staff, scheduled):
    with time_machine.travel(scheduled.starts_at + datetime.timedelta(hours=3)):
        services.session_mark_held(actor=staff, session=scheduled)
        services.session_update(actor=staff, session=scheduled, description="Minutes to follow.")
        with pytest.raises(ValidationError, match="keeps its time"):
            services.session_update(actor=staff, session=scheduled, venue="Elsewhere")
    scheduled.refresh_from_db()
    assert scheduled.description == "Minutes to follow."
    assert scheduled.venue == "IOM Suva office"


# 6. One table of status transitions -------------------------------------------------------


def test_a_scheduled_session_cannot_go_back_to_draft(client, staff, scheduled, accepted):
    client.force_login(staff)
    url = reverse("alliance:session_edit", args=[scheduled.pk])
    page = client.get(url).content.decode()
    assert 'value="scheduled"' in page and 'value="draft"' not in page
    response = client.post(url, form_data(scheduled, status="draft"))
    assert response.status_code == 422
    form = response.context["form"]
    assert "A scheduled session cannot become draft." in form.errors["status"]
    scheduled.refresh_from_db()
    assert scheduled.status == AllianceSession.Status.SCHEDULED


def test_transitions_follow_the_table(staff, make_session):
    draft = make_session(status=AllianceSession.Status.DRAFT)
    with pytest.raises(ValidationError, match="own buttons"):
        services.session_update(actor=staff, session=draft, status=AllianceSession.Status.CANCELLED)
    with pytest.raises(ValidationError, match="can be marked as held"):
        services.session_mark_held(actor=staff, session=draft)
    services.session_update(actor=staff, session=draft, status=AllianceSession.Status.SCHEDULED)
    draft.refresh_from_db()
    assert draft.status == AllianceSession.Status.SCHEDULED and draft.sequence == 1
    services.session_cancel(actor=staff, session=draft)
    with pytest.raises(ValidationError, match="can no longer be cancelled"):
        services.session_cancel(actor=staff, session=draft)
    with pytest.raises(ValidationError, match="cancelled session can no longer be changed"):
        services.session_update(actor=staff, session=draft, status=AllianceSession.Status.SCHEDULED)
    assert AllianceSession.TRANSITIONS[AllianceSession.Status.HELD] == frozenset()


def test_a_draft_offers_scheduling_and_a_held_session_offers_only_held(staff, make_session):
    draft = make_session(status=AllianceSession.Status.DRAFT)
    assert [v for v, _l in SessionForm(session=draft).fields["status"].widget.choices] == [
        "draft",
        "scheduled",
    ]
    held = make_session()
    AllianceSession.objects.filter(pk=held.pk).update(status=AllianceSession.Status.HELD)
    held.refresh_from_db()
    assert [v for v, _l in SessionForm(session=held).fields["status"].widget.choices] == ["held"]


# 10. Cancelling asks first, without JavaScript ------------------------------------------


def test_cancelling_asks_for_confirmation_on_its_own_page(
    client, staff, scheduled, accepted, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    detail = client.get(reverse("alliance:session", args=[scheduled.pk])).content.decode()
    url = reverse("alliance:session_cancel", args=[scheduled.pk])
    assert f'href="{url}"' in detail and "Danger zone" in detail
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Cancel {scheduled.title}?" in body and "Everyone invited will be told." in body
    scheduled.refresh_from_db()
    assert scheduled.status == AllianceSession.Status.SCHEDULED  # GET changed nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == AllianceSession.Status.CANCELLED
    assert OutboundEmail.objects.filter(kind="session_cancelled").count() == 1
    assert "can no longer be cancelled" in client.get(url).content.decode()


# 8. Check-in: limited attempts, never on a cancelled session ------------------------------


def test_wrong_check_in_codes_are_limited(client, scheduled, accepted):
    url = reverse("alliance:session_checkin", args=[scheduled.pk])
    client.force_login(accepted.user)
    with time_machine.travel(scheduled.starts_at + datetime.timedelta(minutes=5), tick=False):
        for _ in range(5):
            assert "not the code shown" in client.post(url, {"code": "WRONG"}).content.decode()
        blocked = client.post(url, {"code": scheduled.checkin_code})
        assert blocked.status_code == 422
        assert "Too many wrong codes" in blocked.content.decode()
        accepted.refresh_from_db()
        assert not accepted.attended
    with time_machine.travel(scheduled.starts_at + datetime.timedelta(minutes=16), tick=False):
        assert client.post(url, {"code": scheduled.checkin_code}).status_code == 302
    accepted.refresh_from_db()
    assert accepted.attended


def test_only_wrong_codes_count_towards_the_limit(scheduled, accepted):
    with time_machine.travel(scheduled.starts_at + datetime.timedelta(minutes=5), tick=False):
        for _ in range(8):
            services.checkin(participant=accepted, code=scheduled.checkin_code)
        for _ in range(4):
            with pytest.raises(ValidationError, match="not the code"):
                services.checkin(participant=accepted, code="WRONG1")
        services.checkin(participant=accepted, code=scheduled.checkin_code)
        with pytest.raises(ValidationError, match="not the code"):
            services.checkin(participant=accepted, code="WRONG1")
        with pytest.raises(ValidationError, match="Too many wrong codes"):
            services.checkin(participant=accepted, code=scheduled.checkin_code)


def test_no_check_in_summary_or_attendance_on_a_cancelled_session(staff, scheduled, accepted):
    services.session_cancel(actor=staff, session=scheduled)
    scheduled.refresh_from_db()
    accepted.refresh_from_db()
    with time_machine.travel(scheduled.starts_at + datetime.timedelta(minutes=5)):
        with pytest.raises(ValidationError, match="cancelled"):
            services.checkin(participant=accepted, code=scheduled.checkin_code)
        with pytest.raises(ValidationError, match="cancelled"):
            services.session_summary_publish(actor=staff, session=scheduled, summary="Minutes")
        with pytest.raises(ValidationError, match="cancelled"):
            services.attendance_record(
                actor=staff, session=scheduled, shown=[accepted.pk], attended=[accepted.pk]
            )
    scheduled.refresh_from_db()
    accepted.refresh_from_db()
    assert not scheduled.summary_published_at and not accepted.attended


# 13. Errors that must not be 500s ------------------------------------------------------------


def test_the_year_9999_in_a_negative_offset_zone_is_a_field_error(client, staff):
    with pytest.raises(ValidationError, match="Enter a date before the year"):
        services.local_to_utc(
            datetime.datetime(9999, 12, 31, 23, 0), "America/El_Salvador", "start"
        )
    client.force_login(staff)
    response = client.post(
        reverse("alliance:session_create"),
        {
            "title": "Far future",
            "kind": "plenary",
            "time_zone": "America/El_Salvador",
            "start": "9999-12-31T20:00",
            "end": "9999-12-31T23:00",
            "format": "online",
            "join_url": "https://meet.example.org/far",
            "status": "draft",
            "agenda-TOTAL_FORMS": "0",
            "agenda-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 422
    assert "Enter a date before the year" in response.context["form"].errors["start"][0]
    assert not AllianceSession.objects.exists()


def test_a_session_more_than_ten_years_ahead_is_refused(staff, make_session):
    start = timezone.now() + datetime.timedelta(days=366 * 11)
    with pytest.raises(ValidationError, match="Enter a date before the year"):
        make_session(starts_at=start, ends_at=start + datetime.timedelta(hours=1))


def test_a_document_missing_on_disk_is_a_404(client, staff, scheduled, accepted):
    document = services.document_add(
        actor=staff,
        session=scheduled,
        title="Agenda",
        upload=SimpleUploadedFile("agenda.pdf", PDF),
    )
    document.file.storage.delete(document.file.name)
    client.force_login(accepted.user)
    url = reverse("alliance:session_document", args=[scheduled.pk, document.pk])
    assert client.get(url).status_code == 404
