"""Benchmark: one PDF report of 150 published recommendations in 5 sectors, 1,500 inputs.

The data is written in bulk into a PostgreSQL database made for the benchmark: 5 sectors
(the three working groups and two more), 150 published recommendations (titles and texts
in English and French, Spanish for two in three, tags), 1,500 inputs (a fifth of them
youth voices, most taken up or merged, half given for an organization), endorsements by
up to eight of 20 member states and the support of up to three of 60 organizations.

The report is then built twice, each time in a fresh process, so that the peak memory is
the renderer's own:

1. in-process: a child process calls the build task (``apply``, as the embedded default
   runs it) and reports wall time, the time of each phase (the data, WeasyPrint's layout,
   writing the PDF) and its peak RSS (``getrusage`` maxrss, the larger of the process's
   and of the renderer child's);
2. through Celery: one ``celery worker`` (pool of one process) on Redis; the script asks
   for the report through the service, waits until it is ready and reads the pool
   process's peak RSS (``VmHWM``; the PDF itself is laid out in a child of that process,
   whose memory this does not include). It then asks for the same report again: the build must
   share the stored file, not render a second time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gdpa_bench_report \\
    REDIS_URL=redis://127.0.0.1:6379/13 \\
    .venv/bin/python -m bench.recommendation_report [--no-celery] [--json out.json]

The database is created if missing and FLUSHED, and so is the Redis database (use
dedicated ones: the name must contain "bench", Redis not db 0). PDFs go to a temporary
MEDIA_ROOT, removed at the end unless ``--keep-pdf DIR`` copies the last one there.
"""

import argparse
import ctypes.util
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.common import create_database, log, results_head, setup_django, targets, write_results
from bench.harness import Worker, wait_all_ready

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpa_bench_report"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
TARGET_SECONDS = 15
TARGET_MB = 500
COUNTRIES = [
    "FJ",
    "GE",
    "MU",
    "PE",
    "SV",
    "IE",
    "PH",
    "MX",
    "MA",
    "SN",
    "GH",
    "KE",
    "NG",
    "IN",
    "BD",
    "LK",
    "NP",
    "JM",
    "HT",
    "CO",
]
PARAGRAPH = (
    "Diaspora members bring skills, savings and networks that public programmes rarely "
    "reach. Governments of origin and residence should open regular channels for them to "
    "take part in planning, budgeting and monitoring, with clear roles for young people "
    "and women, and report every year on what changed as a result. "
)


# Data ------------------------------------------------------------------------------------


