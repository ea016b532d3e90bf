"""Benchmark: the results dashboard and the donor progress report at scale.

Builds the alliance of ``bench/scale.py`` (175 member states, 10,000 organizations,
100,000 people) in a PostgreSQL database made for it, then adds activity in bulk over
2023-2025: held sessions with their participants and attendance, training cohorts with
enrollments and completions, youth profiles, youth inputs (some taken up), published
stories and recommendations endorsed by member states. Then it times, for the whole period
(from the first data to today):

1. the computation (``results_for_period``: every indicator's aggregate queries), cold and
   warm, with its query count;
2. the full page (``results:dashboard``) through the test Client, signed in as IOM staff
   whose second factor is recorded (as tests/conftest.py does);
3. the donor report's PDF, built in-process by the task's service.

    .venv/bin/python -m bench.results_dashboard \\
        --database-url postgres://postgres@127.0.0.1:5432/gdpa_bench_results

The database is DROPPED and created again (its name must contain "bench"). Bounded: the
build takes about a minute, the timings a few seconds each.
"""

import argparse
import json
import platform
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from bench.common import log, setup_django
from bench.scale import build_members, reset_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gdpa_bench_results"
BATCH = 5000
SESSIONS = 300
PARTICIPANTS_PER_SESSION = 60
OFFERINGS = 60
ENROLLMENTS_PER_OFFERING = 40
YOUTH = 5000
YOUTH_INPUTS = 3000
STORIES = 600
RECOMMENDATIONS = 120
FIRST_DAY = datetime(2023, 3, 1, tzinfo=UTC)
DAYS = 1000


def _at(rnd: random.Random) -> datetime:
    return FIRST_DAY + timedelta(days=rnd.randrange(DAYS), minutes=rnd.randrange(1440))


