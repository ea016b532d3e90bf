"""Over SMTP a row is marked sent around SMTP's final dot (issue 13): a worker killed
while sending loses no e-mail and doubles none.

Against a real SMTP server on 127.0.0.1 (aiosmtpd, in this process), which accepts a
message only once it has read the final ``<CRLF>.<CRLF>``, as every SMTP server does.
"""

import datetime
import smtplib
import socket
import threading
from contextlib import contextmanager
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.mail import get_connection
from django.db import connection
from django.utils import timezone

from gdpa.notify import delivery, services
from gdpa.notify.models import OutboundEmail
from gdpa.notify.providers import DJANGO_SMTP_BACKEND, SMTP_BACKEND, smtp_settings
from gdpa.notify.smtp import FINAL_DOT
from gdpa.notify.tasks import send_email_batch
from tests import factories
from tests.gdpa.test_kernel_defaults import PRODUCTION_ENV, run_python

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for the worker process dying (nothing catches it, as nothing runs after a
    SIGKILL; the backend's socket is closed, as the kernel closes a dead process's)."""


class Sink:
    """An SMTP server on 127.0.0.1 recording the messages it accepts. It can refuse a
    recipient (``unknown``), refuse a recipient's message at its final dot (``refuse``:
    address -> reply), or hang up there without a reply and without accepting it
    (``hang_up``)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.accepted: list[tuple[str, bytes]] = []
        self.arrived = threading.Condition()
        self.refuse: dict[str, str] = {}
        self.hang_up: set[str] = set()
        self.unknown: set[str] = set()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        (recipient,) = envelope.rcpt_tos
        if recipient in self.hang_up:
            server.transport.close()
            return "250 never sent: the connection is closed"
        if recipient in self.refuse:
            return self.refuse[recipient]
        with self.arrived:
            self.accepted.append((recipient, envelope.content))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def count(self, address: str) -> int:
        return sum(1 for recipient, _content in self.accepted if recipient == address)

    def wait_for(self, address: str) -> None:
        """Until a message to ``address`` arrives: one whose final dot was written before
        the client hung up, without waiting for the reply (fails after 30 s)."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: self.count(address), timeout=30), address


@pytest.fixture
def sink(settings):
    """The sink, and the portal's SMTP backend pointed at it."""
    server = Sink()
    server.controller.start()
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    yield server
    server.controller.stop()


@pytest.fixture
def wire():
    """Every chunk of bytes written to an SMTP server, in order."""
    written: list[bytes] = []
    send = smtplib.SMTP.send

    def recording(smtp, data):
        written.append(data if isinstance(data, bytes) else data.encode("ascii"))
        return send(smtp, data)

    with mock.patch.object(smtplib.SMTP, "send", recording):
        yield written


def queued(n: int, *, body: str = "Body") -> list[OutboundEmail]:
    return [
        factories.make_queued_email(
            to=f"person{i}@example.org",
            subject=f"Hello {i}",
            body_text=body,
            body_html=f"<p>{body}</p>",
        )
        for i in range(n)
    ]


def ids(emails) -> list[int]:
    return [e.pk for e in emails]


def rows(emails) -> list[OutboundEmail]:
    return [OutboundEmail.objects.get(pk=e.pk) for e in emails]


def statuses(emails) -> list[str]:
    return [row.status for row in rows(emails)]


def since_data(wire) -> bytes:
    """What was written to the server after the last DATA command."""
    written = b"".join(wire)
    return written[written.rindex(b"data\r\n") + len(b"data\r\n") :]


def die_at_final_dot(victim: OutboundEmail, wire, *, when: str = "before the dot"):
    """The worker dies at ``victim``'s final dot: "before the dot" (the row marked, not
    committed, the dot not written), "between the dot and the commit", or "after the
    commit" (waiting for the server's reply). Checks the message was written whole
    before the final dot."""
    marked_sent = delivery._marked_sent_at_final_dot

    @contextmanager
    def dying(email):
        if email.pk != victim.pk:
            with marked_sent(email):
                yield
            return
        data = since_data(wire)
        assert f"Subject: {victim.subject}".encode() in data
        assert data.endswith(b"\r\n") and not data.endswith(b"\r\n.\r\n")
        with marked_sent(email):
            if when == "before the dot":
                raise WorkerKilled
            yield
            assert since_data(wire).endswith(b"\r\n.\r\n")
            if when == "between the dot and the commit":
                raise WorkerKilled
        raise WorkerKilled

    return mock.patch.object(delivery, "_marked_sent_at_final_dot", dying)