def make_data(*, recommendations: int, sectors: int, inputs: int, seed: int = 9) -> dict:
    """Everything the report shows, written in bulk. Returns counts."""
    from django.utils import timezone

    from alliance.models import (
        DiasporaCapital,
        Endorsement,
        MemberState,
        Organization,
        OrganizationSupport,
        Recommendation,
        RecommendationInput,
        RecommendationTrack,
        Sector,
    )

    rnd = random.Random(seed)
    now = timezone.now()
    # A flush empties the reference data the migrations wrote: write it again.
    named = [
        ("health", "Health and Well-being", "Santé et bien-être"),
        ("gender-youth", "Gender and Youth", "Genre et jeunesse"),
        ("climate", "Climate Action", "Action climatique"),
        ("education", "Education and Skills", "Éducation et compétences"),
        ("investment", "Diaspora Investment", "Investissement de la diaspora"),
    ]
    chosen = [
        Sector.objects.get_or_create(
            slug=slug, defaults={"name_en": en, "name_fr": fr, "position": i + 1}
        )[0]
        for i, (slug, en, fr) in enumerate(named[:sectors])
    ]
    capitals = [
        DiasporaCapital.objects.get_or_create(
            slug=slug, defaults={"name_en": f"{slug.title()} capital", "position": i + 1}
        )[0]
        for i, slug in enumerate(["human", "economic", "social", "cultural"])
    ]
    tracks = [RecommendationTrack.objects.create(sector=s, title=s.name_en) for s in chosen]
    states = MemberState.objects.bulk_create(
        [
            MemberState(country=c, joined_on="2023-06-01", is_benefiting=i < 5)
            for i, c in enumerate(COUNTRIES)
        ]
    )
    organizations = Organization.objects.bulk_create(
        [
            Organization(
                name=f"Diaspora Organization {i:02d} of {COUNTRIES[i % len(COUNTRIES)]}",
                kind=Organization.Kind.DIASPORA,
                status=Organization.Status.VERIFIED,
                country=COUNTRIES[i % len(COUNTRIES)],
                contact_email=f"org{i}@example.org",
            )
            for i in range(60)
        ]
    )
    recs = Recommendation.objects.bulk_create(
        [
            Recommendation(
                track=tracks[i % len(tracks)],
                original_language="en",
                title_en=f"Recommendation {i + 1}: diaspora engagement in {tracks[i % len(tracks)].title}",
                title_fr=f"Recommandation {i + 1} : engagement des diasporas",
                title_es=f"Recomendación {i + 1}: participación de las diásporas" if i % 3 else "",
                text_en="".join(f"<p>{PARAGRAPH}</p>" for _ in range(3)),
                text_fr="".join(f"<p>{PARAGRAPH}</p>" for _ in range(3)),
                text_es="".join(f"<p>{PARAGRAPH}</p>" for _ in range(3)) if i % 3 else "",
                rationale=f"<p>{PARAGRAPH}</p>",
                sdg_goals=sorted(rnd.sample(range(1, 18), 3)),
                gcm_objectives=sorted({19, *rnd.sample(range(1, 24), 2)}),
                nexus_pillar=rnd.choice(["humanitarian", "development", "peace"]),
                status=Recommendation.Status.PUBLISHED,
                published_at=now - timedelta(days=rnd.randint(1, 300)),
                position=i // len(tracks) + 1,
            )
            for i in range(recommendations)
        ]
    )
    through = Recommendation.capitals.through
    through.objects.bulk_create(
        [
            through(recommendation_id=r.pk, diasporacapital_id=c.pk)
            for r in recs
            for c in rnd.sample(capitals, 2)
        ]
    )
    Endorsement.objects.bulk_create(
        [
            Endorsement(recommendation=r, member_state=s, endorsed_by_name="Focal Point")
            for r in recs
            for s in rnd.sample(states, rnd.randint(0, 8))
        ]
    )
    OrganizationSupport.objects.bulk_create(
        [
            OrganizationSupport(recommendation=r, organization=o)
            for r in recs
            for o in rnd.sample(organizations, rnd.randint(0, 3))
        ]
    )
    statuses = ["taken_up"] * 5 + ["merged"] * 2 + ["not_taken_up", "submitted", "submitted"]
    RecommendationInput.objects.bulk_create(
        [
            RecommendationInput(
                recommendation=recs[i % len(recs)],
                author_name=f"Participant {i}",
                organization=organizations[i % 60] if i % 2 else None,
                kind="comment",
                text=f"<p>Input {i}: include remittance costs and the voices of young people "
                "in the yearly review.</p>",
                is_youth=i % 5 == 0,
                status=rnd.choice(statuses),
            )
            for i in range(inputs)
        ],
        batch_size=1000,
    )
    youth_quoted = RecommendationInput.objects.filter(
        is_youth=True, status__in=["taken_up", "merged"]
    ).count()
    return {
        "sectors": len(chosen),
        "recommendations": len(recs),
        "inputs": inputs,
        "youth_voices_quoted": youth_quoted,
        "endorsements": Endorsement.objects.count(),
        "supports": OrganizationSupport.objects.count(),
    }


def ask(staff, title: str, language: str, *, enqueue: bool):
    """A queued report of every sector. With ``enqueue`` it is asked for through the
    service (its build is published on commit); without, only the row is written, as the
    service writes it, for a child process to build."""
    from alliance.models import RecommendationReport
    from alliance.services import reports

    if enqueue:
        return reports.report_request(actor=staff, title=title, language=language)
    return RecommendationReport.objects.create(title=title, language=language, requested_by=staff)


