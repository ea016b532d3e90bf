"""Benchmark: certificates for a cohort of N completed learners, built by Celery.

Everything runs for real on 127.0.0.1: PostgreSQL, Redis as the Celery broker, K
``celery worker`` subprocesses, and the in-process SMTP sink of ``bench.invite_and_remind``
that counts the "certificate ready" e-mails. Staff issue the certificates through the
service (one transaction; one build task per certificate is published on commit); the
workers render each PDF with WeasyPrint, store it and e-mail the learner. The script
reports the total time and the time per certificate, and exits non-zero unless every
learner got exactly one certificate, one stored PDF and one e-mail.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gdpa_bench_cert \\
    REDIS_URL=redis://127.0.0.1:6379/14 \\
    .venv/bin/python -m bench.certificates --learners 500 --workers 2 --concurrency 1

The database named in DATABASE_URL is created if missing and FLUSHED, and the Redis
database in REDIS_URL is FLUSHED: use dedicated ones (the name must contain "bench").
PDFs are written to a temporary MEDIA_ROOT and static files collected into a temporary
STATIC_ROOT (the PDFs load the logo through the manifest, as in production); both are
removed at the end.
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from bench.common import log, results_head, targets, write_results
from bench.harness import Worker, setup_with_sink, stop_all, wait_all_ready
from bench.invite_and_remind import cpu_report, cpu_sample, make_recipients, reset_state

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpa_bench_cert"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
MEETINGS = 4
MEETING_HOURS = 3
STALL_SECONDS = 120


def make_cohort(staff, n: int):
    """A programme, an offering with its meetings, and n enrolled learners who completed."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from trainings import services
    from trainings.models import Enrollment, Offering, TrainingMeeting, TrainingProgramme

    programme = services.programme_create(
        actor=staff,
        title="Engaging your diaspora: policy foundations",
        summary="How governments work with their diasporas.",
        learning_objectives="Map the diaspora.\nDesign an engagement policy.",
        audience=TrainingProgramme.Audience.DIASPORA,
        mode=TrainingProgramme.Mode.ONLINE,
        published=True,
    )
    now = timezone.now()
    offering = services.offering_create(
        actor=staff,
        programme=programme,
        title="Benchmark cohort",
        starts_on=(now - timedelta(days=20)).date(),
        ends_on=(now - timedelta(days=2)).date(),
        time_zone="Europe/Zurich",
        join_url="https://meet.example.org/gdpa-bench",
        capacity=n,
        enrollment_opens_at=now - timedelta(days=60),
        enrollment_closes_at=now - timedelta(days=21),
        status=Offering.Status.OPEN,
    )
    for i in range(MEETINGS):
        begins = now - timedelta(days=20 - 4 * i)
        TrainingMeeting.objects.create(
            offering=offering,
            title=f"Module {i + 1}",
            starts_at=begins,
            ends_at=begins + timedelta(hours=MEETING_HOURS),
        )
    learners = get_user_model().objects.filter(email__startswith="bench-")
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                offering=offering,
                user=person,
                status=Enrollment.Status.ENROLLED,
                completed_at=now - timedelta(days=1),
            )
            for person in learners
        ],
        batch_size=1000,
    )
    return offering


def wait_built(*, n: int, sink, timeout: float, workers: list[Worker]) -> None:
    """Wait until n certificates have a PDF and n e-mails reached the sink."""
    from trainings.models import Certificate

    start = time.time()
    last = 0.0
    progress = (0, start)  # (built, when that count was first seen)
    while True:
        now = time.time()
        if now - last >= 2:
            last = now
            built = Certificate.objects.filter(pdf_built_at__isnull=False).count()
            mails = len(sink.snapshot())
            log(f"  built {built}/{n}, e-mails at the sink {mails}/{n}")
            if built >= n and mails >= n:
                return
            if built != progress[0]:
                progress = (built, now)
            elif now - progress[1] > STALL_SECONDS:
                raise RuntimeError(f"no PDF built for {STALL_SECONDS} s: see the worker logs")
        for worker in workers:
            worker.check()
        if now - start > timeout:
            raise TimeoutError(f"certificates not built within {timeout:.0f} s")
        time.sleep(0.2)