def later(delta: datetime.timedelta):
    return time_machine.travel(timezone.now() + delta)


# --- The order on the wire ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_row_is_marked_before_the_final_dot_and_committed_just_after(sink, wire):
    [email] = queued(1, body="First line\n.a line that starts with a dot\n.\nlast line")
    at_the_dot = []
    send = smtplib.SMTP.send

    def watching(smtp, data):
        if data == FINAL_DOT:
            row = OutboundEmail.objects.get(pk=email.pk)
            # Marked (bodies gone) in a transaction still open: not committed yet.
            at_the_dot.append((row.status, row.body_text, connection.in_atomic_block))
            # Everything of the message is already written (dots doubled), the end not.
            assert b"\r\n..a line that starts with a dot\r\n..\r\n" in since_data(wire)
        return send(smtp, data)

    with mock.patch.object(smtplib.SMTP, "send", watching):
        assert delivery.emails_deliver(email_ids=[email.pk]) == []
    assert at_the_dot == [("sent", "", True)]
    assert not connection.in_atomic_block  # committed
    [(recipient, content)] = sink.accepted
    assert recipient == email.to_email
    # The server read the dots back: the message arrived as written.
    assert b"\r\n.a line that starts with a dot\r\n.\r\nlast line" in content
    row = OutboundEmail.objects.get(pk=email.pk)
    assert row.status == "sent" and row.marked_before_final_dot and row.attempts == 1
    assert row.body_text == "" and row.bodies_cleared_at == row.sent_at


def test_the_final_dot_leaves_at_once_not_after_the_servers_delayed_ack(sink):
    # Nagle's algorithm would hold the dot (a small write after the message) until the
    # server acknowledged the message: up to 40 ms per e-mail (docs/benchmarks.md).
    backend = get_connection()
    backend.open()
    try:
        assert backend.connection.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        backend.close()


def test_mail_without_a_row_goes_through_djangos_own_smtp_path(sink):
    assert mail.send_mail("Plain", "Body", "portal@example.org", ["admin@example.org"]) == 1
    assert sink.count("admin@example.org") == 1


# --- Killed before the final dot: never accepted, sent again once -------------------


def test_a_worker_killed_before_the_final_dot_leaves_the_row_sending_and_it_is_sent_once(
    sink, wire
):
    emails = queued(3)
    with die_at_final_dot(emails[1], wire), pytest.raises(WorkerKilled):
        delivery.emails_deliver(email_ids=ids(emails))
    assert statuses(emails) == ["sent", "sending", "queued"]
    assert [recipient for recipient, _ in sink.accepted] == [emails[0].to_email]

    # A live send is never raced: before STALE_SENDING_AFTER the row is left alone.
    with later(services.STALE_SENDING_AFTER - datetime.timedelta(minutes=1)):
        assert delivery.emails_sweep() == 0
    assert statuses(emails) == ["sent", "sending", "queued"]

    with later(services.STALE_SENDING_AFTER + datetime.timedelta(minutes=1)):
        assert delivery.emails_sweep() == 2  # the interrupted row and the one after it
    assert statuses(emails) == ["sent"] * 3
    assert [sink.count(e.to_email) for e in emails] == [1, 1, 1]
    assert [row.attempts for row in rows(emails)] == [1, 2, 1]  # the interrupted one counts


def test_a_redelivered_batch_sends_a_row_left_sending_once_the_claim_is_stale(sink, wire):
    emails = queued(2)
    with die_at_final_dot(emails[0], wire), pytest.raises(WorkerKilled):
        delivery.emails_deliver(email_ids=ids(emails))
    send_email_batch.run(ids(emails))  # redelivered at once: the claim may still be live
    assert statuses(emails) == ["sending", "sent"]
    assert sink.count(emails[0].to_email) == 0

    with later(services.STALE_SENDING_AFTER + datetime.timedelta(minutes=1)):
        send_email_batch.run(ids(emails))
        send_email_batch.run(ids(emails))
    assert statuses(emails) == ["sent", "sent"]
    assert [sink.count(e.to_email) for e in emails] == [1, 1]