# The in-process build (child process) ------------------------------------------------------


def child_main(report_id: int, phases: bool) -> None:
    """Child mode: build one report in this process and print timings and peak RSS."""
    setup_django()
    from django.utils import translation

    from alliance import tasks
    from alliance.models import RecommendationReport
    from alliance.services import reports
    from gdpa.pdf import render_document

    rss_setup = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out: dict = {"pid": os.getpid(), "maxrss_after_setup_mb": round(rss_setup / 1024, 1)}
    report = RecommendationReport.objects.get(pk=report_id)
    if phases:
        t = time.perf_counter()
        content = reports.report_content(report)
        out["content_seconds"] = round(time.perf_counter() - t, 2)
        with translation.override(report.language):
            t = time.perf_counter()
            document = render_document(
                reports.TEMPLATE,
                reports.render_context(report, content),
                base_url="http://127.0.0.1",
            )
            out["layout_seconds"] = round(time.perf_counter() - t, 2)
            t = time.perf_counter()
            pdf = document.write_pdf(**reports.PDF_OPTIONS)
            out["write_pdf_seconds"] = round(time.perf_counter() - t, 2)
        out["pages"] = len(document.pages)
        out["pdf_kb"] = round(len(pdf) / 1024)
    else:
        t = time.perf_counter()
        built = tasks.build_recommendation_report.apply(args=(report_id,)).get()
        out["task_seconds"] = round(time.perf_counter() - t, 2)
        report.refresh_from_db()
        out["built"] = built
        out["status"] = report.status
        out["pages"] = report.pages
        out["pdf_kb"] = round(report.pdf.size / 1024) if report.pdf else None
    # The PDF is laid out in a child process (gdpa/pdf.py): its peak counts too.
    out["maxrss_mb"] = round(
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024,
        1,
    )
    print(json.dumps(out), flush=True)


def run_child(report_id: int, *, phases: bool = False) -> dict:
    args = [sys.executable, "-m", "bench.recommendation_report", "--child", str(report_id)]
    if phases:
        args.append("--phases")
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        args, cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"the build process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# Through a Celery worker ---------------------------------------------------------------------


