"""Load test of every role's main pages (issue 13): signed-in people of each role follow
their journeys against gunicorn on PostgreSQL and Redis, at 8 and then 32 concurrent
users, next to a trivial view (``/health/``) served by the same stack as the floor.

    .venv/bin/python -m bench.load

Builds the alliance at scale (``bench.scale``: 10,000 organizations, 100,000 people)
plus what the journeys need: upcoming sessions with the journey accounts invited, open
training offerings, published Youth Voices stories, youth participants. ``--reuse`` keeps
the database of a previous run. With ``--accounts FILE`` (e.g. ``var/scale_accounts.json``,
written by ``bench/scale.py``, with ``--reuse`` on the database it built) the accounts of
each role come from that file; otherwise they are found by query (focal points, diaspora
leaders, partners, members from the memberships; youth participants and IOM staff by role).

Before the load, each page is requested through Django's test client in this process:
queries, HTML size and the CPU time of one request (``time.process_time``, median of
``--repeat``), which do not depend on what else the machine is doing. Then gunicorn
(``--workers``, default 4) and locust headless run ``--seconds`` for each of ``--users``
(default 8,32), and requests per second and p50/p95/p99 per page are printed; ``--json``
writes everything to a file.
"""

import argparse
import json
import os
import platform
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

from bench import common
from bench.common import free_port, log, setup_django, start_gunicorn, stop, targets
from bench.directory_load import add_activity
from bench.scale import build_members, reset_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpa_bench_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"
#: The roles whose journeys are driven (the kernel's role names).
ROLES = ("iom_staff", "focal_point", "diaspora_leader", "partner", "youth_participant", "member")
CSRF_SECRET = "benchcsrfsecretbenchcsrfsecret12"  # 32 characters: Django's secret length


