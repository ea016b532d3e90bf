"""Fault experiments: kill, stop and restart what background work depends on, then count.

Each fault starts what it needs on 127.0.0.1 (a private Redis on port 6391, a private
PostgreSQL cluster on port 5441, real ``celery -A gdpa worker`` processes, gunicorn, and an
SMTP sink that counts every message per recipient and kind), injects the fault, restores
the service, waits (bounded) and prints a verdict: expected / delivered / lost / doubled.

    .venv/bin/python -m bench.faults worker-kill   [--recipients 5000]
    .venv/bin/python -m bench.faults redis-down    [--people 60] [--outage 20]
    .venv/bin/python -m bench.faults postgres-restart [--outage 5]
    .venv/bin/python -m bench.faults all

Nothing shared is touched: the PostgreSQL cluster ``15/faults`` (created if missing, with
trust authentication on 127.0.0.1) and the Redis on 6391 are this script's own, and it
FLUSHES both. It stops what it started. See bench/README.md and docs/benchmarks.md.
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from bench import common, harness
from bench.common import create_database, free_port, log, setup_django
from bench.harness import RedisServer, Worker, start_sink

REDIS_PORT = 6391
PG_PORT = 5441
CLUSTER = "faults"
DATABASE_NAME = "gdpa_bench_faults"
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
INVITATION = "session_invitation"
#: Seconds between two runs of the sweeps after a kill (beat: 60 s to 10 minutes).
SWEEP_EVERY = 60
REMINDER = "session_reminder_1h"


# Private services ------------------------------------------------------------------------


def _run(*command: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=check, capture_output=True, text=True)  # noqa: S603


class PrivateCluster:
    """A PostgreSQL cluster of this script's own (``pg_createcluster``), on port 5441."""

    def __init__(self, name: str = CLUSTER, port: int = PG_PORT) -> None:
        versions = sorted(
            os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".")]
        )
        self.version, self.name, self.port = versions[-1], name, port
        self.url = f"postgres://postgres@127.0.0.1:{port}/{DATABASE_NAME}"
        self.started_here = False

    def ready(self) -> bool:
        return (
            _run(
                "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), check=False
            ).returncode
            == 0
        )

    def _ctl(self, action: str, *extra: str) -> None:
        _run("pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action, *extra)

    def ensure(self) -> None:
        if not Path(f"/etc/postgresql/{self.version}/{self.name}").exists():
            log(f"creating PostgreSQL cluster {self.version}/{self.name} on port {self.port}")
            _run(
                "pg_createcluster",
                self.version,
                self.name,
                "--port",
                str(self.port),
                "--",
                "--auth-local=trust",
                "--auth-host=trust",
            )
        if not self.ready():
            self.start()
            self.started_here = True

    def start(self) -> None:
        self._ctl("start")
        deadline = time.monotonic() + 60
        while not self.ready():
            if time.monotonic() > deadline:
                sys.exit("the private PostgreSQL cluster did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")


# gunicorn ---------------------------------------------------------------------------------


def start_gunicorn(port: int, log_dir: Path, workers: int = 3) -> subprocess.Popen:
    """gunicorn as ``bench.common.start_gunicorn`` runs it, static files collected first
    (they are served with DEBUG off)."""
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    return common.start_gunicorn(port, log_dir, workers=workers)


def gunicorn_worker_pids(master: subprocess.Popen) -> set[int]:
    out = _run("ps", "-o", "pid=", "--ppid", str(master.pid), check=False).stdout
    return {int(pid) for pid in out.split()}


def stop_process(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


# A browser of one signed-in person --------------------------------------------------------


class Browser:
    """One person's cookies over http.client; every request is bounded by ``timeout``."""

    def __init__(self, port: int, session_cookie: str, timeout: float = 30) -> None:
        self.port, self.timeout = port, timeout
        self.cookies = {"sessionid": session_cookie}

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, bytes, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
            headers["X-CSRFToken"] = data.get("csrfmiddlewaretoken", "")
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        except OSError:
            return 0, b"", time.monotonic() - started  # refused, reset or timed out
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content, time.monotonic() - started

    def post_form(self, page: str, action: str, data: dict) -> tuple[int, float]:
        """Load ``page`` for its CSRF token, then POST ``data`` to ``action``; the status and
        time of the POST (or of the page, when it did not answer with a form)."""
        status, body, took = self.request("GET", page)
        match = TOKEN.search(body)
        if status != 200 or not match:
            return status, took
        status, _, took = self.request(
            "POST", action, {"csrfmiddlewaretoken": match.group(1).decode(), **data}
        )
        return status, took


def sign_in(user, *, second_factor: bool = False) -> str:
    """A session cookie for ``user``, as after a real sign-in."""
    from django.test import Client

    from tests.conftest import record_sign_in

    client = Client()
    client.force_login(user)
    record_sign_in(client, user, second_factor=second_factor)
    return client.cookies["sessionid"].value


# Data --------------------------------------------------------------------------------------


def reset_database(redis: RedisServer) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    redis.flush()


def scheduled_session(staff, *, hours_ahead: float = 2):
    from django.utils import timezone

    from bench.invite_and_remind import make_session

    session = make_session(staff)
    if hours_ahead != 2:
        start = timezone.now() + timedelta(hours=hours_ahead)
        session.starts_at, session.ends_at = start, start + timedelta(hours=2)
        session.save(update_fields=["starts_at", "ends_at"])
    return session


# Counting e-mails --------------------------------------------------------------------------


def mail_verdict(sink, kinds: list[str], expected: dict[str, set[str]]) -> dict:
    """Per kind: recipients expected, delivered exactly once, lost, doubled; and the rows.

    A message at the sink is matched to its row by (recipient, subject), so the kind is
    known whatever language rendered the subject."""
    from django.db.models import Count

    from gdpa.notify.models import OutboundEmail
    from gdpa.notify.services import DELIVERY_UNKNOWN, SEND_INTERRUPTED

    rows = OutboundEmail.objects.filter(kind__in=kinds)
    kind_of = {
        (to.lower(), " ".join(subject.split())): kind
        for to, subject, kind in rows.values_list("to_email", "subject", "kind")
    }
    at_sink: Counter = Counter()
    for _t, rcpt, subject, _lang, _ics in sink.snapshot():
        kind = kind_of.get((rcpt, subject))
        if kind:
            at_sink[(rcpt, kind)] += 1
    verdict = {}
    for kind in kinds:
        wanted = expected[kind]
        counts = [at_sink[(address, kind)] for address in wanted]
        unknown = rows.filter(kind=kind, status="failed", last_error=DELIVERY_UNKNOWN)
        unknown_addresses = {a.lower() for a in unknown.values_list("to_email", flat=True)}
        lost = [a for a, n in zip(wanted, counts, strict=True) if n == 0]
        verdict[kind] = {
            "expected": len(wanted),
            "delivered": sum(1 for n in counts if n == 1),
            "lost": sum(1 for n in counts if n == 0),
            "doubled": sum(1 for n in counts if n > 1),
            "rows": dict(
                rows.filter(kind=kind).values_list("status").annotate(n=Count("pk")).order_by()
            ),
            "rows_per_recipient_above_one": rows.filter(kind=kind)
            .values("to_email")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .count(),
            "delivery_unknown_rows": len(unknown_addresses),
            "delivery_unknown_but_delivered": sum(
                1 for a in unknown_addresses if at_sink[(a, kind)]
            ),
            # Rows a kill left *sending* (their mark at SMTP's final dot not committed),
            # queued again by the sweep (attempts counts each claim); and lost messages
            # whose row says *sent* (the dot is written before that commit: none expected).
            "sent_again_after_interruption": rows.filter(kind=kind, attempts__gt=1).count(),
            "interrupted_and_failed": rows.filter(
                kind=kind, status="failed", last_error=SEND_INTERRUPTED
            ).count(),
            "lost_but_marked_sent": rows.filter(
                kind=kind, status="sent", to_email__in=lost
            ).count(),
        }
    return verdict


def settled(kinds: list[str], expected: dict[str, set[str]]) -> bool:
    from gdpa.notify.models import OutboundEmail

    rows = OutboundEmail.objects.filter(kind__in=kinds)
    return not rows.filter(status__in=["queued", "sending"]).exists() and all(
        rows.filter(kind=kind).count() >= len(expected[kind]) for kind in kinds
    )


def broker_backlog(redis: RedisServer) -> dict:
    import redis as redis_py

    client = redis_py.Redis.from_url(redis.url)
    return {
        "default": client.llen("default"),
        "heavy": client.llen("heavy"),
        "unacked": client.hlen("unacked"),
    }


# Fault: a worker killed mid-batch ----------------------------------------------------------


def sweep_as_beat(killed_at: datetime) -> None:
    """The periodic e-mail sweeps as beat runs them once their grace periods have passed
    since the kill (``harness.sweep_as_beat``), and the reminder dispatch it publishes."""
    from alliance.tasks import dispatch_reminders
    from gdpa.notify.dispatch import publish

    harness.sweep_as_beat(killed_at)
    publish(dispatch_reminders)


def kill_and_recover(
    *,
    env: dict,
    log_dir: Path,
    redis: RedisServer,
    sink,
    worker: Worker,
    progress,
    kill_at: int,
    kinds: list[str],
    expected: dict[str, set[str]],
    timeout: float,
    generation: int,
) -> tuple[Worker, dict]:
    """Wait until ``progress()`` reaches ``kill_at``, SIGKILL the worker, start another,
    let the sweeps run as beat would, and wait until the e-mails are settled."""
    from django.utils import timezone

    from gdpa.notify.models import OutboundEmail

    deadline = time.monotonic() + timeout
    while progress() < kill_at:
        if time.monotonic() > deadline:
            raise TimeoutError(f"progress stayed at {progress()} < {kill_at}")
        if worker.process.poll() is not None:
            raise RuntimeError(f"worker died by itself; see {worker.log_path}")
        time.sleep(0.05)
    worker.kill()
    killed_at = timezone.now()
    at_kill = {
        "progress": progress(),
        "rows": dict(Counter(OutboundEmail.objects.values_list("status", flat=True))),
        "sink": len(sink.snapshot()),
        "broker": broker_backlog(redis),
    }
    log(f"SIGKILL at {json.dumps(at_kill)}")
    t0 = time.monotonic()
    worker = Worker(f"faults{generation}", env, log_dir)
    worker.wait_ready()
    restarted_after = time.monotonic() - t0
    rounds = 0
    last_sweep = 0.0
    while time.monotonic() < deadline:
        # As beat, though more often: each sweep publishes every queued row again (the
        # claims make the copies harmless, but the worker works through each of them).
        if time.monotonic() - last_sweep >= SWEEP_EVERY:
            sweep_as_beat(killed_at)
            rounds += 1
            last_sweep = time.monotonic()
        time.sleep(2)
        if settled(kinds, expected):
            time.sleep(3)  # let a stray duplicate arrive before counting
            break
    return worker, {
        "at_kill": at_kill,
        "worker_restarted_after_s": round(restarted_after, 1),
        "settled_after_s": round(time.monotonic() - t0, 1),
        "sweep_rounds": rounds,
    }


def fault_worker_kill(args, stack) -> dict:
    """SIGKILL mid 5,000 invitations, then SIGKILL mid reminder dispatch."""
    from django.db import transaction
    from django.utils import timezone

    from alliance import services
    from alliance.models import Participant, Reminder
    from alliance.services.reminders import reminders_reschedule
    from alliance.tasks import dispatch_reminders
    from bench.invite_and_remind import make_recipients
    from gdpa.notify.dispatch import publish
    from tests.factories import make_staff

    n = args.recipients
    reset_database(stack.redis)
    staff = make_staff(with_mfa=False)
    emails = list(make_recipients(n))
    session = scheduled_session(staff)
    worker = Worker("faults1", stack.env, stack.log_dir)
    worker.wait_ready()
    stack.workers.append(worker)
    result: dict = {"recipients": n}
    try:
        log(f"inviting {n}; the worker is killed once {int(n * args.kill_at)} are at the sink")
        services.session_invite(actor=staff, session=session, emails=emails)
        expected = {INVITATION: set(emails)}
        worker, recovery = kill_and_recover(
            env=stack.env,
            log_dir=stack.log_dir,
            redis=stack.redis,
            sink=stack.sink,
            worker=worker,
            progress=lambda: len(stack.sink.snapshot()),
            kill_at=int(n * args.kill_at),
            kinds=[INVITATION],
            expected=expected,
            timeout=args.timeout,
            generation=2,
        )
        stack.workers.append(worker)
        result["invitations"] = {
            **recovery,
            **mail_verdict(stack.sink, [INVITATION], expected)[INVITATION],
        }
        log(f"invitations: {json.dumps(result['invitations'])}")

        # Reminders: everyone accepts; the 1-hour reminders fall due now.
        with transaction.atomic():
            Participant.objects.filter(session=session).update(
                rsvp=Participant.Rsvp.ACCEPTED, responded_at=timezone.now()
            )
            reminders_reschedule(session)
        Reminder.objects.filter(kind="1h").update(due_at=timezone.now() - timedelta(seconds=1))
        sent = Reminder.objects.filter(kind="1h", sent_at__isnull=False)
        log(
            f"reminder dispatch of {n}; the worker is killed once {int(n * args.kill_at)} are claimed"
        )
        publish(dispatch_reminders)
        expected = {REMINDER: set(emails)}
        worker, recovery = kill_and_recover(
            env=stack.env,
            log_dir=stack.log_dir,
            redis=stack.redis,
            sink=stack.sink,
            worker=worker,
            progress=sent.count,
            kill_at=int(n * args.kill_at),
            kinds=[REMINDER],
            expected=expected,
            timeout=args.timeout,
            generation=3,
        )
        stack.workers.append(worker)
        result["reminders"] = {
            **recovery,
            **mail_verdict(stack.sink, [REMINDER], expected)[REMINDER],
            "reminder_rows_unsent": Reminder.objects.filter(kind="1h", sent_at=None).count(),
        }
        log(f"reminders: {json.dumps(result['reminders'])}")
    finally:
        worker.stop()
    result["ok"] = all(
        result[part]["lost"] == 0 and result[part]["doubled"] == 0
        for part in ("invitations", "reminders")
        if part in result
    )
    return result


# Fault: Redis stopped while people act ----------------------------------------------------


class Actor(threading.Thread):
    """One person doing one thing at a set moment; records what the portal answered."""

    def __init__(
        self, *, at: float, browser: Browser, page: str, action: str, data: dict, what: str
    ):
        super().__init__(daemon=True)
        self.at, self.browser, self.page, self.action, self.data = at, browser, page, action, data
        self.what = what
        self.result: dict = {}

    def run(self) -> None:
        time.sleep(max(0.0, self.at - time.monotonic()))
        started = time.monotonic()
        status, took = self.browser.post_form(self.page, self.action, self.data)
        self.result = {"what": self.what, "status": status, "took": took, "start": started}


def warm_up(port: int, browser: Browser, pages: list[str]) -> None:
    """Load each page once per gunicorn worker (the first request imports the views),
    so the measured requests meet warm processes."""
    for _ in range(3):
        for page in pages:
            status, _, took = browser.request("GET", page)
            if status != 200:
                raise RuntimeError(f"warm-up: {page} answered {status} after {took:.1f} s")


def build_people(count: int):
    """Officials of a government body, each invited to a scheduled session; an open
    offering; one staff member. Returns (session, offering, staff, officials)."""
    from django.utils import timezone

    from alliance.models import Participant
    from bench.enrollment_race import government_officials, open_offering
    from tests import factories

    staff = factories.make_staff()
    people = government_officials(staff, count, prefix="person")
    session = scheduled_session(staff, hours_ahead=48)
    now = timezone.now()
    Participant.objects.bulk_create(
        Participant(
            session=session,
            user=u,
            email=u.email,
            invitation_sent_at=now,
            notified_sequence=session.sequence,
        )
        for u in people
    )
    offering = open_offering(
        staff, capacity=count, title="Fault cohort", join_url="https://meet.example.org/faults"
    )
    return session, offering, staff, people


def summarize(results: list[dict], windows: dict[str, tuple[float, float]]) -> dict:
    """Answers per window (before / during / after the outage) and kind of action."""
    out: dict = defaultdict(lambda: defaultdict(Counter))
    slowest: dict = defaultdict(float)
    for r in results:
        window = next(
            (name for name, (lo, hi) in windows.items() if lo <= r["start"] < hi), "after"
        )
        out[window][r["what"]][str(r["status"])] += 1
        slowest[window] = max(slowest[window], r["took"])
    return {
        window: {
            "answers": {what: dict(c) for what, c in kinds.items()},
            "slowest_s": round(slowest[window], 2),
        }
        for window, kinds in out.items()
    }


def fault_redis_down(args, stack) -> dict:
    from django.utils import timezone

    from alliance.models import Participant, RecommendationReport
    from alliance.services.reports import report_sweep
    from gdpa.notify.models import OutboundEmail
    from trainings.models import Enrollment

    reset_database(stack.redis)
    session, offering, staff, people = build_people(args.people)
    port = free_port()
    gunicorn = start_gunicorn(port, stack.log_dir)
    stack.servers.append(gunicorn)
    worker = Worker("faults1", stack.env, stack.log_dir)
    worker.wait_ready()
    stack.workers.append(worker)
    staff_browser = Browser(port, sign_in(staff, second_factor=True), timeout=60)
    warm_up(
        port, staff_browser, [f"/alliance/sessions/{session.pk}/", "/alliance/staff/reports/new/"]
    )
    # The actions are spread evenly over before (10 s) + outage + after (10 s).
    span = args.outage + 20
    browsers = [Browser(port, sign_in(person), timeout=60) for person in people]
    t0 = time.monotonic() + 2
    actors = []
    for i, browser in enumerate(browsers):
        at = t0 + span * i / len(people)
        if i % 2 == 0:
            actors.append(
                Actor(
                    at=at,
                    browser=browser,
                    page=f"/alliance/sessions/{session.pk}/",
                    action=f"/alliance/sessions/{session.pk}/rsvp/",
                    data={"answer": "accepted"},
                    what="rsvp",
                )
            )
        else:
            actors.append(
                Actor(
                    at=at,
                    browser=browser,
                    page=f"/trainings/offerings/{offering.pk}/",
                    action=f"/trainings/offerings/{offering.pk}/enroll/",
                    data={},
                    what="enroll",
                )
            )
    for i in range(args.reports):
        actors.append(
            Actor(
                at=t0 + span * (i + 0.5) / args.reports,
                browser=staff_browser,
                page="/alliance/staff/reports/new/",
                action="/alliance/staff/reports/new/",
                data={"title": f"Fault report {i}", "language": "en"},
                what="report",
            )
        )
    for actor in actors:
        actor.start()
    time.sleep(max(0.0, t0 + 10 - time.monotonic()))
    stack.redis.stop()
    down_at = time.monotonic()
    log(f"Redis stopped for {args.outage} s")
    time.sleep(args.outage)
    stack.redis.start()
    up_at = time.monotonic()
    log("Redis is back")
    for actor in actors:
        actor.join(timeout=120)
    windows = {"before": (0, down_at), "during": (down_at, up_at)}
    answers = summarize([a.result for a in actors if a.result], windows)
    log(f"answers: {json.dumps(answers)}")

    # Everything asked for is in the database; once Redis is back, the beat's sweeps
    # (here called with their clock past their grace periods) drive the work.
    recovered_at = None
    deadline = time.monotonic() + args.timeout
    sweep_clock = timezone.now() + timedelta(hours=1, minutes=1)
    while time.monotonic() < deadline:
        sweep_as_beat(timezone.now())
        report_sweep(now=sweep_clock)
        time.sleep(3)
        pending_reports = RecommendationReport.objects.exclude(status="ready").count()
        pending_mail = OutboundEmail.objects.filter(status__in=["queued", "sending"]).count()
        if not pending_reports and not pending_mail:
            recovered_at = time.monotonic()
            break
    time.sleep(3)
    rsvp_posted = sum(1 for a in actors if a.what == "rsvp")
    enroll_posted = sum(1 for a in actors if a.what == "enroll")
    reports = RecommendationReport.objects.all()
    result = {
        "people": args.people,
        "outage_s": args.outage,
        "answers": answers,
        "rsvp": {
            "posted": rsvp_posted,
            "recorded": Participant.objects.filter(session=session, rsvp="accepted").count(),
        },
        "enroll": {
            "posted": enroll_posted,
            "recorded": Enrollment.objects.filter(offering=offering).count(),
        },
        "reports": {
            "asked": args.reports,
            "recorded": reports.count(),
            "by_status": dict(Counter(reports.values_list("status", flat=True))),
        },
        "emails": dict(Counter(OutboundEmail.objects.values_list("kind", "status"))),
        "work_done_after_redis_back_s": round(recovered_at - up_at, 1) if recovered_at else None,
    }
    kinds = sorted(set(OutboundEmail.objects.values_list("kind", flat=True)))
    if kinds:
        expected = {
            kind: {
                a.lower()
                for a in OutboundEmail.objects.filter(kind=kind).values_list("to_email", flat=True)
            }
            for kind in kinds
        }
        result["mail"] = mail_verdict(stack.sink, kinds, expected)
    server_errors = sum(
        n
        for w in answers.values()
        for c in w["answers"].values()
        for s, n in c.items()
        if s in ("0", "500", "502", "504")
    )
    result["server_errors"] = server_errors
    result["ok"] = (
        server_errors == 0
        and result["rsvp"]["recorded"] == rsvp_posted
        and result["enroll"]["recorded"] == enroll_posted
        and result["reports"]["by_status"] == {"ready": args.reports}
        and all(v["lost"] == 0 and v["doubled"] == 0 for v in result.get("mail", {}).values())
    )
    return result


# Fault: PostgreSQL restarted under load --------------------------------------------------


def fault_postgres_restart(args, stack) -> dict:
    from django.db import connections

    reset_database(stack.redis)
    session, offering, _staff, people = build_people(8)
    port = free_port()
    gunicorn = start_gunicorn(port, stack.log_dir)
    stack.servers.append(gunicorn)
    browsers = [Browser(port, sign_in(p), timeout=30) for p in people[:4]]
    pages = [
        "/dashboard/",
        f"/trainings/offerings/{offering.pk}/",
        f"/alliance/sessions/{session.pk}/",
    ]
    warm_up(port, browsers[0], pages)
    connections.close_all()
    pids_before = gunicorn_worker_pids(gunicorn)
    results: list[dict] = []
    lock = threading.Lock()
    stop = threading.Event()

    def load(browser: Browser) -> None:
        i = 0
        while not stop.is_set():
            started = time.monotonic()
            status, _, took = browser.request("GET", pages[i % len(pages)])
            with lock:
                results.append(
                    {
                        "what": "page",
                        "status": status,
                        "took": took,
                        "start": started,
                        "end": time.monotonic(),
                    }
                )
            i += 1
            time.sleep(0.05)

    threads = [threading.Thread(target=load, args=(b,), daemon=True) for b in browsers]
    for t in threads:
        t.start()
    time.sleep(10)
    down_at = time.monotonic()
    stack.cluster.stop()
    log(f"PostgreSQL stopped for {args.outage} s")
    time.sleep(args.outage)
    stack.cluster.start()
    up_at = time.monotonic()
    log("PostgreSQL is back")
    time.sleep(15)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    after = sorted((r for r in results if r["start"] >= up_at), key=lambda r: r["start"])
    first_ok = next((r for r in after if r["status"] == 200), None)
    last_bad = max((r["end"] for r in after if r["status"] != 200), default=None)
    windows = {"before": (0, down_at), "during": (down_at, up_at)}
    answers = summarize(results, windows)
    pids_after = gunicorn_worker_pids(gunicorn)
    result = {
        "outage_s": args.outage,
        "requests": len(results),
        "answers": answers,
        "first_200_after_back_s": round(first_ok["end"] - up_at, 2) if first_ok else None,
        "last_failure_after_back_s": round(last_bad - up_at, 2) if last_bad else 0,
        "gunicorn_workers_replaced": len(pids_before - pids_after),
        "conn_max_age": os.environ.get("CONN_MAX_AGE"),
    }
    statuses = {s for w in answers.values() for c in w["answers"].values() for s in c}
    after_failures = [r for r in after if r["status"] != 200 and r["start"] > up_at + 2]
    result["failures_later_than_2s_after_back"] = len(after_failures)
    result["ok"] = (
        statuses <= {"200", "503"}
        and first_ok is not None
        and not after_failures
        and result["gunicorn_workers_replaced"] == 0
        and answers.get("during", {}).get("slowest_s", 0) < 10
    )
    return result


# Main --------------------------------------------------------------------------------------


class Stack:
    """What a fault runs on; ``close()`` stops what this script started."""

    def __init__(self) -> None:
        self.log_dir = Path(tempfile.mkdtemp(prefix="gdpa-faults-"))
        self.redis = RedisServer(REDIS_PORT, db=1, log=self.log_dir / "redis.log")
        self.cluster = PrivateCluster()
        self.workers: list[Worker] = []
        self.servers: list[subprocess.Popen] = []

    def open(self, settings: str) -> None:
        self.redis.start()
        self.cluster.ensure()
        create_database(self.cluster.url)
        self.controller, self.sink, smtp_port = start_sink()
        # The script, its workers and gunicorn: DEBUG off, and as production, persistent
        # database connections (gdpa/settings/production.py).
        self.env = setup_django(
            self.cluster.url,
            settings,
            REDIS_URL=self.redis.url,
            EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
            CONN_MAX_AGE="60",
        )
        log(
            f"Redis :{REDIS_PORT}, PostgreSQL :{PG_PORT}, SMTP sink :{smtp_port}; logs in {self.log_dir}"
        )

    def close(self, keep_cluster: bool) -> None:
        for worker in self.workers:
            worker.stop()
        for server in self.servers:
            stop_process(server)
        self.controller.stop()
        from django.db import connections

        connections.close_all()
        self.redis.stop()
        if not keep_cluster and self.cluster.ready():
            self.cluster.stop()


FAULTS = {
    "worker-kill": fault_worker_kill,
    "redis-down": fault_redis_down,
    "postgres-restart": fault_postgres_restart,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("fault", choices=[*FAULTS, "all"])
    parser.add_argument("--recipients", type=int, default=5000, help="worker-kill: recipients")
    parser.add_argument("--kill-at", type=float, default=0.4, help="worker-kill: fraction done")
    parser.add_argument("--people", type=int, default=30, help="redis-down: people acting")
    parser.add_argument("--reports", type=int, default=4, help="redis-down: reports asked for")
    parser.add_argument("--outage", type=float, default=None, help="seconds the service is down")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed per phase")
    parser.add_argument("--keep-cluster", action="store_true", help="leave PostgreSQL running")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--settings",
        default="gdpa.settings.local",
        help="settings module of the script, workers and gunicorn (what-if runs: a module on "
        "PYTHONPATH that imports the local settings and changes one value)",
    )
    args = parser.parse_args()

    stack = Stack()
    results: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": args.settings,
        "load_average": os.getloadavg(),
        "machine": common.machine(),
    }
    names = list(FAULTS) if args.fault == "all" else [args.fault]
    try:
        stack.open(args.settings)
        for name in names:
            log(f"=== {name}")
            run_args = argparse.Namespace(**vars(args))
            if run_args.outage is None:
                run_args.outage = 20 if name == "redis-down" else 5
            started = time.monotonic()
            results[name] = FAULTS[name](run_args, stack)
            results[name]["wall_s"] = round(time.monotonic() - started, 1)
            log(f"{name}: {'OK' if results[name]['ok'] else 'FAILED'}")
    finally:
        stack.close(args.keep_cluster)
        print(json.dumps(results, indent=2, default=str))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0 if all(results[name]["ok"] for name in names if name in results) else 1


if __name__ == "__main__":
    sys.exit(main())
