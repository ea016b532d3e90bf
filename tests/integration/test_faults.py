"""Background work under faults, with a real Redis and real Celery workers.

Each test starts its own ``redis-server`` on a free port (so it can stop it), an SMTP
sink in this process that counts every message per recipient, and ``celery -A gdpa
worker`` processes against the test database, with the harness of bench/faults.py
(bench/harness.py), which does the same at scale.
"""

import contextlib
import os
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from alliance import services as alliance_services
from alliance.models import Participant, RecommendationReport, Reminder
from bench.common import django_env
from bench.harness import REDIS_SERVER, RedisServer, Worker, start_sink, sweep_as_beat, wait_until
from gdpa.notify.models import OutboundEmail
from trainings import services as trainings_services
from trainings.models import Enrollment, Offering, TrainingProgramme

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


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


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
    redis, workers = RedisServer(), []
    redis.start()
    controller, sink, smtp_port = start_sink()
    env = {
        **os.environ,
        **django_env(
            _database_url(), REDIS_URL=redis.url, EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}"
        ),
    }

    def start_workers(**queues_by_name: str) -> list[Worker]:
        started = [
            Worker(name, env, tmp_path, queues=queues, heartbeat=False)
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
        controller.stop()
        redis.stop()


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