def build_journeys(*, per_role: int = 8, sessions: int = 12, programmes: int = 30, seed: int = 13):
    """What the journeys need on top of ``build_members``: youth participants, upcoming
    sessions inviting the journey accounts (and 2,000 others each), open offerings for
    every audience, and published stories by consenting youth participants."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from alliance import services as alliance_services
    from alliance.models import AllianceSession, Participant, Sector
    from bench.scale import STAFF_EMAIL
    from tests import factories
    from trainings import services as training_services
    from trainings.models import Offering, TrainingProgramme
    from youth.models import Story

    rnd = random.Random(seed)
    User = get_user_model()
    staff = User.objects.get(email=STAFF_EMAIL)
    youth = []
    for i in range(max(per_role, 12)):
        user = factories.make_user(
            email=f"youth-{i:03d}@bench.example.org", full_name=f"Youth Person {i}"
        )
        youth.append(factories.make_youth_participant(user=user, public_consent=True))
    sectors = list(Sector.objects.all())
    Story.objects.bulk_create(
        Story(
            author=youth[i % len(youth)],
            title=f"How our diaspora helped, story {i}",
            summary="What we did, with whom, and what changed at home.",
            text="<p>" + "We planted mangroves along the coast with our cousins. " * 20 + "</p>",
            language="en",
            sector=rnd.choice(sectors),
            country=rnd.choice(["FJ", "SV", "GE", "MU", "PE"]),
            status=Story.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(days=i),
        )
        for i in range(40)
    )
    now = timezone.now()
    for i in range(programmes):
        programme = training_services.programme_create(
            actor=staff,
            title=f"Engaging your diaspora, module {i}",
            summary="How governments and diaspora organizations work together.",
            learning_objectives="Map the diaspora.\nDesign an engagement policy.",
            audience=list(TrainingProgramme.Audience)[i % 3],
            language="en",
            mode=TrainingProgramme.Mode.ONLINE,
            published=True,
            sectors=[sectors[i % len(sectors)]],
        )
        training_services.offering_create(
            actor=staff,
            programme=programme,
            title=f"Cohort {i}",
            starts_on=(now + timedelta(days=30 + i)).date(),
            ends_on=(now + timedelta(days=34 + i)).date(),
            time_zone="UTC",
            join_url="https://meet.example.org/training",
            capacity=500,
            enrollment_opens_at=now - timedelta(days=1),
            enrollment_closes_at=now + timedelta(days=20),
            status=Offering.Status.OPEN,
        )
    accounts = accounts_from_queries(per_role)
    journey_people = {email for emails in accounts.values() for email in emails}
    journey_ids = list(User.objects.filter(email__in=journey_people).values_list("pk", "email"))
    others = list(
        User.objects.filter(email__startswith="person-")
        .exclude(email__in=journey_people)
        .order_by("?")
        .values_list("pk", "email")[: 2000 * sessions]
    )
    for i in range(sessions):
        start = now + timedelta(days=3 + 5 * i, hours=rnd.randint(0, 8))
        session = alliance_services.session_create(
            actor=staff,
            title=f"Working group {i}: diaspora investment at home",
            kind=AllianceSession.Kind.WORKING_GROUP,
            sectors=[sectors[i % len(sectors)]],
            description="How diaspora investment can reach the places people came from.",
            time_zone="UTC",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            format=AllianceSession.Format.ONLINE,
            join_url="https://meet.example.org/bench",
            status=AllianceSession.Status.SCHEDULED,
            agenda=[
                {"title": "Opening", "speaker": "IOM", "duration_minutes": 15},
                {"title": "Country experiences", "speaker": "", "duration_minutes": 60},
            ],
        )
        invited = journey_ids + others[2000 * i : 2000 * (i + 1)]
        Participant.objects.bulk_create(
            (
                Participant(
                    session=session,
                    user_id=pk,
                    email=email,
                    rsvp=rnd.choice(list(Participant.Rsvp)),
                    invited_by=staff,
                )
                for pk, email in invited
            ),
            batch_size=5000,
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"journeys: {len(youth)} youth, 40 stories, {programmes} offerings, {sessions} sessions")


def accounts_from_queries(per_role: int) -> dict[str, list[str]]:
    """``per_role`` e-mail addresses of each role, found in the data."""
    from django.contrib.auth import get_user_model

    from alliance.models import Membership, Organization
    from bench.scale import STAFF_EMAIL

    def members(**filters) -> list[str]:
        return list(
            Membership.objects.filter(user__email__startswith="person-", **filters)
            .order_by("user_id")
            .values_list("user__email", flat=True)[:per_role]
        )

    kinds = Organization.Kind
    return {
        "iom_staff": [STAFF_EMAIL],
        "focal_point": members(role=Membership.Role.FOCAL_POINT),
        "diaspora_leader": members(
            role=Membership.Role.ADMIN,
            organization__kind=kinds.DIASPORA,
            organization__status=Organization.Status.VERIFIED,
        ),
        "partner": members(
            role=Membership.Role.ADMIN,
            organization__kind__in=[kinds.ACADEMIA, kinds.CIVIL_SOCIETY, kinds.PRIVATE_SECTOR],
            organization__status=Organization.Status.VERIFIED,
        ),
        "youth_participant": list(
            get_user_model()
            .objects.filter(youth_profile__isnull=False)
            .order_by("pk")
            .values_list("email", flat=True)[:per_role]
        ),
        "member": members(
            role=Membership.Role.MEMBER, organization__status=Organization.Status.VERIFIED
        ),
    }


def accounts_from_file(path: Path) -> dict[str, list[str]]:
    """Accounts by role from a file: ``{role: [e-mail, ...]}`` or
    ``{role: [{"email": ...}, ...]}`` (a single address or object is taken as a list)."""
    data = json.loads(path.read_text())
    accounts = {}
    for role, value in data.items():
        entries = value if isinstance(value, list) else [value]
        emails = [e["email"] if isinstance(e, dict) else e for e in entries]
        accounts[role] = [e for e in emails if isinstance(e, str)]
    return accounts


def journeys(accounts: dict[str, list[str]]) -> dict:
    """For each role: its session cookies and the pages of its journey, in order. A page is
    ``[name, method, path, htmx, form data]``; the locustfile walks them."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from alliance.models import AllianceSession, MemberState, Participant, Sector
    from trainings.models import Offering, TrainingProgramme

    User = get_user_model()
    sector = Sector.objects.order_by("pk").first().slug
    state = MemberState.objects.order_by("pk").values_list("pk", flat=True)[10]
    orgs, people = reverse("alliance:staff_organizations"), reverse("alliance:staff_people")
    audiences = {
        "focal_point": TrainingProgramme.Audience.GOVERNMENT,
        "youth_participant": TrainingProgramme.Audience.YOUTH,
    }
    floor = ["health (floor)", "GET", reverse("portal:health"), False, None]
    every_role = [
        ["dashboard", "GET", reverse("portal:dashboard"), False, None],
        ["catalogue", "GET", reverse("trainings:catalogue"), False, None],
        ["catalogue filtered", "GET", reverse("trainings:catalogue") + "?country=FJ", True, None],
        ["showcase", "GET", reverse("youth:showcase"), False, None],
    ]
    plan = {}
    for role, emails in accounts.items():
        users = list(User.objects.filter(email__in=emails, is_active=True).order_by("pk"))
        if not users:
            log(f"no account for {role}: skipped")
            continue
        pages = [floor, *every_role]
        if role == "iom_staff":
            pages += [
                ["directory: organizations", "GET", orgs, False, None],
                ["directory: organizations", "GET", f"{orgs}?country=KE", True, None],
                ["directory: organizations", "GET", f"{orgs}?member_state={state}", True, None],
                ["directory: people", "GET", people, False, None],
                ["directory: people", "GET", f"{people}?kind=academia&status=verified", True, None],
                ["directory: people", "GET", f"{people}?sector={sector}&sort=-joined", True, None],
            ]
        else:
            invitation = (
                Participant.objects.filter(
                    user__in=users, session__status=AllianceSession.Status.SCHEDULED
                )
                .order_by("session__starts_at")
                .first()
            )
            if invitation is not None:
                session = invitation.session_id
                pages += [
                    ["my sessions", "GET", reverse("alliance:my_sessions"), False, None],
                    [
                        "session page",
                        "GET",
                        reverse("alliance:session", args=[session]),
                        False,
                        None,
                    ],
                    [
                        "RSVP",
                        "POST",
                        reverse("alliance:session_rsvp", args=[session]),
                        True,
                        {"answer": "accepted"},
                    ],
                ]
            offering = (
                Offering.objects.filter(
                    status=Offering.Status.OPEN,
                    programme__audience=audiences.get(role, TrainingProgramme.Audience.DIASPORA),
                )
                .order_by("pk")
                .first()
            )
            if offering is not None and role != "member":
                pages += [
                    [
                        "offering",
                        "GET",
                        reverse("trainings:offering", args=[offering.pk]),
                        False,
                        None,
                    ],
                    ["enroll", "POST", reverse("trainings:enroll", args=[offering.pk]), True, {}],
                    [
                        "withdraw",
                        "POST",
                        reverse("trainings:withdraw", args=[offering.pk]),
                        True,
                        {},
                    ],
                ]
        plan[role] = {"cookies": [common.signed_in_session(u) for u in users], "pages": pages}
    return plan


