"""E-mail fan-out (issue 13): what recipients share is rendered once, e-mails go out in
batches over one mail-server connection, and each row is still sent exactly once."""

import datetime
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.models import Participant, Reminder
from alliance.services.reminders import reminders_dispatch, reminders_reschedule
from alliance.services.session_invitations import session_invitations_send
from alliance.services.session_mail import session_email
from gdpa.notify import delivery, rendering, services
from gdpa.notify.models import OutboundEmail, RecipientAddress
from gdpa.notify.rendering import SharedRender
from gdpa.notify.tasks import send_email_batch
from tests import factories

pytestmark = pytest.mark.django_db

BACKEND = "tests.gdpa.test_email_fanout.FakeServer"


class FakeServer(LocmemBackend):
    """The locmem backend, counting connections; refuses or hangs up on chosen addresses."""

    opened = 0
    refuse: frozenset = frozenset()
    hang_up: frozenset = frozenset()
    #: Raised (like a SIGKILL, nothing catches it) when sending to this address.
    die_at = ""

    def open(self):
        type(self).opened += 1
        return True

    def send_messages(self, messages):
        for message in messages:
            (to,) = message.to
            if to == self.die_at:
                raise WorkerKilled
            if to in self.hang_up:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            if to in self.refuse:
                raise smtplib.SMTPRecipientsRefused({to: (550, b"No such user")})
        return super().send_messages(messages)


class WorkerKilled(BaseException):
    """Stands for the worker process dying mid-batch."""


@pytest.fixture
def server(settings):
    settings.EMAIL_BACKEND = BACKEND
    FakeServer.opened = 0
    FakeServer.refuse = FakeServer.hang_up = frozenset()
    FakeServer.die_at = ""
    return FakeServer


def queued(n: int, *, start: int = 0) -> list[OutboundEmail]:
    return [
        factories.make_queued_email(
            to=f"person{i}@example.org", subject=f"Hello {i}", body_html="<p>Body</p>"
        )
        for i in range(start, start + n)
    ]


def statuses(emails) -> list[str]:
    return [OutboundEmail.objects.get(pk=e.pk).status for e in emails]


def received() -> list[str]:
    return [message.to[0] for message in mail.outbox]


# --- Batched delivery ------------------------------------------------------------------


def test_a_batch_sends_every_row_over_one_connection(server):
    emails = queued(5)
    assert delivery.emails_deliver(email_ids=[e.pk for e in emails]) == []
    assert server.opened == 1
    assert statuses(emails) == ["sent"] * 5
    assert received() == [e.to_email for e in emails]
    # A sent row keeps the facts, not the bodies (as one by one).
    first = OutboundEmail.objects.get(pk=emails[0].pk)
    assert first.body_text == "" and first.bodies_cleared_at and first.attempts == 1


def test_a_batch_skips_rows_another_worker_has_claimed(server):
    emails = queued(3)
    other = OutboundEmail.objects.get(pk=emails[1].pk)
    assert delivery._claim(other)  # another worker is sending this one
    assert not delivery._claim(OutboundEmail.objects.get(pk=emails[1].pk))  # never twice
    delivery.emails_deliver(email_ids=[e.pk for e in emails])
    assert statuses(emails) == ["sent", "sending", "sent"]
    assert received() == [emails[0].to_email, emails[2].to_email]


def test_a_batch_task_run_twice_sends_nothing_the_second_time(server):
    emails = queued(4)
    ids = [e.pk for e in emails]
    send_email_batch.delay(ids)
    send_email_batch.delay(ids)
    assert sorted(received()) == sorted(e.to_email for e in emails)
    assert server.opened == 1  # the second run found nothing queued: no connection


def test_a_refused_message_is_retried_later_and_the_others_are_sent(server):
    emails = queued(4)
    server.refuse = frozenset({emails[1].to_email})
    retry = delivery.emails_deliver(email_ids=[e.pk for e in emails])
    assert retry == [emails[1].pk]
    assert statuses(emails) == ["sent", "queued", "sent", "sent"]
    refused = OutboundEmail.objects.get(pk=emails[1].pk)
    assert refused.attempts == 1 and "No such user" in refused.last_error
    assert refused.body_text == "Body"  # kept for the next attempt
    assert server.opened == 1
    assert emails[1].to_email not in received() and len(received()) == 3


def test_a_message_refused_on_its_last_attempt_fails_and_the_batch_goes_on(server):
    emails = queued(3)
    OutboundEmail.objects.filter(pk=emails[0].pk).update(attempts=services.MAX_ATTEMPTS - 1)
    server.refuse = frozenset({emails[0].to_email})
    assert delivery.emails_deliver(email_ids=[e.pk for e in emails]) == []
    assert statuses(emails) == ["failed", "sent", "sent"]