def pool_processes(worker_pid: int) -> list[int]:
    """The worker's child processes (its prefork pool)."""
    found = []
    for task in Path(f"/proc/{worker_pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found += [int(pid) for pid in children]
    return found


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmHWM for process {pid}")


def wait_ready(report_id: int, timeout: float, worker: Worker) -> float:
    from alliance.models import RecommendationReport

    start = time.time()
    while time.time() - start < timeout:
        status = RecommendationReport.objects.filter(pk=report_id).values_list("status", flat=True)[
            0
        ]
        if status in ("ready", "failed"):
            if status == "failed":
                raise RuntimeError(
                    RecommendationReport.objects.get(pk=report_id).error or "build failed"
                )
            return time.time()
        worker.check()
        time.sleep(0.05)
    raise TimeoutError(f"report {report_id} not ready within {timeout:.0f} s")


def through_celery(staff, language: str, redis_url: str, log_dir: Path) -> dict:
    from alliance.models import RecommendationReport

    worker = Worker("worker1", os.environ.copy(), log_dir, concurrency=1)
    try:
        started = wait_all_ready([worker])
        pool = []
        deadline = time.time() + 30
        while not pool and time.time() < deadline:
            pool = pool_processes(worker.process.pid)
            time.sleep(0.1)
        rss_idle = peak_rss_mb(pool[0])
        t0 = time.time()
        first = ask(staff, "Alliance recommendations (Celery)", language, enqueue=True)
        done = wait_ready(first.pk, 300, worker)
        result = {
            "worker_start_seconds": round(started, 2),
            "pool_process_rss_idle_mb": rss_idle,
            "request_to_ready_seconds": round(done - t0, 2),
            "pool_process_peak_rss_mb": peak_rss_mb(pool[0]),
        }
        t1 = time.time()
        again = ask(staff, "Alliance recommendations (Celery)", language, enqueue=True)
        done = wait_ready(again.pk, 300, worker)
        first.refresh_from_db()
        again.refresh_from_db()
        result["same_report_again_seconds"] = round(done - t1, 2)
        result["same_report_again_shares_the_file"] = again.pdf.name == first.pdf.name
        result["pages"] = first.pages
        result["reports_ready"] = RecommendationReport.objects.filter(status="ready").count()
        return result
    finally:
        worker.stop()


# Main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=150)
    parser.add_argument("--sectors", type=int, default=5)
    parser.add_argument("--inputs", type=int, default=1500)
    parser.add_argument("--language", default="fr", choices=["en", "fr", "es"])
    parser.add_argument("--no-celery", action="store_true", help="skip the Celery worker run")
    parser.add_argument("--keep-pdf", type=Path, help="copy the PDF built in-process here")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--settings", default="gdpa.settings.local")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--phases", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        child_main(args.child, args.phases)
        return 0

    database_url, redis_url = targets(
        DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, redis=not args.no_celery
    )
    media_root = Path(tempfile.mkdtemp(prefix="gdpa-bench-media-"))
    log_dir = Path(tempfile.mkdtemp(prefix="gdpa-bench-"))
    create_database(database_url)
    # --no-celery: no REDIS_URL at all, so tasks run eagerly and the cache is local.
    os.environ.pop("REDIS_URL", None)
    broker = {} if args.no_celery else {"REDIS_URL": redis_url}
    setup_django(database_url, args.settings, MEDIA_ROOT=str(media_root), **broker)
    import weasyprint
    from django.db import connection

    from bench.invite_and_remind import reset_state
    from tests.factories import make_staff

    results = results_head(
        weasyprint=weasyprint.__version__,
        harfbuzz_subset=ctypes.util.find_library("harfbuzz-subset"),
        language=args.language,
    )
    problems: list[str] = []
    try:
        reset_state(None if args.no_celery else redis_url)
        results["pg_version"] = connection.cursor().connection.info.server_version
        t = time.time()
        staff = make_staff(with_mfa=False)
        results["data"] = make_data(
            recommendations=args.recommendations, sectors=args.sectors, inputs=args.inputs
        )
        results["setup_seconds"] = round(time.time() - t, 2)
        log(f"data: {json.dumps(results['data'])} ({results['setup_seconds']} s)")

        phases = run_child(ask(staff, "Phases", args.language, enqueue=False).pk, phases=True)
        results["phases"] = phases
        log(f"phases in a fresh process: {json.dumps(phases)}")
        report = ask(staff, "Alliance recommendations", args.language, enqueue=False)
        in_process = run_child(report.pk)
        results["in_process"] = in_process
        log(f"build task in a fresh process: {json.dumps(in_process)}")
        if in_process["status"] != "ready":
            problems.append(f"in-process build ended {in_process['status']}")
        if args.keep_pdf:
            report.refresh_from_db()
            args.keep_pdf.mkdir(parents=True, exist_ok=True)
            shutil.copy(media_root / report.pdf.name, args.keep_pdf / "recommendation-report.pdf")
        if not args.no_celery:
            results["celery"] = through_celery(staff, args.language, redis_url, log_dir)
            log(f"through a Celery worker: {json.dumps(results['celery'])}")
            if not results["celery"]["same_report_again_shares_the_file"]:
                problems.append("the same unchanged report was stored twice")
        seconds = in_process["task_seconds"]
        peak = in_process["maxrss_mb"]
        if seconds > TARGET_SECONDS:
            problems.append(f"the build took {seconds} s (target {TARGET_SECONDS} s)")
        if peak > TARGET_MB:
            problems.append(f"peak memory {peak} MB (target {TARGET_MB} MB)")
    except Exception as exc:
        problems.append(f"{type(exc).__name__}: {exc}")
        raise
    finally:
        shutil.rmtree(media_root, ignore_errors=True)
        write_results(results, problems, args.json)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