def alone_names(plan: dict, wanted: str) -> list[str]:
    """The pages ``--alone`` runs: the names given (comma-separated), or ``all`` the pages
    read with GET. An answer (POST) is not run alone: it changes what the next one finds
    (a second enroll is refused, a withdraw without an enrollment is a 404), so answers are
    measured within the journeys, where each enroll is followed by its withdraw."""
    answers = {
        name
        for journey in plan.values()
        for name, method, *_ in journey["pages"]
        if method == "POST"
    }
    if wanted == "all":
        names = [name for journey in plan.values() for name, *_ in journey["pages"]]
        return [name for name in dict.fromkeys(names) if name not in answers]
    names = wanted.split(",")
    refused = [name for name in names if name in answers]
    if refused:
        raise SystemExit(f"answers are measured in the journeys, not alone: {refused}")
    return names


def alone_plan(plan: dict, name: str) -> dict:
    """The plan with each role's journey cut down to the pages called ``name`` (a role
    without one is left out): the load on that page alone."""
    cut = {
        role: {**journey, "pages": [page for page in journey["pages"] if page[0] == name]}
        for role, journey in plan.items()
    }
    cut = {role: journey for role, journey in cut.items() if journey["pages"]}
    if not cut:
        raise SystemExit(f"no journey has a page called {name!r}")
    return cut