def test_the_retried_batch_carries_only_the_refused_rows(server):
    emails = queued(3)
    server.refuse = frozenset({emails[2].to_email})
    with (
        mock.patch.object(send_email_batch, "retry", side_effect=RuntimeError) as retry,
        pytest.raises(RuntimeError),
    ):
        send_email_batch.run([e.pk for e in emails])
    assert retry.call_args.kwargs["args"] == ([emails[2].pk],)
    assert retry.call_args.kwargs["countdown"] == 60


def test_a_server_that_hangs_up_stops_the_batch_and_the_rest_stay_queued(server):
    emails = queued(4)
    server.hang_up = frozenset({emails[1].to_email})
    retry = delivery.emails_deliver(email_ids=[e.pk for e in emails])
    assert retry == [emails[1].pk, emails[2].pk, emails[3].pk]
    assert statuses(emails) == ["sent", "queued", "queued", "queued"]
    untouched = OutboundEmail.objects.get(pk=emails[3].pk)
    assert untouched.attempts == 0 and untouched.claimed_at is None


def test_an_unreachable_server_costs_one_attempt_and_sends_nothing(server):
    emails = queued(3)
    with mock.patch.object(FakeServer, "open", side_effect=ConnectionRefusedError("refused")):
        retry = delivery.emails_deliver(email_ids=[e.pk for e in emails])
    assert retry == [e.pk for e in emails]
    assert [OutboundEmail.objects.get(pk=e.pk).attempts for e in emails] == [1, 0, 0]
    assert statuses(emails) == ["queued"] * 3 and mail.outbox == []


def test_a_worker_killed_mid_batch_leaves_only_the_row_in_flight_unknown(server):
    emails = queued(5)
    server.die_at = emails[2].to_email
    with pytest.raises(WorkerKilled):
        delivery.emails_deliver(email_ids=[e.pk for e in emails])
    # Rows before it are sent, the one in flight is "sending", the rest still queued.
    assert statuses(emails) == ["sent", "sent", "sending", "queued", "queued"]
    server.die_at = ""
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        assert delivery.emails_sweep() == 2  # the rest of the batch is published again
    assert statuses(emails) == ["sent", "sent", "failed", "sent", "sent"]
    unknown = OutboundEmail.objects.get(pk=emails[2].pk)
    assert unknown.delivery_unknown  # reported to staff, never resent
    assert sorted(received()) == sorted(e.to_email for i, e in enumerate(emails) if i != 2)


def test_a_row_whose_address_was_suppressed_after_queueing_is_not_sent(server):
    emails = queued(3)
    RecipientAddress.objects.create(
        address=emails[1].to_email, suppressed_at=timezone.now(), reason="complained"
    )
    delivery.emails_deliver(email_ids=[e.pk for e in emails])
    assert statuses(emails) == ["sent", "suppressed", "sent"]
    assert OutboundEmail.objects.get(pk=emails[1].pk).body_text == ""
    assert emails[1].to_email not in received()


