"""Benchmark: N people try to enroll in an offering of S seats at the same moment.

Everything runs for real on 127.0.0.1: gunicorn serving the portal, PostgreSQL, and N
client threads that each hold a signed-in session and POST the enrollment form once the
others are ready (a barrier releases them together). A second round repeats every request
(enrolling twice). The script reports throughput and latency and exits non-zero unless
exactly S people hold a seat, the rest are on the waiting list,
nobody holds two places, and the second round changed nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gdpa_bench_enroll \\
    .venv/bin/python -m bench.enrollment_race --people 200 --seats 50 --workers 4

The database in DATABASE_URL is created if missing and FLUSHED (its name must contain
"bench"). See bench/README.md and docs/benchmarks.md.
"""

import argparse
import http.client
import json
import os
import platform
import re
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from bench.common import (
    check_database,
    create_database,
    free_port,
    log,
    setup_django,
    start_gunicorn,
    stop,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpa_bench_enroll"
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def government_officials(staff, count: int, *, prefix: str):
    """A verified government body (Fiji) with ``count`` members, in bulk with unusable
    passwords, whose addresses start with ``prefix``. Returns them in address order."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from alliance.models import Membership, Organization
    from tests import factories

    government = factories.make_government(staff=staff, country="FJ")
    assert government.status == Organization.Status.VERIFIED
    User = get_user_model()
    User.objects.bulk_create(
        User(
            email=f"{prefix}-{i:04d}@example.org",
            full_name=f"{prefix.title()} {i}",
            password=make_password(None),
        )
        for i in range(count)
    )
    officials = list(User.objects.filter(email__startswith=f"{prefix}-").order_by("email"))
    Membership.objects.bulk_create(
        Membership(user=u, organization=government, role=Membership.Role.MEMBER) for u in officials
    )
    return officials


def open_offering(staff, *, capacity: int, title: str, join_url: str):
    """An offering of a published government programme, open for enrollment, that starts
    in 30 days with ``capacity`` seats."""
    from django.utils import timezone

    from trainings import services
    from trainings.models import Offering, TrainingProgramme

    now = timezone.now()
    programme = services.programme_create(
        actor=staff,
        title="Engaging your diaspora",
        summary="How governments work with their diasporas.",
        learning_objectives="Map the diaspora.",
        audience=TrainingProgramme.Audience.GOVERNMENT,
        language="en",
        mode=TrainingProgramme.Mode.ONLINE,
        published=True,
    )
    return services.offering_create(
        actor=staff,
        programme=programme,
        title=title,
        starts_on=(now + timedelta(days=30)).date(),
        ends_on=(now + timedelta(days=31)).date(),
        time_zone="UTC",
        join_url=join_url,
        capacity=capacity,
        enrollment_opens_at=now - timedelta(hours=1),
        enrollment_closes_at=now + timedelta(days=10),
        status=Offering.Status.OPEN,
    )


def build_world(people: int, seats: int):
    """A verified government body with ``people`` officials, and an open offering of a
    government programme with ``seats`` seats. Returns (offering id, session cookies)."""
    from django.core.management import call_command
    from django.test import Client

    from gdpa.accounts import roles
    from tests import factories

    call_command("collectstatic", interactive=False, verbosity=0)  # served with DEBUG off
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    staff = factories.make_staff()
    officials = government_officials(staff, people, prefix="official")
    assert not roles.has_role(officials[0], roles.IOM_STAFF)
    offering = open_offering(
        staff, capacity=seats, title="Benchmark cohort", join_url="https://meet.example.org/bench"
    )
    cookies = []
    for user in officials:
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    return offering.pk, cookies


class Learner(threading.Thread):
    """One signed-in person: loads the offering page (for the CSRF token), waits at the
    barrier, then posts the enrollment form once and records status and latency."""

    def __init__(self, port, offering_id, session_cookie, barrier):
        super().__init__(daemon=True)
        self.port, self.offering_id, self.barrier = port, offering_id, barrier
        self.cookies = {"sessionid": session_cookie}
        self.token = ""
        self.result: tuple[int, float] | None = None

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _remember(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def prepare(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(
            "GET",
            f"/trainings/offerings/{self.offering_id}/",
            headers={"Cookie": self._cookie_header()},
        )
        response = conn.getresponse()
        body = response.read()
        self._remember(response)
        match = TOKEN.search(body)
        if response.status != 200 or not match:
            raise RuntimeError(f"offering page answered {response.status} without a form")
        self.token = match.group(1).decode()
        conn.close()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.connect()
        body = f"csrfmiddlewaretoken={self.token}"
        headers = {
            "Cookie": self._cookie_header(),
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}/",
            "X-CSRFToken": self.token,
        }
        self.barrier.wait()
        started = time.perf_counter()
        conn.request(
            "POST", f"/trainings/offerings/{self.offering_id}/enroll/", body=body, headers=headers
        )
        response = conn.getresponse()
        response.read()
        self.result = (response.status, time.perf_counter() - started)
        conn.close()


def race(port: int, offering_id: int, cookies: list[str]) -> dict:
    barrier = threading.Barrier(len(cookies) + 1)
    learners = [Learner(port, offering_id, c, barrier) for c in cookies]
    for learner in learners:
        learner.prepare()
    for learner in learners:
        learner.start()
    barrier.wait()
    started = time.perf_counter()
    for learner in learners:
        learner.join()
    wall = time.perf_counter() - started
    latencies = sorted(r[1] for r in (learner.result for learner in learners) if r)
    statuses: dict[int, int] = {}
    for learner in learners:
        status = learner.result[0] if learner.result else 0
        statuses[status] = statuses.get(status, 0) + 1
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(learners),
        "wall_s": round(wall, 3),
        "requests_per_s": round(len(learners) / wall, 1),
        "p50_ms": round(quantiles[49] * 1000, 1),
        "p95_ms": round(quantiles[94] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "statuses": statuses,
    }


def outcome(offering_id: int) -> dict:
    from django.db.models import Count

    from trainings.models import Enrollment

    rows = Enrollment.objects.filter(offering_id=offering_id)
    by_status = dict(rows.values_list("status").annotate(n=Count("pk")).order_by())
    doubled = rows.values("user").annotate(n=Count("pk")).filter(n__gt=1).count()
    return {"by_status": by_status, "people_with_two_rows": doubled}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    check_database(database_url)
    create_database(database_url)
    setup_django(database_url)

    log(f"building {args.people} officials and an offering of {args.seats} seats")
    offering_id, cookies = build_world(args.people, args.seats)
    port = free_port()
    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    server = start_gunicorn(port, log_dir, workers=args.workers, extra_args=("--backlog", "2048"))
    try:
        log(f"round 1: {args.people} enrollments at once against gunicorn -w {args.workers}")
        first = race(port, offering_id, cookies)
        after_first = outcome(offering_id)
        log(f"round 2: the same {args.people} people enroll again")
        second = race(port, offering_id, cookies)
        after_second = outcome(offering_id)
    finally:
        stop(server)

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "people": args.people,
        "seats": args.seats,
        "gunicorn_workers": args.workers,
        "first_round": first,
        "after_first_round": after_first,
        "second_round": second,
        "after_second_round": after_second,
    }
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))

    expected = {"enrolled": args.seats, "waitlisted": args.people - args.seats}
    failures = []
    if after_first["by_status"] != expected:
        failures.append(f"after round 1 expected {expected}, found {after_first['by_status']}")
    if after_first["people_with_two_rows"]:
        failures.append("someone holds two places")
    if after_second != after_first:
        failures.append("enrolling a second time changed the enrollments")
    if first["statuses"].get(302) != args.people:
        failures.append(f"round 1 answers were {first['statuses']}, expected all 302")
    if failures:
        sys.exit("FAILED: " + "; ".join(failures))
    log("OK: no overbooking, nobody twice, the second round changed nothing")


if __name__ == "__main__":
    main()
