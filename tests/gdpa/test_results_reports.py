"""Donor progress reports: asked for by staff, built by the task (PDF read back with
pypdf), idempotent, failures shown as something the person can act on, downloads
permission-checked and served as an attachment."""

import datetime
import io
import re

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.urls import reverse
from pypdf import PdfReader

from gdpa import pdf as gdpa_pdf
from gdpa.results import services, tasks
from gdpa.results.models import DonorReport
from tests.gdpa.test_results import INSIDE, held_session, person

pytestmark = pytest.mark.django_db

PERIOD = {"period_start": "2025-01-01", "period_end": "2025-06-30", "language": "en"}


def ask(client, django_capture_on_commit_callbacks, data=PERIOD):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("results:reports"), data)


def pdf_text(report: DonorReport) -> str:
    with report.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_staff_build_the_donor_report_through_the_task_and_download_it(
    client, staff, django_capture_on_commit_callbacks
):
    people = [person("woman", "FJ"), person("", ""), person("man", "PE")]
    held_session(staff, people, people[:2], starts_at=INSIDE)
    client.force_login(staff)
    response = ask(client, django_capture_on_commit_callbacks)
    report = DonorReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "results:report", args=[report.pk]
    )
    assert report.status == DonorReport.Status.READY and report.pages >= 2
    assert report.requested_by == staff
    assert report.pdf.name.startswith("donor-reports/") and report.pdf.name.endswith(".pdf")

    text = pdf_text(report)
    assert "CH10P1170" in text and "TK.0042" in text
    assert "Harnessing Inclusive Global Alliances for Diaspora Engagement" in text
    assert "Sessions held and participation" in text
    assert "Not stated" in text
    # The session's three invitations and two attendances, in the totals.
    assert "Invitations\n3" in text or "Invitations 3" in text

    page = client.get(reverse("results:report", args=[report.pk])).content.decode()
    assert "Download the report (PDF)" in page and "hx-trigger" not in page
    download = client.get(reverse("results:report_download", args=[report.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "gdpa-donor-report-20250101-20250630.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_report_is_in_the_language_asked_for(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    ask(client, django_capture_on_commit_callbacks, {**PERIOD, "language": "fr"})
    text = pdf_text(DonorReport.objects.get())
    assert "CH10P1170" in text
    # Labels already translated read in French (the new ones wait for the translators).
    assert re.search(r"Page \d+ sur \d+", text) and "Alliance mondiale" in text


def test_the_build_is_idempotent(staff):
    report = services.donor_report_request(
        actor=staff,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
        language="en",
    )
    assert tasks.build_donor_report.delay(report.pk).get() is True
    report.refresh_from_db()
    built_at, name = report.built_at, report.pdf.name
    # A duplicate message, or a second worker: nothing happens.
    assert tasks.build_donor_report.delay(report.pk).get() is False
    assert services.donor_report_build(report_id=report.pk) is False
    report.refresh_from_db()
    assert (report.built_at, report.pdf.name, report.status) == (built_at, name, "ready")


def test_a_failed_build_says_what_to_do_and_offers_to_ask_again(
    client, staff, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(report):
        raise OSError("the disk is full")

    monkeypatch.setattr(services, "donor_report_render", broken)
    client.force_login(staff)
    ask(client, django_capture_on_commit_callbacks)
    report = DonorReport.objects.get()
    assert report.status == DonorReport.Status.FAILED
    assert "the disk is full" in report.error
    page = client.get(reverse("results:report", args=[report.pk])).content.decode()
    assert "The report could not be built" in page and "Ask for this report again" in page
    assert client.get(reverse("results:report_download", args=[report.pk])).status_code == 404


def test_a_report_too_large_for_the_memory_limit_fails_at_once_and_says_what_to_ask_for(
    client, staff, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """The renderer (a child process) runs out of its memory; the report fails on the
    first attempt, even with retries left, and the worker builds the next one."""

    def allocate_past_the_limit(html, *, base_url):
        return bytearray(64 * 1024 * 1024)  # four times the limit

    settings.PDF_MEMORY_LIMIT_MB = 16
    monkeypatch.setattr(gdpa_pdf, "layout", allocate_past_the_limit)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("results:reports"), PERIOD)
    report = DonorReport.objects.get()
    assert services.donor_report_build(report_id=report.pk, last_attempt=False) is False
    report.refresh_from_db()
    assert report.status == DonorReport.Status.FAILED
    assert "needed more than 16 MB of memory" in report.error
    assert "Ask for a shorter period." in report.error
    page = client.get(reverse("results:report", args=[report.pk])).content.decode()
    assert "Ask for a shorter period." in page and "Ask for this report again" in page

    monkeypatch.undo()
    settings.PDF_MEMORY_LIMIT_MB = 768
    ask(client, django_capture_on_commit_callbacks)
    assert DonorReport.objects.latest("pk").status == DonorReport.Status.READY


def test_a_build_cut_off_by_the_soft_time_limit_fails_and_says_what_to_ask_for(
    client, staff, django_capture_on_commit_callbacks, monkeypatch
):
    def slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()  # what Celery raises in the task at 120 s

    monkeypatch.setattr(services, "render_pdf", slow)
    client.force_login(staff)
    ask(client, django_capture_on_commit_callbacks)
    report = DonorReport.objects.get()
    assert report.status == DonorReport.Status.FAILED
    assert report.error == (
        "The report took longer than 120 seconds to build, the most one PDF may take. "
        "Ask for a shorter period."
    )


def test_a_report_being_built_polls_and_cannot_be_downloaded_yet(client, staff):
    report = services.donor_report_request(
        actor=staff,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
        language="en",
    )  # not committed in this test: the build never ran
    client.force_login(staff)
    page = client.get(reverse("results:report", args=[report.pk]))
    assert 'hx-trigger="every 2s"' in page.content.decode()
    region = client.get(reverse("results:report", args=[report.pk]), HTTP_HX_REQUEST="true")
    assert region.content.decode().lstrip().startswith('<div id="report-status"')
    assert client.get(reverse("results:report_download", args=[report.pk])).status_code == 404


def test_a_bad_period_is_refused_next_to_the_field_and_nothing_is_queued(
    client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    response = ask(
        client,
        django_capture_on_commit_callbacks,
        {**PERIOD, "period_start": "2025-07-01", "period_end": "2025-06-30"},
    )
    assert response.status_code == 422
    assert "The end of the period must be on or after its start" in response.content.decode()
    assert not DonorReport.objects.exists()


def test_the_dashboard_link_carries_its_period_to_the_report_form(client, staff):
    client.force_login(staff)
    page = client.get(
        reverse("results:reports"), {"period_start": "2025-01-01", "period_end": "2025-06-30"}
    )
    form = page.context["form"]
    assert form.initial["period_start"] == datetime.date(2025, 1, 1)
    assert form.initial["period_end"] == datetime.date(2025, 6, 30)


def test_staff_without_two_factor_and_members_cannot_download(
    client, staff, member, password_only_login
):
    report = services.donor_report_request(
        actor=staff,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
        language="en",
    )
    services.donor_report_build(report_id=report.pk)
    url = reverse("results:report_download", args=[report.pk])
    client.force_login(member)
    assert client.get(url).status_code == 404
    password_only_login(staff)
    assert client.get(url).status_code == 302


def test_the_sweep_enqueues_reports_stuck_queued_or_building(
    staff, django_capture_on_commit_callbacks
):
    from django.conf import settings
    from django.utils import timezone

    def request():
        with django_capture_on_commit_callbacks(execute=False):
            return services.donor_report_request(
                actor=staff,
                period_start=datetime.date(2025, 1, 1),
                period_end=datetime.date(2025, 6, 30),
                language="en",
            )

    stuck, recent = request(), request()
    DonorReport.objects.filter(pk=stuck.pk).update(
        status=DonorReport.Status.BUILDING,
        requested_at=timezone.now() - services.STUCK_AFTER - datetime.timedelta(minutes=1),
    )
    assert tasks.sweep_donor_reports.delay().get() == 1
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.status == DonorReport.Status.READY
    assert recent.status == DonorReport.Status.QUEUED
    assert "sweep-donor-reports" in settings.CELERY_BEAT_SCHEDULE
