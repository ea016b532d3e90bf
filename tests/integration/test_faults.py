"""Background work under faults, with a real Redis and real Celery workers.

Each test starts its own ``redis-server`` on a free port (so it can stop it), an SMTP
sink in this process that counts every message per recipient, and ``celery -A gdpa
worker`` processes against the test database. bench/faults.py does the same at scale.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from alliance import services as alliance_services
from alliance.models import Participant, RecommendationReport, Reminder
from alliance.services.sweeps import GRACE, session_mail_sweep
from gdpa.notify.delivery import emails_sweep
from gdpa.notify.models import OutboundEmail
from gdpa.notify.services import STALE_QUEUED_AFTER, STALE_SENDING_AFTER
from trainings import services as trainings_services
from trainings.models import Enrollment, Offering, TrainingProgramme

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")

pytestmark = [
    pytest.mark.integration,
    # Each test starts Celery workers (Django imported in each): allow a slow machine.
    pytest.mark.timeout(600),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not REDIS_SERVER and os.environ.get("GDPA_REQUIRE_SERVICES") != "1",
        reason="needs the redis-server binary (apt-get install redis-server)",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.05)


class Redis:
    """A redis-server of the test's own, without persistence (a stop loses the queues)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - the Debian binary, fixed arguments
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self.answers, 20, "redis-server start")

    def answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return True
        return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


class Sink:
    """An SMTP server on 127.0.0.1 that counts what it accepts per (recipient, subject)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.lock = threading.Lock()
        self.received: Counter = Counter()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser(policy=default_policy).parsebytes(envelope.content)
        subject = " ".join(str(headers["Subject"]).split())
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received[(rcpt.lower(), subject)] += 1
        return "250 Message accepted for delivery"

    def count_of(self, email: OutboundEmail) -> int:
        """How many times the message of this row arrived."""
        with self.lock:
            return self.received[(email.to_email.lower(), " ".join(email.subject.split()))]

    def count(self, address: str | None = None) -> int:
        with self.lock:
            return sum(n for (to, _), n in self.received.items() if address in (None, to))


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


class Worker:
    """``celery -A gdpa worker`` in its own process group (a SIGKILL takes its pool too).

    Its log goes to ``log``; a worker that does not answer in time says why."""

    def __init__(self, name: str, redis: Redis, sink: Sink, queues: str, log: Path) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "gdpa.settings.local",
            "DEBUG": "False",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": redis.url,
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "LOG_LEVEL": "WARNING",
        }
        self.name, self.log = f"{name}@{socket.gethostname()}", log
        with log.open("w") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
                [
                    *(sys.executable, "-m", "celery", "-A", "gdpa", "worker", "-Q", queues),
                    *("--concurrency", "2", "-n", self.name, "--without-heartbeat"),
                    *("--without-gossip", "--without-mingle", "--loglevel", "WARNING"),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> "Worker":
        from gdpa.celery import app

        try:
            wait_until(
                lambda: app.control.ping(destination=[self.name], timeout=1),
                150,
                f"worker {self.name} answering",
            )
        except AssertionError as error:
            raise AssertionError(f"{error}; its log:\n{self.log.read_text()[-3000:]}") from None
        return self

    def consume(self, queue: str) -> None:
        """Start consuming ``queue`` too (a stand-by worker taking over)."""
        from gdpa.celery import app

        assert app.control.add_consumer(queue, destination=[self.name], reply=True, timeout=10)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def broker(url: str):
    """Publish this process's tasks to ``url`` (pools set aside and restored after)."""
    from gdpa.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    pools = (app._pool, app.amqp._producer_pool)
    app._pool = app.amqp._producer_pool = None
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    try:
        yield app
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool, app.amqp._producer_pool = pools
        app.conf.broker_url, app.conf.task_always_eager = saved