def _slug(label: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in label).strip("-")


def _send(method, *args, headers: dict):
    return method(*args, headers=headers)


def _cost(request: tuple, headers: dict, repeat: int, *, warm: int = 1) -> tuple:
    """The response, its queries and the median CPU ms of ``repeat`` more of the same
    request, after ``warm`` requests to warm the caches the page uses."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warm):
        _send(*request, headers=headers)
    with CaptureQueriesContext(connection) as captured:
        response = _send(*request, headers=headers)
    queries = len(captured)  # now: the next request clears the log it reads
    cpu = []
    for _ in range(repeat):
        started = time.process_time()
        _send(*request, headers=headers)
        cpu.append((time.process_time() - started) * 1000)
    return response, queries, round(statistics.median(cpu), 1) if cpu else None


def page_costs(plan: dict, repeat: int) -> dict[str, dict]:
    """Queries, HTML size and CPU per request of each page, in this process (test client):
    drawn (kept pages switched off) and answered from the kept page
    (gdpa/http/kept_pages.py; the same as drawn for a page that is not kept). A POST is
    measured once for its queries (it changes the data: enroll, then withdraw)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    costs: dict[str, dict] = {}
    for role, journey in plan.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = journey["cookies"][0]
        client.cookies["csrftoken"] = CSRF_SECRET
        for name, method, path, htmx, data in journey["pages"]:
            headers = {"X-CSRFToken": CSRF_SECRET}
            if htmx:
                headers["HX-Request"] = "true"
            key = f"{role} / {name}" + (" (htmx)" if htmx else "")
            if method == "POST":
                with CaptureQueriesContext(connection) as captured:
                    response = _send(client.post, path, data or {}, headers=headers)
                queries, cpu, kept_queries, kept_cpu = len(captured), None, None, None
            else:
                with override_settings(KEPT_PAGE_SECONDS=0):
                    response, queries, cpu = _cost((client.get, path), headers, repeat)
                # Two to warm: the first learns what the page reads, the second keeps it.
                _, kept_queries, kept_cpu = _cost((client.get, path), headers, repeat, warm=2)
            costs.setdefault(
                key,
                {
                    "status": response.status_code,
                    "queries": queries,
                    "kb": round(len(response.content) / 1024, 1),
                    "cpu_ms": cpu,
                    "kept_queries": kept_queries,
                    "kept_cpu_ms": kept_cpu,
                },
            )
    return costs


def run_locust(port: int, users: int, seconds: int, plan_file: Path, out: Path) -> None:
    env = {**os.environ, "LOAD_BENCH_PLAN": str(plan_file), "LOAD_BENCH_CSRF": CSRF_SECRET}
    locustfile = ROOT / "bench" / "load_locustfile.py"
    common.run_locust(locustfile, port, users, seconds, out, env=env, timeout=seconds + 90)


