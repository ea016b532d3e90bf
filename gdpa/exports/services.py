"""Exports: what a dataset's rows become, streamed straight away or built by a task.

The kernel knows no app: it reads a registered ``ExportDataset`` (see ``registry.py``),
drops its personal columns for whoever may not see them, and writes the rows through
``writers``. Every export is audit-logged with who, dataset, format, filters, whether
personal fields were included and the row count.
"""

import logging
import tempfile
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from gdpa.audit.services import audit_record
from gdpa.notify.dispatch import enqueue_on_commit, publish_each
from gdpa.notify.services import email_render_and_queue

from . import writers
from .models import ExportJob
from .registry import Column, ExportDataset, dataset

logger = logging.getLogger(__name__)

#: Query-string keys that belong to the exports pages, never to a dataset's filters.
OWN_KEYS = ("dataset", "format", "personal", "page", "csrfmiddlewaretoken")
#: The task writes ``rows_done`` after every this many rows.
PROGRESS_EVERY = 1000
#: Rows fetched from the database at a time.
CHUNK_SIZE = 2000
#: A queued job whose task has not started after this was lost: the sweep enqueues it again.
QUEUED_GRACE = timedelta(minutes=10)
#: A job running for longer than this has lost its worker (above the task's hard time limit).
RUNNING_STALE_AFTER = timedelta(minutes=15)
SOFT_TIME_LIMIT = 600
HARD_TIME_LIMIT = 660


def stream_max_rows() -> int:
    return getattr(settings, "EXPORT_STREAM_MAX_ROWS", 5000)


def link_lifetime() -> timedelta:
    return timedelta(hours=getattr(settings, "EXPORT_LINK_HOURS", 24))


def dataset_filters(query: QueryDict) -> QueryDict:
    """The dataset's filters out of a page's query string (the exports page's own keys removed)."""
    filters = query.copy()
    for key in OWN_KEYS:
        filters.pop(key, None)
    return filters


def filter_form(ds: ExportDataset, filters: QueryDict):
    return ds.filter_form(filters) if ds.filter_form else None


def filters_in_words(form) -> list[tuple[str, str]]:
    """The form's cleaned filters as ``(label, value)`` pairs, only those that were set."""
    if form is None:
        return []
    words = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", [], (), False) or (hasattr(value, "exists") and not value):
            continue
        words.append((str(field.label or name), _value_text(field, value)))
    return words


def _value_text(field, value) -> str:
    choices = dict(getattr(field, "choices", None) or [])
    if isinstance(value, list | tuple) or hasattr(value, "model"):
        return ", ".join(_value_text(field, item) for item in value)
    if value is True:
        return _("yes")
    if hasattr(value, "isoformat"):
        from django.utils.formats import date_format

        return date_format(value, "SHORT_DATE_FORMAT")
    if not hasattr(value, "pk") and str(value) in {str(k) for k in choices}:
        return str(next(label for key, label in choices.items() if str(key) == str(value)))
    return str(value)


def columns_for(ds: ExportDataset, *, personal: bool) -> list[Column]:
    return [column for column in ds.columns if personal or not column.personal]


def headers_for(columns: list[Column]) -> list[str]:
    return [str(column.header) for column in columns]


def table_rows(ds: ExportDataset, filters: QueryDict, *, personal: bool) -> Iterator[list]:
    """The dataset's rows as lists of values in column order (personal values dropped).

    Read over every tenant (django-scopes disabled): exports are for acting IOM staff
    only, and the rows are read while the file streams (after the request's scope has
    ended) or in the worker, where no request declares a scope. Each row is read with
    scopes disabled, and only then, so the caller's scope is left as it was between rows.
    """
    keys = [column.key for column in columns_for(ds, personal=personal)]
    rows = iter(ds.rows(filters, personal=personal))
    end = object()
    while True:
        with scopes_disabled():
            row = next(rows, end)
        if row is end:
            return
        yield list(map(row.get, keys))


def _audit_after(
    *, ds: ExportDataset, fmt: str, filters: QueryDict, personal: bool, rows: int
) -> dict:
    return {
        "dataset": ds.key,
        "format": fmt,
        "filters": filters.urlencode(),
        "include_personal": personal,
        "rows": rows,
    }


def export_file_name(ds: ExportDataset, fmt: str, *, now=None) -> str:
    return f"{ds.key}-{(now or timezone.now()):%Y%m%d-%H%M}.{fmt}"


def export_stream_record(
    *, actor, ds: ExportDataset, fmt: str, filters: QueryDict, personal: bool, rows: int
) -> None:
    """Audit an export streamed straight to the person's browser."""
    audit_record(
        actor=actor,
        action="export.stream",
        after=_audit_after(ds=ds, fmt=fmt, filters=filters, personal=personal, rows=rows),
    )


def _check_format(fmt: str) -> None:
    if fmt not in ExportJob.Format.values:
        raise ValidationError({"format": _("Choose CSV or Excel (XLSX).")})


@transaction.atomic
def export_job_request(
    *,
    actor,
    ds: ExportDataset,
    fmt: str,
    filters: QueryDict,
    personal: bool,
    rows_total: int,
) -> ExportJob:
    """Queue a large export; the task builds it once the transaction commits."""
    from .tasks import build_export

    _check_format(fmt)
    job = ExportJob(
        requested_by=actor,
        dataset=ds.key,
        format=fmt,
        filters=filters.urlencode(),
        include_personal=personal,
        rows_total=rows_total,
    )
    job.full_clean()
    job.save()
    audit_record(
        actor=actor,
        action="export.request",
        target=job,
        after=_audit_after(ds=ds, fmt=fmt, filters=filters, personal=personal, rows=rows_total),
    )
    enqueue_on_commit(build_export, job.pk)
    return job


