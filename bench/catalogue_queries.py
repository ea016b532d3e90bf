"""Benchmark: the trainings catalogue's queries and render time as programmes grow.

Fills a dedicated database with N published programmes (each with two sectors, an open
offering for a country, an open offering for everyone and a draft), then requests the
catalogue as a visitor would: unfiltered, filtered by country and dates, the same filter
as an htmx swap, and the last page. For each N it reports the number of SQL queries, their
time (one request), and the median and 95th percentile of the response time, measured
in-process with Django's test client (no network, no browser). It exits non-zero when a
request's query count changes with N.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gdpa_bench_cat \\
    .venv/bin/python -m bench.catalogue_queries --sizes 10,100,1000

The database named in DATABASE_URL is created if missing, migrated and FLUSHED: its name
must contain "bench" (a SQLite file works too: sqlite:////tmp/gdpa_bench_cat.sqlite3).
Results: docs/benchmarks.md.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from bench.common import create_database, log, setup_django

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpa_bench_cat"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
COUNTRIES = ["FJ", "PE", "PH", "SN", "CO", "MA"]


def check_target(database_url: str) -> dict:
    import environ

    db = environ.Env.db_url_config(database_url)
    if "bench" not in str(db["NAME"]):
        sys.exit("Refusing to flush a database whose name does not contain 'bench'.")
    if db["ENGINE"].endswith("postgresql") and (db.get("HOST") or "") not in LOCAL_HOSTS:
        sys.exit("DATABASE_URL must be on 127.0.0.1.")
    return db


def add_programmes(start: int, stop: int, sectors: list) -> None:
    """Programmes ``start`` to ``stop - 1``, in bulk (the setup is not what is measured)."""
    from django.utils import timezone

    from trainings.models import Offering, TrainingProgramme

    now = timezone.now()
    today = now.date()
    programmes = TrainingProgramme.objects.bulk_create(
        TrainingProgramme(
            title=f"Programme {n:05}",
            summary="How governments and diasporas work together.",
            learning_objectives="Map the diaspora.",
            audience=TrainingProgramme.Audience.values[n % 3],
            language="en",
            mode=TrainingProgramme.Mode.ONLINE,
            published=True,
        )
        for n in range(start, stop)
    )
    through = TrainingProgramme.sectors.through
    through.objects.bulk_create(
        through(trainingprogramme_id=p.pk, sector_id=sectors[(i + k) % len(sectors)].pk)
        for i, p in enumerate(programmes)
        for k in range(2)
    )
    offerings = []
    for i, programme in enumerate(programmes):
        for kind, days, countries, status in (
            ("country", 20 + i % 60, [COUNTRIES[i % len(COUNTRIES)]], Offering.Status.OPEN),
            ("everyone", 90 + i % 60, [], Offering.Status.OPEN),
            ("draft", 200, [], Offering.Status.DRAFT),
        ):
            starts = today + datetime.timedelta(days=days)
            offerings.append(
                Offering(
                    programme=programme,
                    title=f"Cohort {kind}",
                    starts_on=starts,
                    ends_on=starts + datetime.timedelta(days=4),
                    time_zone="UTC",
                    countries=countries,
                    join_url="https://meet.example.org/bench",
                    capacity=30,
                    enrollment_opens_at=now - datetime.timedelta(days=1),
                    enrollment_closes_at=now + datetime.timedelta(days=15),
                    status=status,
                )
            )
    Offering.objects.bulk_create(offerings)


def measure(client, url: str, params: dict, headers: dict, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params, headers=headers)  # warm the template and choice caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, headers=headers)
    # Read now: the next request's start clears the connection's query log.
    count = len(queries)
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    assert response.status_code == 200, response.status_code
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        client.get(url, params, headers=headers)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "queries": count,
        "sql_ms": round(sql_ms, 1),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "bytes": len(response.content),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="programme counts, rising")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per case")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if check_target(database_url)["ENGINE"].endswith("postgresql"):
        create_database(database_url)
    setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.urls import reverse
    from django.utils import timezone

    from alliance.models import Sector

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    sectors = list(Sector.objects.all()) or [
        Sector.objects.create(slug=f"bench-{n}", name_en=f"Sector {n}", position=n)
        for n in range(4)
    ]
    today = timezone.now().date()
    url = reverse("trainings:catalogue")
    filtered = {
        "country": "FJ",
        "starts_from": today.isoformat(),
        "starts_until": (today + datetime.timedelta(days=120)).isoformat(),
    }
    results = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "sizes": {},
    }
    client = Client()
    done = 0
    # Plain static storage: the manifest needs collectstatic, which is not what is measured.
    static = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(
        ALLOWED_HOSTS=["testserver"],
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, **static},
    ):
        for size in sizes:
            t = time.time()
            add_programmes(done, size, sectors)
            done = size
            log(f"{size} programmes ready ({time.time() - t:.1f} s)")
            last_page = {"page": "last"}
            cases = {
                "unfiltered": measure(client, url, {}, {}, args.repeat),
                "country and dates": measure(client, url, filtered, {}, args.repeat),
                "country and dates, htmx": measure(
                    client, url, filtered, {"HX-Request": "true"}, args.repeat
                ),
                "last page": measure(client, url, last_page, {}, args.repeat),
            }
            results["sizes"][size] = cases
            for name, r in cases.items():
                log(
                    f"  {name:<24} {r['queries']:>2} queries ({r['sql_ms']} ms)"
                    f"  median {r['median_ms']:>6} ms"
                    f"  p95 {r['p95_ms']:>6} ms"
                )

    print()
    print("| programmes | request | queries | time in SQL | median | p95 |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for size, cases in results["sizes"].items():
        for name, r in cases.items():
            print(
                f"| {size:,} | {name} | {r['queries']} | {r['sql_ms']} ms "
                f"| {r['median_ms']} ms | {r['p95_ms']} ms |"
            )
    counts = {r["queries"] for cases in results["sizes"].values() for r in cases.values()}
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    per_case = {
        name: {cases[name]["queries"] for cases in results["sizes"].values()}
        for name in next(iter(results["sizes"].values()))
    }
    grew = {name: sorted(c) for name, c in per_case.items() if len(c) > 1}
    if grew:
        log(f"FAILED: the query count changed with the number of programmes: {grew}")
        return 1
    log(f"query counts fixed across sizes: {sorted(counts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