def test_a_fan_out_is_published_as_one_task_per_hundred_emails(
    django_capture_on_commit_callbacks, server
):
    with (
        mock.patch.object(send_email_batch, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        emails = services.emails_queue_many(
            [
                services.email_build(
                    to=f"p{i}@example.org", kind="t", language="en", subject="S", body_text="B"
                )
                for i in range(services.SEND_BATCH + 1)
            ]
        )
    assert [len(c.args[0]) for c in delay.call_args_list] == [services.SEND_BATCH, 1]
    published = [pk for call in delay.call_args_list for pk in call.args[0]]
    assert sorted(published) == [e.pk for e in emails]


def delivery_queries(n: int, start: int) -> int:
    emails = queued(n, start=start)
    with CaptureQueriesContext(connection) as queries:
        delivery.emails_deliver(email_ids=[e.pk for e in emails])
    assert statuses(emails) == ["sent"] * n
    return len(queries)


def test_delivery_costs_a_fixed_number_of_queries_per_message(server):
    delivery_queries(1, 100)  # the claim's SQL is compiled once per connection
    two, six, ten = delivery_queries(2, 0), delivery_queries(6, 10), delivery_queries(10, 20)
    per_message = (six - two) // 4
    assert ten - six == six - two == 4 * per_message  # reading the batch costs the same
    # The claim (one UPDATE, its own transaction: no savepoint around it) and the outcome
    # (one UPDATE).
    assert per_message == 2


# --- Render once: the same bodies as one by one ----------------------------------------


@pytest.fixture
def audience(scheduled):
    """Participants in three languages and several zones, with a guest."""
    people = [
        factories.make_user(preferred_language=language, time_zone=zone)
        for language, zone in [
            ("en", "UTC"),
            ("fr", "Europe/Paris"),
            ("fr", "Europe/Paris"),
            ("es", "America/Bogota"),
            ("en", "UTC"),
            ("es", "America/Bogota"),
        ]
    ]
    for person in people:
        Participant.objects.create(session=scheduled, email=person.email, user=person)
    Participant.objects.create(session=scheduled, email="guest@example.org", language="fr")
    return scheduled


def one_by_one(email: OutboundEmail, participant: Participant, **kwargs):
    alone = session_email(participant, renderer=SharedRender(), **kwargs)
    return (alone.subject, alone.body_text, alone.body_html)


@time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_invitations_rendered_once_are_the_ones_rendered_one_by_one(audience):
    with mock.patch.object(rendering, "email_render", wraps=rendering.email_render) as render:
        assert session_invitations_send(session_id=audience.pk) == 7
    # Four languages-and-zones plus the guest (no account: other text): one render each,
    # and the ordinary render it is checked against once.
    assert render.call_count == 2 * 4
    rows = OutboundEmail.objects.filter(kind="session_invitation")
    assert rows.count() == 7
    for row in rows:
        participant = Participant.objects.select_related("session", "user").get(
            session=audience, email=row.to_email
        )
        assert (row.subject, row.body_text, row.body_html) == one_by_one(
            row,
            participant,
            kind="session_invitation",
            template="alliance/email/session_invitation",
            ics=True,
            rsvp_links=True,
        )
    # Each person's own answer links, not someone else's.
    links = {row.to_email: row.body_text.split("/answer/")[1].split("/")[0] for row in rows}
    assert len(set(links.values())) == 7


def test_reminders_rendered_once_are_the_ones_rendered_one_by_one(audience):
    audience_participants = Participant.objects.filter(session=audience)
    audience_participants.update(rsvp=Participant.Rsvp.ACCEPTED)
    reminders_reschedule(audience)
    Reminder.objects.filter(kind="1d").update(due_at=timezone.now())
    with mock.patch.object(rendering, "email_render", wraps=rendering.email_render) as render:
        assert reminders_dispatch() == 7
    assert render.call_count == 2 * 4
    rows = OutboundEmail.objects.filter(kind="session_reminder_1d")
    assert rows.count() == 7
    for row in rows:
        participant = Participant.objects.select_related("session", "user").get(
            session=audience, email=row.to_email
        )
        assert (row.subject, row.body_text, row.body_html) == one_by_one(
            row,
            participant,
            kind="session_reminder_1d",
            template="alliance/email/session_reminder",
        )


def test_a_slot_value_html_would_escape_is_rendered_the_ordinary_way(scheduled):
    renderer = SharedRender()
    context = {"session": scheduled, "has_account": True, "url": "/s/1/"}

    def render(link):
        return renderer.render(
            template="alliance/email/session_invitation",
            context=context,
            slots={"links": dict.fromkeys(("accepted", "tentative", "declined"), link)},
            language="en",
            time_zone="UTC",
        )

    render("/rsvp/first/")
    risky = render("/rsvp/a&b/")
    assert "/rsvp/a&amp;b/" in risky.body_html and "/rsvp/a&b/" in risky.body_text
    assert render("/rsvp/second/").body_text.count("/rsvp/second/") == 3
    assert renderer.reused == 1


def test_a_session_edited_between_batches_is_rendered_afresh(scheduled):
    renderer = SharedRender()
    person = factories.make_user()
    participant = Participant.objects.create(session=scheduled, email=person.email, user=person)
    kwargs = {"kind": "k", "template": "alliance/email/session_reminder", "renderer": renderer}
    before = session_email(participant, **kwargs)
    scheduled.title = "Renamed session"
    after = session_email(participant, **kwargs)
    assert "Renamed session" in after.subject and "Renamed" not in before.subject


def test_writing_a_batch_of_reminders_costs_the_same_queries_for_few_or_many(
    make_session, django_capture_on_commit_callbacks
):
    def due_reminders(n):
        session = make_session()
        for _ in range(n):
            person = factories.make_user()
            Participant.objects.create(
                session=session, email=person.email, user=person, rsvp="accepted"
            )
        reminders_reschedule(session)
        Reminder.objects.filter(participant__session=session, kind="1d").update(
            due_at=timezone.now()
        )
        with CaptureQueriesContext(connection) as queries:
            assert reminders_dispatch() == n
        return len(queries)

    assert due_reminders(2) == due_reminders(8)
