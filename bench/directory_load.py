"""Load on the staff member directory: 8 staff browse the organizations and people tabs
with a mix of filters, sorts and pages, against gunicorn, on 10,000 organizations and
100,000 people (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gdpa_bench_directory \
        .venv/bin/python -m bench.directory_load --users 8 --seconds 60

Builds the alliance with ``bench.scale`` (plus held sessions and attendance, so the
activity filters have something to find), signs staff in with the second factor
recorded in their session, starts gunicorn on 127.0.0.1 and runs locust headless for a
bounded time. Prints p50/p95/p99 and requests per second (overall and per page kind)
and, with ``--write``, appends them to docs/benchmarks.md.
"""

import argparse
import json
import os
import platform
import random
from datetime import timedelta
from pathlib import Path

from bench import common
from bench.common import check_database, free_port, log, setup_django, start_gunicorn, stop
from bench.scale import build_members, reset_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpa_bench_directory"


def add_activity(*, sessions: int = 24, attendees: int = 20000, seed: int = 7) -> None:
    """Held sessions over the past two years and ``attendees`` attendance rows."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from alliance.models import AllianceSession, Participant

    rnd = random.Random(seed)
    now = timezone.now()
    AllianceSession.objects.bulk_create(
        AllianceSession(
            title=f"Plenary {i}",
            kind=AllianceSession.Kind.PLENARY,
            time_zone="UTC",
            starts_at=now - timedelta(days=30 * i + 3),
            ends_at=now - timedelta(days=30 * i + 3) + timedelta(hours=2),
            format=AllianceSession.Format.ONLINE,
            join_url="https://meet.example.org/bench",
            status=AllianceSession.Status.HELD,
        )
        for i in range(sessions)
    )
    session_ids = list(AllianceSession.objects.values_list("pk", flat=True))
    people = list(
        get_user_model().objects.filter(email__startswith="person-").values_list("pk", "email")
    )
    chosen = rnd.sample(people, k=min(attendees, len(people)))
    Participant.objects.bulk_create(
        (
            Participant(
                session_id=rnd.choice(session_ids),
                user_id=pk,
                email=email,
                attended=True,
                rsvp=Participant.Rsvp.ACCEPTED,
            )
            for pk, email in chosen
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"{len(session_ids)} held sessions, {len(chosen)} attendances")


def staff_cookies(n: int) -> list[str]:
    """``n`` signed-in sessions of the bench staff member, second factor passed."""
    from django.contrib.auth import get_user_model

    from bench.scale import STAFF_EMAIL

    staff = get_user_model().objects.get(email=STAFF_EMAIL)
    return [common.signed_in_session(staff) for _ in range(n)]


def directory_paths() -> list[tuple[str, str, bool]]:
    """(page kind, path, htmx) the users pick from at random."""
    from alliance.models import MemberState, Sector

    sector = Sector.objects.order_by("pk").first().slug
    state = MemberState.objects.order_by("pk").values_list("pk", flat=True)[10]
    from django.urls import reverse

    orgs, people = reverse("alliance:staff_organizations"), reverse("alliance:staff_people")
    return [
        ("organizations", orgs, False),
        ("organizations", f"{orgs}?country=KE", True),
        ("organizations", f"{orgs}?kind=diaspora&status=verified", True),
        ("organizations", f"{orgs}?sector={sector}&sort=-registered", True),
        ("organizations", f"{orgs}?member_state={state}", True),
        ("organizations", f"{orgs}?q=network", True),
        ("organizations", f"{orgs}?sort=country&page=40", True),
        ("organizations activity", f"{orgs}?activity=session&months=6", True),
        ("organizations activity", f"{orgs}?activity=none&months=12&kind=academia", True),
        ("people", people, False),
        ("people", f"{people}?q=quispe", True),
        ("people", f"{people}?kind=academia&status=verified", True),
        ("people", f"{people}?country=FJ", True),
        ("people", f"{people}?sector={sector}&sort=-joined", True),
        ("people", f"{people}?sort=email&page=300", True),
        ("people activity", f"{people}?activity=session&months=6", True),
        ("people activity", f"{people}?activity=none&months=12&country=PE", True),
    ]


def run_locust(port: int, users: int, seconds: int, cookies, paths, out: Path) -> None:
    env = {
        **os.environ,
        "DIRECTORY_BENCH_COOKIES": ",".join(cookies),
        "DIRECTORY_BENCH_PATHS": json.dumps(paths),
    }
    locustfile = ROOT / "bench" / "directory_locustfile.py"
    common.run_locust(locustfile, port, users, seconds, out, env=env, timeout=seconds + 60)


def query_counts(paths) -> dict[str, int]:
    """Queries per page for each path (Django test client, same database)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cookies = staff_cookies(1)
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = cookies[0]
    counts = {}
    for _name, path, _htmx in paths:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[path] = len(captured)
    return counts