def test_an_interrupted_row_that_has_had_every_attempt_fails_and_can_be_resent(sink, wire):
    [email] = queued(1)
    OutboundEmail.objects.filter(pk=email.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    with die_at_final_dot(email, wire), pytest.raises(WorkerKilled):
        delivery.emails_deliver(email_ids=[email.pk])
    with later(services.STALE_SENDING_AFTER + datetime.timedelta(minutes=1)):
        assert delivery.emails_sweep() == 0
    row = OutboundEmail.objects.get(pk=email.pk)
    assert row.status == "failed" and row.last_error == services.SEND_INTERRUPTED
    assert row.can_resend and not row.delivery_unknown
    assert sink.accepted == []


def test_a_slow_worker_whose_claim_was_given_up_never_writes_its_final_dot(sink, wire):
    emails = queued(2)
    marked_sent = delivery._marked_sent_at_final_dot

    @contextmanager
    def slow(email):
        # Meanwhile the sweep gave the row up as interrupted (the worker was too slow).
        with later(services.STALE_SENDING_AFTER + datetime.timedelta(minutes=1)):
            delivery._requeue_interrupted(OutboundEmail.objects.all(), now=timezone.now())
        with marked_sent(email):
            yield

    with mock.patch.object(delivery, "_marked_sent_at_final_dot", slow):
        retry = delivery.emails_deliver(email_ids=ids(emails))
    assert retry == [emails[1].pk]  # the batch stopped; the row taken over is not ours
    assert statuses(emails) == ["queued", "queued"]
    assert sink.accepted == []
    delivery.emails_deliver(email_ids=ids(emails))
    assert [sink.count(e.to_email) for e in emails] == [1, 1]


# --- The server answers the final dot with an error, or not at all -------------------


@pytest.mark.parametrize("reply", ["451 4.3.0 Try again later", "554 5.7.1 Message rejected"])
def test_a_message_refused_at_its_final_dot_goes_back_to_queued_with_its_bodies(sink, reply):
    emails = queued(2)
    sink.refuse = {emails[0].to_email: reply}
    assert delivery.emails_deliver(email_ids=ids(emails)) == [emails[0].pk]
    refused, sent = rows(emails)
    assert (refused.status, sent.status) == ("queued", "sent")
    assert reply.split()[0] in refused.last_error and reply.split()[-1] in refused.last_error
    assert refused.body_text == "Body" and refused.body_html == "<p>Body</p>"
    assert refused.sent_at is None and refused.bodies_cleared_at is None
    assert sink.count(emails[0].to_email) == 0

    sink.refuse = {}
    assert delivery.emails_deliver(email_ids=[emails[0].pk]) == []
    assert statuses(emails) == ["sent", "sent"]
    assert [sink.count(e.to_email) for e in emails] == [1, 1]


def test_a_message_refused_at_its_final_dot_on_the_last_attempt_fails_resendable(sink):
    [email] = queued(1)
    OutboundEmail.objects.filter(pk=email.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    sink.refuse = {email.to_email: "554 5.7.1 Message rejected"}
    assert delivery.emails_deliver(email_ids=[email.pk]) == []
    row = OutboundEmail.objects.get(pk=email.pk)
    assert row.status == "failed" and "Message rejected" in row.last_error
    assert row.can_resend and row.body_text == "Body"


def test_a_connection_dropped_before_the_reply_to_the_final_dot_puts_the_row_back(sink):
    emails = queued(3)
    sink.hang_up = {emails[1].to_email}
    retry = delivery.emails_deliver(email_ids=ids(emails))
    assert retry == [emails[1].pk, emails[2].pk]  # the server is gone: the batch stops
    assert statuses(emails) == ["sent", "queued", "queued"]
    dropped = OutboundEmail.objects.get(pk=emails[1].pk)
    assert "closed" in dropped.last_error.lower() and dropped.body_text == "Body"
    sink.hang_up = set()
    delivery.emails_deliver(email_ids=retry)
    assert [sink.count(e.to_email) for e in emails] == [1, 1, 1]


def test_a_recipient_refused_before_the_message_is_retried_and_the_batch_goes_on(sink):
    emails = queued(3)
    sink.unknown = {emails[1].to_email}
    assert delivery.emails_deliver(email_ids=ids(emails)) == [emails[1].pk]
    assert statuses(emails) == ["sent", "queued", "sent"]
    refused = OutboundEmail.objects.get(pk=emails[1].pk)
    assert "No such user" in refused.last_error and refused.body_text == "Body"
    assert [sink.count(e.to_email) for e in emails] == [1, 0, 1]


# --- Marked sent: never sent again --------------------------------------------------


def test_a_row_marked_sent_is_never_sent_again_not_even_by_a_sweep_or_a_redelivery(sink, wire):
    emails = queued(2)
    # Killed while waiting for the server's reply: the dot was written, then committed.
    with die_at_final_dot(emails[1], wire, when="after the commit"), pytest.raises(WorkerKilled):
        delivery.emails_deliver(email_ids=ids(emails))
    assert statuses(emails) == ["sent", "sent"]
    sink.wait_for(emails[1].to_email)  # the server took it, though nobody read the reply
    for _ in range(2):
        with later(services.STALE_SENDING_AFTER + datetime.timedelta(hours=1)):
            delivery.emails_sweep()
            send_email_batch.run(ids(emails))
    assert statuses(emails) == ["sent", "sent"]
    assert [sink.count(e.to_email) for e in emails] == [1, 1]


def test_the_instant_left_open_is_between_the_final_dot_and_the_commit(sink, wire):
    """A kill there rolls the mark back after the server took the message: the row is
    *sending* and will be sent again (the one way left to receive it twice). Anywhere
    else, before or after, nothing is lost or doubled (the tests above)."""
    [email] = queued(1)
    with (
        die_at_final_dot(email, wire, when="between the dot and the commit"),
        pytest.raises(WorkerKilled),
    ):
        delivery.emails_deliver(email_ids=[email.pk])
    sink.wait_for(email.to_email)
    assert statuses([email]) == ["sending"]


# --- Other backends: at most once, as before ---------------------------------------


def test_with_another_backend_a_row_left_sending_is_reported_not_resent(settings, sink, wire):
    smtp_row, provider_row = queued(2)
    with die_at_final_dot(smtp_row, wire), pytest.raises(WorkerKilled):
        delivery.emails_deliver(email_ids=[smtp_row.pk])
    # A backend without a final dot (an HTTP provider's API): the worker dies in the send.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with (
        mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=WorkerKilled),
        pytest.raises(WorkerKilled),
    ):
        delivery.emails_deliver(email_ids=[provider_row.pk])
    assert statuses([smtp_row, provider_row]) == ["sending", "sending"]
    assert [r.marked_before_final_dot for r in rows([smtp_row, provider_row])] == [True, False]

    # The row says how it was being sent, whatever backend the sweep's process has.
    with later(services.STALE_SENDING_AFTER + datetime.timedelta(minutes=1)):
        delivery.emails_sweep()
    smtp_row, provider_row = rows([smtp_row, provider_row])
    assert smtp_row.status == "sent" and len(mail.outbox) == 1
    assert provider_row.status == "failed" and provider_row.delivery_unknown
    assert provider_row.can_resend  # staff decide, after the "may arrive twice" warning


# --- Configuration ------------------------------------------------------------------


def test_smtp_from_email_url_goes_through_the_final_dot_backend():
    assert smtp_settings({"EMAIL_BACKEND": DJANGO_SMTP_BACKEND})["EMAIL_BACKEND"] == SMTP_BACKEND
    console = "django.core.mail.backends.console.EmailBackend"
    assert smtp_settings({"EMAIL_BACKEND": console})["EMAIL_BACKEND"] == console
    result = run_python(
        "import gdpa.settings.production as s; print(s.EMAIL_BACKEND, s.EMAIL_TIMEOUT)",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [SMTP_BACKEND, "30"]


def test_a_claim_goes_stale_only_after_any_live_send_would_have_ended(settings):
    stale = services.STALE_SENDING_AFTER.total_seconds()
    assert stale > settings.CELERY_TASK_TIME_LIMIT  # the worker is killed by then
    # A server that stops answering fails the send well before the task's own limits.
    assert settings.EMAIL_TIMEOUT < settings.CELERY_TASK_SOFT_TIME_LIMIT / 4