@pytest.fixture
def services(tmp_path):
    """A private Redis (as the broker of this process), an SMTP sink, and the workers
    started through ``start_workers`` (together: each takes a while to import Django);
    everything is stopped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("workers need to share the test database: run on PostgreSQL")
    redis, sink, workers = Redis(), Sink(), []
    redis.start()
    sink.controller.start()

    def start_workers(**queues_by_name: str) -> list[Worker]:
        started = [
            Worker(name, redis, sink, queues, tmp_path / f"{name}.log")
            for name, queues in queues_by_name.items()
        ]
        workers.extend(started)
        return [worker.wait_ready() for worker in started]

    try:
        with broker(redis.url):
            yield redis, sink, start_workers
    finally:
        for worker in workers:
            worker.stop()
        sink.controller.stop()
        redis.stop()


def sweep_as_beat(after):
    """The periodic sweeps, their clock past every grace period counted from ``after``
    (rows younger than that are left alone, as the real beat would)."""
    emails_sweep(now=after + max(STALE_QUEUED_AFTER, STALE_SENDING_AFTER) + timedelta(seconds=1))
    session_mail_sweep(now=after + GRACE + timedelta(seconds=1))


def test_a_worker_killed_mid_batch_of_invitations_loses_and_doubles_nothing(
    services, staff, scheduled
):
    _redis, sink, start_workers = services
    # The second worker stands by on a queue nobody uses, and takes over after the kill.
    worker, standby = start_workers(first="default", second="standby")
    addresses = [f"invitee{i:03d}@example.org" for i in range(120)]
    alliance_services.session_invite(actor=staff, session=scheduled, emails=addresses)
    wait_until(lambda: sink.count() >= 20, 120, "the first invitations")
    worker.kill()
    killed_at = timezone.now()
    delivered_before_restart = sink.count()
    assert delivered_before_restart < len(addresses), "the kill came after the whole batch"

    standby.consume("default")
    rows = OutboundEmail.objects.filter(kind="session_invitation")

    def settled() -> bool:
        sweep_as_beat(killed_at)
        return rows.count() == len(addresses) and not rows.filter(
            status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING]
        )

    wait_until(settled, 180, "every invitation sent or accounted for")
    time.sleep(1)  # a stray duplicate would arrive now
    assert not Participant.objects.filter(session=scheduled, invitation_sent_at=None).exists()
    # One row per person.
    assert sorted(rows.values_list("to_email", flat=True)) == addresses
    # Every row is sent, the ones the kill caught mid-send too (at most one per process of
    # the killed pool): still *sending*, their mark at SMTP's final dot was not committed,
    # so the server had not accepted them and the sweep queued them again.
    assert not rows.exclude(status=OutboundEmail.Status.SENT).exists()
    # Every message arrived, and once. The one instant the contract leaves open: a kill
    # between writing a row's final dot and its COMMIT (microseconds per message) sends
    # that message twice, the second time as a retry.
    assert all(sink.count(a) >= 1 for a in addresses)
    doubled = [a for a in addresses if sink.count(a) > 1]
    assert len(doubled) <= 2, doubled
    assert all(rows.get(to_email=a).attempts == 2 for a in doubled), doubled


def test_while_the_broker_is_down_answers_are_recorded_and_sent_once_it_is_back(
    services, staff, scheduled, leader, member, client
):
    redis, sink, start_workers = services
    scheduled.participants.create(user=member, email=member.email)
    programme = trainings_services.programme_create(
        actor=staff,
        title="Diaspora investment",
        summary="Investing at home.",
        learning_objectives="Map the options.",
        audience=TrainingProgramme.Audience.DIASPORA,
        language="en",
        mode=TrainingProgramme.Mode.ONLINE,
        published=True,
    )
    now = timezone.now()
    offering = trainings_services.offering_create(
        actor=staff,
        programme=programme,
        title="Spring cohort",
        starts_on=(now + timedelta(days=30)).date(),
        ends_on=(now + timedelta(days=31)).date(),
        time_zone="UTC",
        join_url="https://meet.example.org/training",
        capacity=1,
        enrollment_opens_at=now - timedelta(days=1),
        enrollment_closes_at=now + timedelta(days=20),
        status=Offering.Status.OPEN,
    )
    trainings_services.enrollment_create(user=leader, offering=offering)

    redis.stop()
    client.force_login(member)
    rsvp = client.post(
        reverse("alliance:session_rsvp", args=[scheduled.pk]), {"answer": "accepted"}
    )
    enroll = client.post(reverse("trainings:enroll", args=[offering.pk]))
    # The leader's withdrawal gives the member the seat: an e-mail is owed to them.
    client.force_login(leader)
    withdraw = client.post(reverse("trainings:withdraw", args=[offering.pk]))

    assert [rsvp.status_code, enroll.status_code, withdraw.status_code] == [302, 302, 302]
    assert Participant.objects.get(session=scheduled, user=member).rsvp == "accepted"
    assert Reminder.objects.filter(participant__user=member, sent_at=None).exists()
    assert Enrollment.objects.get(offering=offering, user=member).status == "enrolled"
    [promoted] = OutboundEmail.objects.filter(to_email=member.email, kind="training_promoted")
    assert promoted.status == OutboundEmail.Status.QUEUED
    asked_at = timezone.now()

    redis.start()  # empty: the messages published before the outage are gone too
    start_workers(after_outage="default")
    for _ in range(2):  # the sweep twice over: still one e-mail
        sweep_as_beat(asked_at)
        wait_until(
            lambda: not OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT),
            120,
            "every e-mail queued in the outage sent",
        )
    time.sleep(1)
    promoted.refresh_from_db()
    assert sink.count_of(promoted) == 1
    # Every e-mail of the test went through this broker (the worker came after the
    # outage, which emptied Redis): each arrived exactly once.
    rows = Counter(a.lower() for a in OutboundEmail.objects.values_list("to_email", flat=True))
    assert {address: sink.count(address) for address in rows} == rows


def test_a_pdf_build_never_holds_up_e_mails(services, staff, leader, diaspora_org):
    """PDFs go to the heavy queue: with its worker busy (here: absent), e-mails still go."""
    _redis, sink, start_workers = services
    start_workers(mail_only="default")
    report = alliance_services.reports.report_request(
        actor=staff, title="Progress report", language="en"
    )
    alliance_services.invitation_create(
        actor=leader,
        organization=diaspora_org,
        email="invitee@example.org",
        role="member",
    )
    wait_until(lambda: sink.count("invitee@example.org") == 1, 120, "the invitation e-mail")
    report.refresh_from_db()
    assert report.status == RecommendationReport.Status.QUEUED
