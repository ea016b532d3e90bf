"""The exports kernel: safe cells, personal columns only with the permission, small
exports streamed and large ones built by the task, expiring links, audit entries."""

import csv
import datetime as dt
import io
from datetime import timedelta

import pytest
import time_machine
from django import forms
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gdpa.accounts.models import User
from gdpa.audit.models import AuditEntry
from gdpa.exports import registry, services, writers
from gdpa.exports.models import ExportJob
from gdpa.exports.registry import Column, ExportDataset
from gdpa.notify.models import OutboundEmail
from tests import factories

# --- the writers -------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_could_start_a_formula_gets_an_apostrophe(prefix):
    assert writers.neutralise(f"{prefix}HYPERLINK(1)") == f"'{prefix}HYPERLINK(1)"


def test_numbers_stay_numbers_and_times_are_iso_in_utc():
    assert writers.neutralise(-5) == -5
    assert writers.neutralise(2.5) == 2.5
    assert writers.neutralise(True) is True
    assert writers.neutralise(None) == ""
    assert writers.neutralise("plain text") == "plain text"
    assert writers.neutralise("a = b") == "a = b"
    assert writers.neutralise(dt.date(2026, 3, 1)) == "2026-03-01"
    fiji = dt.timezone(timedelta(hours=12))
    assert writers.neutralise(dt.datetime(2026, 3, 1, 21, 30, tzinfo=fiji)) == (
        "2026-03-01T09:30:00Z"
    )


def test_the_csv_starts_with_the_byte_order_mark_and_neutralises_every_cell():
    data = b"".join(writers.csv_chunks(["Name", "Count"], [["=1+1", 3], ["-2", -2]]))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Name", "Count"], ["'=1+1", "3"], ["'-2", "-2"]]


def test_the_xlsx_keeps_numbers_and_neutralises_text():
    handle = io.BytesIO()
    writers.write_xlsx(handle, ["Name", "Count"], [["@SUM(A1)", 7], ["ok\x01", 1.5]])
    handle.seek(0)
    sheet = load_workbook(handle, read_only=True).active
    assert list(sheet.values) == [("Name", "Count"), ("'@SUM(A1)", 7), ("ok", 1.5)]


# --- a dataset for the kernel's tests ------------------------------------------------------

DOMAIN = "@people.test"


class PeopleFilterForm(forms.Form):
    country = forms.ChoiceField(
        label="Country of residence",
        choices=[("", "All"), ("FJ", "Fiji"), ("PE", "Peru")],
        required=False,
        error_messages={"invalid_choice": "Choose a country from the list."},
    )


def _people(filters):
    form = PeopleFilterForm(filters)
    form.is_valid()
    queryset = User.objects.filter(email__endswith=DOMAIN)
    if form.cleaned_data.get("country"):
        queryset = queryset.filter(country_of_residence=form.cleaned_data["country"])
    return queryset


def people_rows(filters, *, personal):
    fields = ["country_of_residence", "date_joined", "pk"]
    if personal:
        fields += ["full_name", "email"]
    for row in _people(filters).order_by("pk").values_list(*fields).iterator(chunk_size=2):
        item = {"country": row[0], "joined": row[1], "number": row[2]}
        if personal:
            item["name"], item["email"] = row[3], row[4]
        yield item


PEOPLE = ExportDataset(
    key="test-people",
    label="Test people",
    columns=(
        Column("country", "Country"),
        Column("joined", "Joined (UTC)"),
        Column("number", "Number"),
        Column("name", "Name", personal=True),
        Column("email", "E-mail", personal=True),
    ),
    rows=people_rows,
    count=lambda filters: _people(filters).count(),
    filter_form=PeopleFilterForm,
)


@pytest.fixture(autouse=True)
def people_dataset():
    registry.register_dataset(PEOPLE)
    yield PEOPLE
    registry._datasets.pop(PEOPLE.key, None)


def make_people(n: int, *, country: str = "FJ", start: int = 0):
    return [
        factories.make_user(
            email=f"p{start + i}{DOMAIN}",
            full_name='=HYPERLINK("http://evil")' if i == 0 else f"Person {start + i}",
            country_of_residence=country,
        )
        for i in range(n)
    ]