def write_markdown(results: dict) -> None:
    lines = [
        "",
        "## Staff member directory under load (issue 11)",
        "",
        f"- Machine: {results['machine']}; PostgreSQL on 127.0.0.1; gunicorn "
        f"{results['workers']} sync workers; load tool: locust {results['locust']} headless, "
        f"{results['users']} concurrent users, no think time, {results['seconds']} s.",
        f"- Data: {results['built']['organizations']:,} organizations, "
        f"{results['built']['people']:,} people, {results['attendances']:,} session "
        "attendances (built with `bench/scale.py`).",
        "- Command: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/gdpa_bench_directory "
        f".venv/bin/python -m bench.directory_load --users {results['users']} "
        f"--seconds {results['seconds']} --write`",
        f"- Queries per page: {min(results['queries'].values())} to "
        f"{max(results['queries'].values())} whatever the filter (fixed).",
        "",
        "| Pages | Requests | Failures | p50 ms | p95 ms | p99 ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, f in results["figures"].items():
        lines.append(
            f"| {name} | {f['requests']} | {f['failures']} | {f['p50_ms']:.0f} | "
            f"{f['p95_ms']:.0f} | {f['p99_ms']:.0f} | {f['rps']} |"
        )
    with open(ROOT / "docs" / "benchmarks.md", "a") as f:
        f.write("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--organizations", type=int, default=10000)
    parser.add_argument("--people", type=int, default=100000)
    parser.add_argument("--reuse", action="store_true", help="keep the database already built")
    parser.add_argument("--write", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    check_database(database_url)
    if not args.reuse:
        reset_database(database_url)
    setup_django(database_url)
    if args.reuse:
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        from alliance.models import Organization, Participant

        call_command("migrate", interactive=False, verbosity=0)
        built = {
            "organizations": Organization.objects.count(),
            "people": get_user_model().objects.count(),
        }
        attendances = Participant.objects.count()
    else:
        built = build_members(organizations=args.organizations, people=args.people)
        add_activity()
        from alliance.models import Participant

        attendances = Participant.objects.count()

    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # served with DEBUG off
    paths = directory_paths()
    counts = query_counts(paths)
    log(f"queries per page: {sorted(set(counts.values()))}")
    cookies = staff_cookies(args.users)
    port = free_port()
    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    server = start_gunicorn(port, log_dir, workers=args.workers, log_name="gunicorn-directory.log")
    try:
        log(f"locust: {args.users} users for {args.seconds} s against gunicorn -w {args.workers}")
        run_locust(port, args.users, args.seconds, cookies, paths, log_dir / "directory")
    finally:
        stop(server)
    from importlib.metadata import version

    # Not ``import locust``: gevent's monkey-patching walks every live object, and a
    # Django request left by the sign-in would raise from its lazy CSP nonce.
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared), "
        f"Python {platform.python_version()}",
        "workers": args.workers,
        "users": args.users,
        "seconds": args.seconds,
        "locust": version("locust"),
        "built": built,
        "attendances": attendances,
        "queries": counts,
        "figures": common.read_locust_stats(log_dir / "directory"),
    }
    print(json.dumps(results, indent=2))
    if args.write:
        write_markdown(results)
    overall = results["figures"].get("Aggregated", {})
    if overall.get("p95_ms", 0) >= 300:
        log(f"SLOW: p95 {overall['p95_ms']} ms is not under 300 ms")
    else:
        log(f"OK: p95 {overall.get('p95_ms')} ms")


if __name__ == "__main__":
    main()