class _Progress:
    """Pass the rows through, writing the job's ``rows_done`` every ``every`` rows."""

    def __init__(self, rows: Iterable, job_id: int, every: int):
        self.rows, self.job_id, self.every, self.done = rows, job_id, every, 0

    def __iter__(self) -> Iterator:
        for done, row in enumerate(self.rows, start=1):
            yield row
            self.done = done
            if done % self.every == 0:
                ExportJob.objects.filter(pk=self.job_id).update(rows_done=done)


def _claim(job_id: int, now) -> ExportJob | None:
    """Move the job to running in its own transaction, or None when there is nothing to
    do: it is gone, built, expired, or running in a worker that is still alive."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or not job.can_become(ExportJob.Status.RUNNING):
            return None
        if (
            job.status == ExportJob.Status.RUNNING
            and job.started_at
            and job.started_at > now - RUNNING_STALE_AFTER
        ):
            return None
        job.status = ExportJob.Status.RUNNING
        job.started_at = now
        job.rows_done = 0
        job.error = ""
        job.save(update_fields=["status", "started_at", "rows_done", "error"])
        return job


def export_job_run(*, job_id: int, now=None) -> bool:
    """Build the job's file in chunks, then mark it done and e-mail the requester a link.

    Safe to run twice: a job already built, or running in a live worker, is left alone;
    a job whose worker crashed (running for longer than ``RUNNING_STALE_AFTER``) or that
    failed is built again. Returns whether this call built it.
    """
    now = now or timezone.now()
    job = _claim(job_id, now)
    if job is None:
        return False
    ds = dataset(job.dataset)
    if ds is None:
        _fail(job, "Unknown dataset")
        return False
    filters = QueryDict(job.filters)
    personal = job.include_personal
    headers = headers_for(columns_for(ds, personal=personal))
    rows = _Progress(table_rows(ds, filters, personal=personal), job.pk, PROGRESS_EVERY)
    try:
        with tempfile.TemporaryFile() as handle:
            if job.format == ExportJob.Format.XLSX:
                writers.write_xlsx(handle, headers, rows, title=str(ds.label))
            else:
                writers.write_csv(handle, headers, rows)
            handle.seek(0)
            stored = ExportJob.file.field.storage
            name = stored.save(
                ExportJob.file.field.generate_filename(job, f"export.{job.format}"),
                File(handle),
            )
    except Exception as exc:
        # Reported on the job (the person can ask again), not retried: the same data
        # would fail the same way.
        logger.exception("Export job %s failed", job.pk)
        _fail(job, type(exc).__name__)
        return False
    written = rows.done
    with transaction.atomic():
        current = ExportJob.objects.select_for_update().get(pk=job.pk)
        if current.status != ExportJob.Status.RUNNING or current.started_at != job.started_at:
            stored.delete(name)  # another worker took it over: its file wins
            return False
        finished = timezone.now()
        current.file.name = name
        current.status = ExportJob.Status.DONE
        current.rows_done = written
        current.rows_total = written
        current.finished_at = finished
        current.expires_at = finished + link_lifetime()
        current.save(
            update_fields=["file", "status", "rows_done", "rows_total", "finished_at", "expires_at"]
        )
        audit_record(
            actor=None,
            action="export.build",
            target=current,
            after=_audit_after(
                ds=ds, fmt=current.format, filters=filters, personal=personal, rows=written
            ),
        )
        person = current.requested_by
        email_render_and_queue(
            to=person.email,
            kind="export_ready",
            template="exports/email/export_ready",
            context={
                "job": current,
                "dataset_label": ds.label,
                "url": reverse("exports:download", args=[current.pk]),
                "hours": int(link_lifetime().total_seconds() // 3600),
            },
            language=person.preferred_language,
            user=person,
        )
    return True


def _fail(job: ExportJob, error: str) -> None:
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.FAILED, error=error[:500], finished_at=timezone.now()
        )


def export_download_record(*, actor, job: ExportJob) -> None:
    audit_record(actor=actor, action="export.download", target=job)


def export_jobs_expire(*, now=None, limit: int = 500) -> int:
    """Delete the files of jobs whose link has expired and mark them expired."""
    now = now or timezone.now()
    expired = 0
    ids = list(
        ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now).values_list(
            "pk", flat=True
        )[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            job = (
                ExportJob.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=ExportJob.Status.DONE)
                .first()
            )
            if job is None:
                continue
            if job.file:
                job.file.delete(save=False)
            job.status = ExportJob.Status.EXPIRED
            job.save(update_fields=["file", "status"])
            expired += 1
    return expired


def export_jobs_stuck(*, now=None):
    now = now or timezone.now()
    from django.db.models import Q

    return ExportJob.objects.filter(
        Q(status=ExportJob.Status.QUEUED, created_at__lt=now - QUEUED_GRACE)
        | Q(status=ExportJob.Status.RUNNING, started_at__lt=now - RUNNING_STALE_AFTER)
    ).order_by("created_at", "pk")


def export_sweep(*, now=None, limit: int = 100) -> dict[str, int]:
    """Periodic: expire old links (files deleted) and enqueue again jobs a lost message
    or a crashed worker left unbuilt."""
    from .tasks import build_export

    expired = export_jobs_expire(now=now)
    ids = list(export_jobs_stuck(now=now).values_list("pk", flat=True)[:limit])
    if ids:
        logger.info("Export sweep: %d jobs left unbuilt; enqueuing them again.", len(ids))
    publish_each(build_export, [(pk,) for pk in ids])
    return {"expired": expired, "requeued": len(ids)}