def build_activity(seed: int = 23) -> dict:
    from django.contrib.auth import get_user_model

    from alliance.models import (
        AllianceSession,
        Endorsement,
        MemberState,
        Participant,
        Recommendation,
        RecommendationInput,
        RecommendationTrack,
        Sector,
    )
    from trainings.models import Enrollment, Offering, TrainingProgramme
    from youth.models import Story, YouthProfile

    rnd = random.Random(seed)
    started = time.monotonic()
    User = get_user_model()
    people = list(
        User.objects.filter(email__startswith="person-")
        .order_by("pk")
        .values_list("pk", "email")[:60000]
    )
    staff = User.objects.get(email="staff@bench.example.org")
    sectors = list(Sector.objects.all())

    sessions = AllianceSession.objects.bulk_create(
        AllianceSession(
            title=f"Session {i}",
            kind=rnd.choice(AllianceSession.Kind.values),
            time_zone="UTC",
            starts_at=(at := _at(rnd)),
            ends_at=at + timedelta(hours=2),
            format=AllianceSession.Format.ONLINE,
            join_url="https://meet.example.org/s",
            status=AllianceSession.Status.HELD,
            created_by=staff,
        )
        for i in range(SESSIONS)
    )
    participants = (
        Participant(
            session=session,
            user_id=pk,
            email=email,
            rsvp=Participant.Rsvp.ACCEPTED,
            attended=rnd.random() < 0.7,
        )
        for session in sessions
        for pk, email in rnd.sample(people, PARTICIPANTS_PER_SESSION)
    )
    Participant.objects.bulk_create(participants, batch_size=BATCH)
    log(f"{SESSIONS} sessions, {SESSIONS * PARTICIPANTS_PER_SESSION} participants")

    programme = TrainingProgramme.objects.create(
        title="Engaging your diaspora",
        summary="Bench",
        learning_objectives="Bench",
        audience=TrainingProgramme.Audience.DIASPORA,
        mode=TrainingProgramme.Mode.ONLINE,
        published=True,
    )
    offerings = Offering.objects.bulk_create(
        Offering(
            programme=programme,
            title=f"Cohort {i}",
            starts_on=(day := _at(rnd).date()),
            ends_on=day + timedelta(days=5),
            capacity=ENROLLMENTS_PER_OFFERING,
            enrollment_opens_at=FIRST_DAY,
            enrollment_closes_at=FIRST_DAY + timedelta(days=1),
            status=Offering.Status.CLOSED,
        )
        for i in range(OFFERINGS)
    )
    Enrollment.objects.bulk_create(
        (
            Enrollment(
                offering=offering,
                user_id=pk,
                status=Enrollment.Status.ENROLLED,
                completed_at=_at(rnd) if rnd.random() < 0.6 else None,
            )
            for offering in offerings
            for pk, _email in rnd.sample(people, ENROLLMENTS_PER_OFFERING)
        ),
        batch_size=BATCH,
    )
    log(f"{OFFERINGS} cohorts, {OFFERINGS * ENROLLMENTS_PER_OFFERING} enrollments")

    youth_ids = [pk for pk, _email in people[-YOUTH:]]
    YouthProfile.objects.bulk_create(
        (
            YouthProfile(
                user_id=pk,
                date_of_birth=date(1990, 1, 1) + timedelta(days=rnd.randrange(17 * 365)),
                heritage_countries=["PE"],
                consent_at=FIRST_DAY,
                consent_version="2026-11",
            )
            for pk in youth_ids
        ),
        batch_size=BATCH,
    )
    # created_at is set on insert; spread the joining days over the project.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE youth_youthprofile SET created_at = %s + (id %% %s) * interval '1 day'",
            [FIRST_DAY, DAYS],
        )

    tracks = RecommendationTrack.objects.bulk_create(
        RecommendationTrack(sector=s, title=f"Track {s.pk}", created_by=staff) for s in sectors
    )
    recommendations = Recommendation.objects.bulk_create(
        Recommendation(
            track=rnd.choice(tracks),
            original_language="en",
            title_en=f"Recommendation {i}",
            text_en="<p>Text</p>",
            status=Recommendation.Status.PUBLISHED,
            published_at=_at(rnd),
            created_by=staff,
        )
        for i in range(RECOMMENDATIONS)
    )
    states = list(MemberState.objects.all())
    Endorsement.objects.bulk_create(
        (
            Endorsement(
                recommendation=rec,
                member_state=state,
                endorsed_by=staff,
                endorsed_by_name="Focal point",
                endorsed_at=_at(rnd),
            )
            for rec in recommendations
            for state in rnd.sample(states, 8)
        ),
        batch_size=BATCH,
    )
    RecommendationInput.objects.bulk_create(
        (
            RecommendationInput(
                recommendation=rnd.choice(recommendations),
                author_id=rnd.choice(youth_ids),
                author_name="Young person",
                kind=RecommendationInput.Kind.COMMENT,
                text="Input",
                is_youth=True,
                status=rnd.choice(RecommendationInput.Status.values),
                created_at=_at(rnd),
            )
            for _i in range(YOUTH_INPUTS)
        ),
        batch_size=BATCH,
    )
    Story.objects.bulk_create(
        (
            Story(
                author_id=rnd.choice(youth_ids),
                title=f"Story {i}",
                summary="Summary",
                text="Text",
                sector=rnd.choice(sectors),
                country="PE",
                status=Story.Status.PUBLISHED,
                published_at=_at(rnd),
            )
            for i in range(STORIES)
        ),
        batch_size=BATCH,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    built = {
        "sessions": SESSIONS,
        "participants": SESSIONS * PARTICIPANTS_PER_SESSION,
        "offerings": OFFERINGS,
        "enrollments": OFFERINGS * ENROLLMENTS_PER_OFFERING,
        "youth_profiles": YOUTH,
        "youth_inputs": YOUTH_INPUTS,
        "stories": STORIES,
        "recommendations": RECOMMENDATIONS,
        "endorsements": RECOMMENDATIONS * 8,
        "seconds": round(time.monotonic() - started, 1),
    }
    log(f"activity {built}")
    return built


def clear_activity() -> None:
    """Remove the activity of an earlier run (the members stay)."""
    from alliance.models import (
        AllianceSession,
        Endorsement,
        Recommendation,
        RecommendationInput,
        RecommendationTrack,
    )
    from gdpa.results.models import DonorReport
    from trainings.models import Enrollment, Offering, TrainingProgramme
    from youth.models import Story, YouthProfile

    for model in (
        DonorReport,
        Story,
        RecommendationInput,
        Endorsement,
        Recommendation,
        RecommendationTrack,
        YouthProfile,
        Enrollment,
        Offering,
        TrainingProgramme,
        AllianceSession,
    ):
        model.objects.all().delete()


def _timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(round((time.perf_counter() - t) * 1000, 1))
    return times


def measure(repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from gdpa.results import selectors, services
    from gdpa.results.models import DonorReport
    from gdpa.results.registry import indicators
    from tests.conftest import record_sign_in

    period = selectors.default_period()
    log(f"whole period {period[0]} to {period[1]}")
    counted = []

    def count(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        cold = _timed(lambda: selectors.results_for_period(*period), 1)
    selector_queries = len(counted)
    selector = _timed(lambda: selectors.results_for_period(*period), repeat)
    per_indicator = {
        i.key: statistics.median(_timed(lambda i=i: i.compute(*period), 3)) for i in indicators()
    }

    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.get(email="staff@bench.example.org")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    record_sign_in(client, staff, second_factor=True)
    url = reverse("results:dashboard")
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    counted.clear()
    with connection.execute_wrapper(count):
        client.get(url)
    page_queries = len(counted)
    page = _timed(lambda: client.get(url), repeat)
    size = len(first.content)

    # With no broker (the embedded default) the task runs in-process when the request
    # commits: the call returns once the PDF is built.
    t = time.perf_counter()
    report = services.donor_report_request(
        actor=staff, period_start=period[0], period_end=period[1], language="en"
    )
    pdf_seconds = round(time.perf_counter() - t, 2)
    report = DonorReport.objects.get(pk=report.pk)
    assert report.status == DonorReport.Status.READY, report.error
    return {
        "period": [str(period[0]), str(period[1])],
        "selector_cold_ms": cold[0],
        "selector_queries": selector_queries,
        "per_indicator_median_ms": per_indicator,
        "selector_ms": selector,
        "selector_median_ms": statistics.median(selector),
        "page_ms": page,
        "page_median_ms": statistics.median(page),
        "page_queries": page_queries,
        "page_bytes": size,
        "pdf_seconds": pdf_seconds,
        "pdf_pages": report.pages,
        "pdf_bytes": report.pdf.size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--organizations", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument(
        "--reuse-members",
        action="store_true",
        help="keep the members of an earlier run (only the activity is built again)",
    )
    args = parser.parse_args()
    if not args.reuse_members:
        reset_database(args.database_url)
    setup_django(args.database_url)
    import tempfile

    from django.conf import settings

    # The PDF goes to a temporary private storage, removed at the end; plain static storage
    # (the manifest needs collectstatic, which is not what is measured).
    private = tempfile.mkdtemp(prefix="gdpa-bench-results-")
    from django.test import override_settings

    storages = override_settings(
        STORAGES={
            **settings.STORAGES,
            "private": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": private},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )
    storages.enable()
    if args.reuse_members:
        members = {"reused": True}
        clear_activity()
    else:
        members = build_members(organizations=args.organizations, people=args.people)
    activity = build_activity()
    results = {
        "machine": f"{platform.machine()}, {platform.python_version()}, "
        f"{__import__('os').cpu_count()} CPUs",
        "members": members,
        "activity": activity,
        **measure(args.repeat),
    }
    import shutil

    shutil.rmtree(private, ignore_errors=True)
    print(json.dumps(results, indent=2))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