def grant_personal(user):
    user.user_permissions.add(Permission.objects.get(codename="export_personal_data"))
    return User.objects.get(pk=user.pk)


def start_url(**filters) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"dataset": PEOPLE.key, **filters}.items())
    return f"{reverse('exports:start')}?{query}"


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


# --- the confirmation page and streamed exports ---------------------------------------------


@pytest.mark.django_db
def test_the_confirmation_page_says_what_will_be_exported(client, staff):
    make_people(2, country="FJ")
    make_people(1, country="PE", start=10)
    client.force_login(staff)
    response = client.get(start_url(country="FJ"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Test people" in page
    assert "Country of residence: Fiji" in page
    assert "2 rows" in page
    assert "you do not have the permission to export personal data" in page
    assert not AuditEntry.objects.filter(action__startswith="export.").exists()


@pytest.mark.django_db
def test_without_the_permission_no_personal_column_and_no_address(client, staff):
    make_people(3)
    client.force_login(staff)
    response = client.post(start_url(), {"format": "csv", "personal": "on"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="test-people-')
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["Country", "Joined (UTC)", "Number"]
    assert len(rows) == 4
    assert DOMAIN not in body and "Person" not in body


@pytest.mark.django_db
def test_with_the_permission_personal_columns_are_included_and_neutralised(client, staff):
    make_people(2)
    client.force_login(grant_personal(staff))
    rows = read_csv(client.post(start_url(), {"format": "csv", "personal": "on"}))
    assert rows[0] == ["Country", "Joined (UTC)", "Number", "Name", "E-mail"]
    assert rows[1][3] == '\'=HYPERLINK("http://evil")'
    assert rows[1][4] == f"p0{DOMAIN}"
    assert rows[1][1].endswith("Z")


@pytest.mark.django_db
def test_staff_with_the_permission_may_leave_personal_fields_out(client, staff):
    make_people(2)
    client.force_login(grant_personal(staff))
    rows = read_csv(client.post(start_url(), {"format": "csv"}))
    assert rows[0] == ["Country", "Joined (UTC)", "Number"]


@pytest.mark.django_db
def test_an_xlsx_export_is_a_workbook_without_personal_fields(client, staff):
    make_people(2)
    client.force_login(staff)
    response = client.post(start_url(), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == writers.XLSX_CONTENT_TYPE
    assert ".xlsx" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.values)
    assert rows[0] == ("Country", "Joined (UTC)", "Number")
    assert len(rows) == 3
    assert isinstance(rows[1][2], int)
    assert DOMAIN.encode() not in content


@pytest.mark.django_db
def test_filters_are_honoured(client, staff):
    make_people(2, country="FJ")
    make_people(3, country="PE", start=10)
    client.force_login(staff)
    rows = read_csv(client.post(start_url(country="PE"), {"format": "csv"}))
    assert [row[0] for row in rows[1:]] == ["PE", "PE", "PE"]


@pytest.mark.django_db
def test_invalid_filters_show_the_errors_and_export_nothing(client, staff):
    make_people(1)
    client.force_login(staff)
    response = client.post(start_url(country="XX"), {"format": "csv"})
    assert response.status_code == 422
    assert "Choose a country from the list." in response.content.decode()
    assert not AuditEntry.objects.filter(action__startswith="export.").exists()
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_bad_format_is_refused_with_a_message(client, staff):
    make_people(1)
    client.force_login(staff)
    response = client.post(start_url(), {"format": "pdf"})
    assert response.status_code == 422
    assert "Choose CSV or Excel (XLSX)." in response.content.decode()
    assert not AuditEntry.objects.filter(action__startswith="export.").exists()


@pytest.mark.django_db
def test_an_unknown_dataset_is_not_found(client, staff):
    client.force_login(staff)
    assert client.get(reverse("exports:start") + "?dataset=nope").status_code == 404
    assert client.get(reverse("exports:start")).status_code == 404


@pytest.mark.django_db
def test_people_who_are_not_staff_cannot_export(client, member, staff_without_mfa):
    client.force_login(member)
    assert client.get(start_url()).status_code == 404
    assert client.post(start_url(), {"format": "csv"}).status_code == 404
    client.force_login(staff_without_mfa)
    assert client.post(start_url(), {"format": "csv"}).status_code == 302


@pytest.mark.django_db
def test_a_streamed_export_is_audit_logged(client, staff):
    make_people(2, country="FJ")
    client.force_login(grant_personal(staff))
    read_csv(client.post(start_url(country="FJ"), {"format": "csv", "personal": "on"}))
    entry = AuditEntry.objects.get(action="export.stream")
    assert entry.actor == staff
    assert entry.after == {
        "dataset": "test-people",
        "format": "csv",
        "filters": "country=FJ",
        "include_personal": True,
        "rows": 2,
    }


@pytest.mark.django_db
def test_a_streamed_export_runs_a_fixed_number_of_queries_whatever_its_size(client, staff):
    client.force_login(staff)
    make_people(3)

    def queries_for_export() -> int:
        response = client.post(start_url(), {"format": "csv"})
        with CaptureQueriesContext(connection) as captured:
            rows = read_csv(response)
        return len(captured), len(rows)

    small, small_rows = queries_for_export()
    make_people(12, start=100)
    large, large_rows = queries_for_export()
    assert (small_rows, large_rows) == (4, 16)
    assert small == large


# --- large exports: the job, its task, its link ------------------------------------------


def request_job(client, django_capture_on_commit_callbacks, **filters):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(start_url(**filters), {"format": "csv"})
    return response


@pytest.mark.django_db
@override_settings(EXPORT_STREAM_MAX_ROWS=2)
def test_a_large_export_is_built_by_the_task_and_the_requester_emailed(
    client, staff, django_capture_on_commit_callbacks
):
    make_people(3)
    client.force_login(staff)
    response = request_job(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert job.status == ExportJob.Status.DONE
    assert (job.rows_done, job.rows_total) == (3, 3)
    assert job.expires_at == job.finished_at + timedelta(hours=24)
    assert OutboundEmail.objects.get(kind="export_ready").to_email == staff.email
    assert mail.outbox[-1].to == [staff.email]
    assert reverse("exports:download", args=[job.pk]) in mail.outbox[-1].body
    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert "Download the file" in page
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "Country,Joined (UTC),Number"
    assert DOMAIN not in body
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert [a for a in actions if a.startswith("export.")] == [
        "export.request",
        "export.build",
        "export.download",
    ]


@pytest.mark.django_db
@override_settings(EXPORT_STREAM_MAX_ROWS=3)
def test_up_to_the_threshold_the_export_streams(client, staff):
    make_people(3)
    client.force_login(staff)
    response = client.post(start_url(), {"format": "csv"})
    assert response.status_code == 200
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_the_progress_page_polls_while_the_job_is_queued(client, staff):
    make_people(2)
    job = ExportJob.objects.create(
        requested_by=staff, dataset=PEOPLE.key, format="csv", rows_total=2000, rows_done=500
    )
    client.force_login(staff)
    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'role="status"' in page
    assert "500 of 2000 rows written" in page
    region = client.get(reverse("exports:job", args=[job.pk]), headers={"HX-Request": "true"})
    assert b"<html" not in region.content and b"export-status" in region.content
    # Not built yet: the download sends the person back to the progress page.
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 302


def make_job(staff, **fields) -> ExportJob:
    return ExportJob.objects.create(
        requested_by=staff, dataset=PEOPLE.key, format="csv", rows_total=3, **fields
    )


@pytest.mark.django_db
def test_the_task_updates_progress_as_it_writes(staff, monkeypatch):
    make_people(5)
    job = make_job(staff)
    seen = []

    def watching_rows(filters, *, personal):
        for row in people_rows(filters, personal=personal):
            seen.append(ExportJob.objects.get(pk=job.pk).rows_done)
            yield row

    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    registry.register_dataset(
        ExportDataset(
            key=PEOPLE.key,
            label=PEOPLE.label,
            columns=PEOPLE.columns,
            rows=watching_rows,
            count=PEOPLE.count,
        )
    )
    assert services.export_job_run(job_id=job.pk) is True
    assert seen == [0, 0, 2, 2, 4]
    job.refresh_from_db()
    assert (job.status, job.rows_done) == ("done", 5)


@pytest.mark.django_db
def test_the_task_is_idempotent(staff):
    make_people(2)
    job = make_job(staff)
    assert services.export_job_run(job_id=job.pk) is True
    first = ExportJob.objects.get(pk=job.pk).file.name
    assert services.export_job_run(job_id=job.pk) is False
    assert ExportJob.objects.get(pk=job.pk).file.name == first
    assert OutboundEmail.objects.filter(kind="export_ready").count() == 1


@pytest.mark.django_db
def test_a_job_running_in_a_live_worker_is_skipped_and_a_crashed_one_rebuilt(staff):
    make_people(2)
    now = timezone.now()
    live = make_job(staff, status="running", started_at=now - timedelta(minutes=1))
    crashed = make_job(staff, status="running", started_at=now - timedelta(hours=1))
    failed = make_job(staff, status="failed", error="MemoryError")
    assert services.export_job_run(job_id=live.pk) is False
    assert services.export_job_run(job_id=crashed.pk) is True
    assert services.export_job_run(job_id=failed.pk) is True
    assert ExportJob.objects.get(pk=failed.pk).error == ""
    assert ExportJob.objects.get(pk=live.pk).status == "running"


@pytest.mark.django_db
def test_the_sweep_enqueues_again_jobs_left_unbuilt(staff):
    make_people(1)
    lost = make_job(staff, created_at=timezone.now() - timedelta(hours=1))
    fresh = make_job(staff)
    result = services.export_sweep()
    assert result == {"expired": 0, "requeued": 1}
    assert ExportJob.objects.get(pk=lost.pk).status == "done"  # eager in tests
    assert ExportJob.objects.get(pk=fresh.pk).status == "queued"


@pytest.mark.django_db
@override_settings(EXPORT_STREAM_MAX_ROWS=1, EXPORT_LINK_HOURS=2)
def test_the_link_expires_and_the_sweep_deletes_the_file(
    client, staff, django_capture_on_commit_callbacks
):
    make_people(2)
    client.force_login(staff)
    request_job(client, django_capture_on_commit_callbacks, country="FJ")
    job = ExportJob.objects.get()
    storage, name = ExportJob.file.field.storage, job.file.name
    assert storage.exists(name)
    url = reverse("exports:download", args=[job.pk])
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=59)):
        assert client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1)):
        expired = client.get(url)
        assert expired.status_code == 410
        page = expired.content.decode()
        assert "This download link has expired" in page
        assert f"dataset={PEOPLE.key}&amp;country=FJ" in page
        assert services.export_sweep()["expired"] == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    assert not job.file
    assert not storage.exists(name)
    assert client.get(url).status_code == 410


@pytest.mark.django_db
@override_settings(EXPORT_STREAM_MAX_ROWS=1)
def test_other_staff_cannot_see_or_download_someone_elses_export(
    client, staff, django_capture_on_commit_callbacks
):
    make_people(2)
    client.force_login(staff)
    request_job(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    colleague = factories.make_staff()
    client.force_login(grant_personal(colleague))
    assert client.get(reverse("exports:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404
    assert job.pk not in [j.pk for j in client.get(reverse("exports:index")).context["page"]]


#: The session, the person, their roles, the jobs page and one query per list of choices
#: in the registered datasets' filter forms: fixed, whatever the number of jobs.
MAX_INDEX_QUERIES = 20


@pytest.mark.django_db
def test_the_exports_page_lists_datasets_and_the_persons_jobs(
    client, staff, django_assert_max_num_queries
):
    client.force_login(staff)
    for _ in range(3):
        make_job(staff, status="done", rows_done=3)
    with django_assert_max_num_queries(MAX_INDEX_QUERIES):
        small = client.get(reverse("exports:index"))
    for _ in range(30):
        make_job(staff)
    with django_assert_max_num_queries(MAX_INDEX_QUERIES):
        large = client.get(reverse("exports:index"))
    assert small.status_code == large.status_code == 200
    page = large.content.decode()
    assert "Test people" in page and "Country of residence" in page
    assert "Page 1 of 2" in page