def verify(*, emails: list[str], sink, media_root: Path) -> tuple[list[str], dict]:
    from django.db.models import Count

    from gdpa.audit.models import AuditEntry
    from gdpa.notify.models import OutboundEmail
    from trainings.models import Certificate

    problems = []
    n = len(emails)
    certificates = Certificate.objects.select_related("enrollment__user")
    if certificates.count() != n:
        problems.append(f"{certificates.count()} certificates for {n} learners")
    per_enrollment = certificates.values("enrollment").annotate(c=Count("pk"))
    if per_enrollment.filter(c__gt=1).exists():
        problems.append("an enrollment has two certificates")
    builds = AuditEntry.objects.filter(action="certificate.pdf_build").count()
    if builds != n:
        problems.append(f"{builds} PDF builds recorded for {n} certificates")
    sizes = []
    for certificate in certificates:
        path = media_root / certificate.pdf.name
        if not path.is_file() or not path.read_bytes().startswith(b"%PDF-"):
            problems.append(f"certificate {certificate.pk} has no PDF at {path}")
            break
        sizes.append(path.stat().st_size)
    at_sink = Counter(rcpt for _t, rcpt, *_rest in sink.snapshot())
    missing = [e for e in emails if at_sink[e] == 0]
    twice = [e for e in emails if at_sink[e] > 1]
    if missing:
        problems.append(f"{len(missing)} learners got no e-mail, e.g. {missing[:3]}")
    if twice:
        problems.append(f"{len(twice)} learners got the e-mail twice, e.g. {twice[:3]}")
    status = Counter(
        OutboundEmail.objects.filter(kind="certificate_ready").values_list("status", flat=True)
    )
    if status.get("sent", 0) != n:
        problems.append(f"certificate_ready e-mails: {dict(status)}")
    return problems, {
        "pdf_kb_mean": round(sum(sizes) / len(sizes) / 1024, 1) if sizes else None,
        "pdf_kb_max": round(max(sizes) / 1024, 1) if sizes else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2, help="celery worker processes")
    parser.add_argument("--concurrency", type=int, default=1, help="pool size of each worker")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--settings", default="gdpa.settings.local")
    args = parser.parse_args()

    database_url, redis_url = targets(DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL)
    n = args.learners
    results = results_head(
        learners=n, workers=args.workers, concurrency=args.concurrency, settings=args.settings
    )

    media_root = Path(tempfile.mkdtemp(prefix="gdpa-bench-media-"))
    # Production serves collected static files through the manifest; the PDFs load the
    # logo from there, so collect them once, as a deployment does.
    static_root = Path(tempfile.mkdtemp(prefix="gdpa-bench-static-"))
    log(f"PDFs in {media_root}")
    controller, sink, env = setup_with_sink(
        database_url,
        redis_url,
        args.settings,
        MEDIA_ROOT=str(media_root),
        STATIC_ROOT=str(static_root),
    )
    import weasyprint
    from django.db import connection

    from tests.factories import make_staff
    from trainings import certificates

    results["weasyprint"] = weasyprint.__version__
    log_dir = Path(tempfile.mkdtemp(prefix="gdpa-bench-"))
    workers: list = []
    problems: list = []
    try:
        t = time.time()
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        reset_state(redis_url)
        results["pg_version"] = connection.cursor().connection.info.server_version
        staff = make_staff(with_mfa=False)
        languages = make_recipients(n)
        emails = list(languages)
        offering = make_cohort(staff, n)
        results["setup_seconds"] = round(time.time() - t, 2)
        log(f"{n} learners completed the offering (setup {results['setup_seconds']} s)")

        workers = [
            Worker(f"worker{i}", env, log_dir, concurrency=args.concurrency)
            for i in range(1, args.workers + 1)
        ]
        results["worker_start_seconds"] = round(wait_all_ready(workers), 2)
        log(f"{args.workers} workers x {args.concurrency} ready (logs in {log_dir})")

        cpu_before = cpu_sample()
        t0 = time.time()
        issued = certificates.certificates_issue(actor=staff, offering=offering)
        t_issue = time.time() - t0
        if len(issued) != n:
            raise RuntimeError(f"issued {len(issued)} certificates, expected {n}")
        log(f"certificates_issue: {n} certificates in {t_issue:.2f} s; builds enqueued")
        wait_built(n=n, sink=sink, timeout=args.timeout, workers=workers)
        results["cpu"] = cpu_report(cpu_before, cpu_sample(), n)

        from django.db.models import Max, Min

        from trainings.models import Certificate

        span = Certificate.objects.aggregate(lo=Min("pdf_built_at"), hi=Max("pdf_built_at"))
        last_built = span["hi"].timestamp() - t0
        results["certificates"] = {
            "issue_call_seconds": round(t_issue, 2),
            "issue_ms_per_certificate": round(1000 * t_issue / n, 2),
            "first_pdf_after_seconds": round(span["lo"].timestamp() - t0, 2),
            "all_pdfs_built_after_seconds": round(last_built, 2),
            "wall_ms_per_certificate": round(1000 * last_built / n, 1),
            "pdfs_per_second": round(n / last_built, 2),
        }
        log(f"results: {json.dumps(results['certificates'])}")
        log(f"CPU seconds: {json.dumps(results['cpu'])}")

        time.sleep(2)  # let any duplicate (redelivered) task arrive before counting
        found, sizes = verify(emails=emails, sink=sink, media_root=media_root)
        problems += found
        results["pdf_size"] = sizes
    except Exception as exc:
        problems.append(f"{type(exc).__name__}: {exc}")
        raise
    finally:
        stop_all(workers)
        controller.stop()
        shutil.rmtree(media_root, ignore_errors=True)
        shutil.rmtree(static_root, ignore_errors=True)
        write_results(results, problems, args.json, exactly_once=not problems)
    if problems:
        return 1
    log("OK: every learner got exactly one certificate, one PDF and one e-mail")
    return 0


if __name__ == "__main__":
    sys.exit(main())
