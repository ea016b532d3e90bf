"""Benchmark: 10,000 session reminders, from the reminder run to the last message at the
mail server, through one real Celery worker (issue 13).

Everything runs for real on 127.0.0.1: PostgreSQL, Redis as the broker, one
``celery worker`` (prefork, concurrency 2) and an in-process SMTP sink (aiosmtpd) that
counts messages and recipients. Each round makes a new session with N accepted
participants (languages en/fr/es, five time zones) whose 1-hour reminders fall due, then
publishes ``alliance.tasks.dispatch_reminders`` as beat would: the worker writes the
reminders (``reminders_dispatch``) and sends them (``send_email_batch``). A round is timed
from that publish to the last message at the sink. The script exits non-zero unless, in
every round, every recipient got exactly one e-mail and every row is *sent*.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gdpa_bench_fanout \\
    REDIS_URL=redis://127.0.0.1:6379/6 \\
    .venv/bin/python -m bench.email_fanout --recipients 10000 --rounds 3

The database named in DATABASE_URL is created if missing and FLUSHED, and the Redis
database in REDIS_URL is FLUSHED: use dedicated ones (the name must contain "bench").
See bench/README.md for the options and docs/benchmarks.md for results.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from bench.common import log, machine, results_head, targets, write_results
from bench.harness import Worker, setup_with_sink
from bench.invite_and_remind import LANGUAGES, TICK, make_recipients, make_session, reset_state

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpa_bench_fanout"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/6"
REMINDER = "session_reminder_1h"


class CountingSink:
    """Counts messages and recipients; parses nothing, so it costs the cores little."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.messages = 0
            self.recipients: Counter = Counter()
            self.first = self.last = 0.0

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        with self.lock:
            self.messages += 1
            self.recipients.update(rcpt.lower() for rcpt in envelope.rcpt_tos)
            self.first = self.first or now
            self.last = now
        return "250 Message accepted for delivery"


def _ticks(pid: int | str, *, children: bool = False) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:  # exited since it was listed
        return 0
    fields = [int(v) for v in stat[stat.rindex(")") + 2 :].split()[11:15]]
    return sum(fields if children else fields[:2])