def load_run(plan: dict, users: int, label: str, args, log_dir: Path) -> dict:
    """gunicorn, then locust walking ``plan`` with ``users`` users: ``args.warmup`` seconds
    not counted, ``args.seconds`` counted; the figures by page."""
    prefix = _slug(label)
    plan_file = log_dir / f"load_plan-{prefix}.json"
    plan_file.write_text(json.dumps(plan))
    port = free_port()
    server = start_gunicorn(port, log_dir, workers=args.workers)
    try:
        log(f"warm-up: {label} for {args.warmup} s (not counted)")
        run_locust(port, users, args.warmup, plan_file, log_dir / f"warmup-{prefix}")
        load_before = os.getloadavg()
        log(f"locust: {label} for {args.seconds} s, gunicorn -w {args.workers}")
        run_locust(port, users, args.seconds, plan_file, log_dir / f"load-{prefix}")
    finally:
        stop(server)
    log(f"load average before/after: {load_before[0]:.1f} / {os.getloadavg()[0]:.1f}")
    return common.read_locust_stats(log_dir / f"load-{prefix}")


def print_tables(costs: dict, runs: dict) -> None:
    print(
        "\n| Page (role) | status | queries | HTML KB | CPU ms, in-process "
        "| kept: queries | kept: CPU ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for key, c in costs.items():
        print(
            f"| {key} | {c['status']} | {c['queries']} | {c['kb']} | {c['cpu_ms'] or '-'} "
            f"| {c['kept_queries'] or '-'} | {c['kept_cpu_ms'] or '-'} |"
        )
    for label, figures in runs.items():
        print(f"\n{label}\n\n| Page | requests | failures | req/s | p50 | p95 | p99 |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, f in figures.items():
            print(
                f"| {name} | {f['requests']} | {f['failures']} | {f['rps']} | "
                f"{f['p50_ms']:.0f} | {f['p95_ms']:.0f} | {f['p99_ms']:.0f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="8,32", help="concurrent users of each run")
    parser.add_argument("--seconds", type=int, default=60, help="length of each run")
    parser.add_argument("--warmup", type=int, default=15, help="seconds of load not counted")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--organizations", type=int, default=10000)
    parser.add_argument("--people", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=20, help="in-process requests per page")
    parser.add_argument("--accounts", type=Path, help="accounts by role (JSON)")
    parser.add_argument("--reuse", action="store_true", help="keep the database already built")
    parser.add_argument("--no-load", action="store_true", help="in-process costs only")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--alone",
        help="instead of the journeys, one run per page name (comma-separated, or 'all'): "
        "every role that has the page requests it and nothing else (the page's capacity)",
    )
    args = parser.parse_args()
    database_url, redis_url = targets(DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL)
    os.environ["REDIS_URL"] = redis_url
    if not args.reuse:
        reset_database(database_url)
    setup_django(database_url)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if not args.reuse:
        build_members(organizations=args.organizations, people=args.people)
        add_activity()
        build_journeys()
    if args.accounts:
        accounts = accounts_from_file(args.accounts)
        log(f"accounts from {args.accounts}")
    else:
        accounts = accounts_from_queries(8)
    call_command("collectstatic", interactive=False, verbosity=0)  # served with DEBUG off
    plan = journeys(accounts)
    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    costs = page_costs(plan, args.repeat)
    if args.alone:
        loads = {
            f", {name} alone": alone_plan(plan, name) for name in alone_names(plan, args.alone)
        }
    else:
        loads = {"": plan}
    runs = {}
    for suffix, walked in ({} if args.no_load else loads).items():
        for users in [int(u) for u in args.users.split(",")]:
            label = f"{users} users{suffix}"
            runs[label] = load_run(walked, users, label, args, log_dir)
    from importlib.metadata import version

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}",
        "locust": version("locust"),
        "workers": args.workers,
        "seconds": args.seconds,
        "costs": costs,
        "runs": runs,
    }
    print_tables(costs, runs)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