def own_cpu_sample(worker: Worker) -> dict:
    """CPU ticks used so far by this run's own processes only (other people load the same
    cores): the harness with its SMTP sink, the worker with its pool processes, and the
    PostgreSQL backends connected to the benchmark database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        backends = [pid for (pid,) in cursor.fetchall()]
    pool = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == worker.process.pid:
                pool.append(entry)
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    return {
        "time": time.time(),
        "ticks": {
            "harness (script + SMTP sink)": _ticks(os.getpid()),
            "celery worker and pool": _ticks(worker.process.pid, children=True)
            + sum(_ticks(pid) for pid in pool),
            "postgres (backends of this database)": sum(_ticks(pid) for pid in backends),
            "machine busy": sum(fields) - fields[3] - fields[4],
        },
    }


def own_cpu_report(before: dict, after: dict, messages: int) -> dict:
    wall = after["time"] - before["time"]
    used = {
        group: (after["ticks"][group] - before["ticks"][group]) / TICK for group in after["ticks"]
    }
    busy = used.pop("machine busy")
    ours = sum(used.values())
    return {
        "wall_seconds": round(wall, 1),
        **{group: round(seconds, 1) for group, seconds in used.items()},
        "everything else on the machine": round(busy - ours, 1),
        "machine busy %": round(100 * busy / (wall * (os.cpu_count() or 1)), 1),
        "our CPU ms per message": round(1000 * ours / messages, 2),
    }


def load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def make_round(staff, users, number: int):
    """A session starting in 2 hours with every user accepted and its 1-hour reminders
    due now (the harness moves the clock). Not timed."""
    from django.utils import timezone

    from alliance.models import Participant, Reminder
    from alliance.services.reminders import reminders_reschedule

    session = make_session(
        staff,
        title=f"Fan-out benchmark round {number}",
        description="Load test of session reminders.",
        join_url="https://meet.example.org/gdpa-fanout",
    )
    now = timezone.now()
    Participant.objects.bulk_create(
        [
            Participant(
                session=session,
                email=user.email,
                user=user,
                rsvp=Participant.Rsvp.ACCEPTED,
                responded_at=now,
                invitation_sent_at=now,
                notified_sequence=session.sequence,
            )
            for user in users
        ],
        batch_size=2000,
    )
    reminders_reschedule(session)
    due = Reminder.objects.filter(participant__session=session, kind="1h")
    moved = due.update(due_at=now - timedelta(seconds=1))
    if moved != len(users):
        raise RuntimeError(f"expected {len(users)} 1h reminders, got {moved}")
    return session


def rows_status(session) -> Counter:
    from django.db.models import Count

    from gdpa.notify.models import OutboundEmail

    rows = (
        OutboundEmail.objects.filter(kind=REMINDER, subject__contains=session.title)
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return Counter(dict(rows))


def run_round(
    *, staff, users, number: int, sink: CountingSink, worker: Worker, timeout: float
) -> dict:
    from alliance.tasks import dispatch_reminders

    n = len(users)
    session = make_round(staff, users, number)
    sink.reset()
    load_before = load()
    cpu_before = own_cpu_sample(worker)
    t0 = time.time()
    dispatch_reminders.delay()  # as beat does every minute
    last_check = 0.0
    while True:
        now = time.time()
        worker.check()
        if now - t0 > timeout:
            raise TimeoutError(f"round {number}: not delivered within {timeout:.0f} s")
        if sink.messages >= n or now - last_check >= 5:
            last_check = now
            status = rows_status(session)
            if sink.messages < n:
                log(f"  round {number}: at sink {sink.messages}/{n}, rows {dict(status)}")
            elif status.get("sent", 0) >= n:
                break
        time.sleep(0.1)
    t_rows = time.time()
    cpu = own_cpu_report(cpu_before, own_cpu_sample(worker), n)
    time.sleep(2)  # let a stray duplicate arrive before counting
    status = rows_status(session)
    wanted = {user.email.lower() for user in users}
    got = sink.recipients
    problems = []
    missing = wanted - set(got)
    duplicated = [rcpt for rcpt, count in got.items() if count > 1]
    strangers = set(got) - wanted
    if missing:
        problems.append(f"round {number}: {len(missing)} recipients got nothing")
    if duplicated:
        problems.append(f"round {number}: {len(duplicated)} recipients got several e-mails")
    if strangers:
        problems.append(f"round {number}: {len(strangers)} messages to strangers")
    if sink.messages != n:
        problems.append(f"round {number}: {sink.messages} messages at the sink for {n}")
    if status.get("sent", 0) != n or sum(status.values()) != n:
        problems.append(f"round {number}: rows {dict(status)}, expected {n} sent")
    return {
        "round": number,
        "load_average_before": load_before,
        "load_average_after": load(),
        "first_message_after": round(sink.first - t0, 2),
        "last_message_after": round(sink.last - t0, 2),
        "all_rows_sent_seen_after": round(t_rows - t0, 2),
        "messages_per_second": round(n / (sink.last - t0), 1),
        "cpu": cpu,
        "sink_messages": sink.messages,
        "rows": dict(status),
        "problems": problems,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3, help="measurements, one session each")
    parser.add_argument("--concurrency", type=int, default=2, help="the worker's pool size")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per round")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--settings", default="gdpa.settings.local", help="Django settings module (what-ifs)"
    )
    args = parser.parse_args()

    database_url, redis_url = targets(DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL)
    n = args.recipients
    results = results_head(
        machine=machine(with_platform=False),
        code=subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip(),
        recipients=n,
        concurrency=args.concurrency,
        settings=args.settings,
    )
    controller, sink, env = setup_with_sink(database_url, redis_url, args.settings, CountingSink())
    from django.contrib.auth import get_user_model

    from tests.factories import make_staff

    log_dir = Path(tempfile.mkdtemp(prefix="gdpa-fanout-"))
    worker: Worker | None = None
    problems: list = []
    try:
        t = time.time()
        reset_state(redis_url)
        staff = make_staff(with_mfa=False)
        make_recipients(n)
        users = list(get_user_model().objects.filter(email__startswith="bench-").order_by("pk"))
        log(f"migrated, flushed and made {len(users)} accounts in {time.time() - t:.1f} s")
        # One worker, prefork (Celery's default pool) with ``--concurrency`` processes.
        worker = Worker("worker1", env, log_dir, concurrency=args.concurrency)
        worker.wait_ready()
        log(f"worker (prefork, concurrency {args.concurrency}) ready; logs in {log_dir}")
        results["rounds"] = []
        for number in range(1, args.rounds + 1):
            log(f"round {number}: {n} reminders due; load average {load()}")
            outcome = run_round(
                staff=staff,
                users=users,
                number=number,
                sink=sink,
                worker=worker,
                timeout=args.timeout,
            )
            results["rounds"].append(outcome)
            problems += outcome.pop("problems")
            log(
                f"round {number}: last message after {outcome['last_message_after']} s "
                f"({outcome['messages_per_second']} messages/s), all rows sent seen after "
                f"{outcome['all_rows_sent_seen_after']} s; load {outcome['load_average_after']}"
            )
            log(f"round {number} CPU seconds: {json.dumps(outcome['cpu'])}")
    except Exception as exc:
        problems.append(f"{type(exc).__name__}: {exc}")
        raise
    finally:
        if worker is not None:
            worker.stop()
        controller.stop()
        results["languages"] = LANGUAGES
        write_results(results, problems, args.json, exactly_once=not problems)
    if problems:
        log(f"worker log: {log_dir}")
        return 1
    log("OK: in every round each recipient got exactly one reminder and every row is sent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
