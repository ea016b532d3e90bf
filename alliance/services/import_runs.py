"""Writing a confirmed staff import (the task's work): each previewed valid row that is
still valid, in one transaction with its outcome (``StaffImportRow``); a lease keeps one
worker per run, a run cut short resumes after its last recorded line, and the sweep
enqueues again the runs whose task message was lost."""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gdpa.accounts.permissions import act_for_staff_in_task
from gdpa.audit.services import audit_record
from gdpa.notify.dispatch import publish_each

from .. import imports
from ..imports import preview_get
from ..models import Membership, Organization, StaffImport, StaffImportRow
from ..tenancy import tenant_scope
from .imports import kept_file, organization_import, preview_forget
from .members import invitation_create

logger = logging.getLogger(__name__)


def _write_organization(actor, instance, source: str) -> Organization:
    return organization_import(
        actor=actor,
        name=instance.name,
        kind=instance.kind,
        country=instance.country.code,
        member_state=instance.member_state,
        countries_of_origin=[c.code for c in instance.countries_of_origin],
        sectors=getattr(instance, "import_sectors", None) or [],
        capitals=getattr(instance, "import_capitals", None) or [],
        contact_email=instance.contact_email,
        contact_phone=instance.contact_phone,
        website=instance.website,
        description=instance.description,
        source=source,
    )


def _write_focal_point(actor, instance, source: str):
    return invitation_create(
        actor=actor,
        organization=instance.organization,
        email=instance.email,
        role=Membership.Role.FOCAL_POINT,
        language=getattr(instance, "import_language", "") or None,
    )


_WRITERS = {imports.ORGANIZATIONS: _write_organization, imports.FOCAL_POINTS: _write_focal_point}
_FAILED = gettext_lazy("This row could not be written; nothing of it was saved.")


def _label(kind: str, columns: list[str], cells: list[str]) -> str:
    values = dict(zip(columns, cells, strict=False))
    if kind == imports.ORGANIZATIONS:
        return values.get("name", "")
    name, email = values.get("full_name", ""), values.get("email", "")
    return f"{name} <{email}>" if name and email else name or email


def _reasons(row: dict) -> str:
    return " ".join(
        f"{p['column']}: {p['message']}" if p["column"] else p["message"] for p in row["problems"]
    )


#: A worker holds a run this long; after that the sweep gives it to another worker.
LEASE = timedelta(minutes=30)
#: A run nobody took within this time (its task message was lost) is enqueued again.
UNCLAIMED_AFTER = timedelta(minutes=5)


def _claim(run_id: int) -> StaffImport | None:
    now = timezone.now()
    taken = (
        StaffImport.objects.filter(pk=run_id, status=StaffImport.Status.RUNNING)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE))
        .update(claimed_at=now)
    )
    if not taken:
        return None
    return StaffImport.objects.select_related("created_by").get(pk=run_id)


def _outcome(run: StaffImport, line: int, label: str, reason: str = "", made=None) -> None:
    StaffImportRow.objects.bulk_create(
        [
            StaffImportRow(
                run=run,
                line=line,
                label=label[:300],
                created=made is not None,
                object_id=getattr(made, "pk", None),
                reason=reason,
            )
        ],
        ignore_conflicts=True,
    )


def import_run(*, run_id: int) -> int:
    """Write a confirmed import's rows; returns how many were created in this call.

    Only rows that were valid and new in the preview and still are when checked again
    now are written. Each row and its outcome are one transaction: a row that fails
    leaves nothing of itself, and a run cut short (a killed worker) resumes after the
    last recorded line. Safe to run twice: the run is leased to one worker at a time."""
    run = _claim(run_id)
    if run is None:
        return 0
    preview = preview_get(run.token)
    data = kept_file(preview) if preview is not None else None
    actor = run.created_by
    # Checked when they confirmed; the task acts for them while they still are staff.
    if data is None or not act_for_staff_in_task(actor):
        return _finish(run, note=str(_GONE))
    # The task reads and writes tenant-owned rows in the scope of the staff member it
    # acts for (every organization), as their own request would (alliance/tenancy.py).
    with tenant_scope(actor):
        return _import_rows(run, preview, data, actor)


def _import_rows(run: StaffImport, preview, data, actor) -> int:
    done = set(run.rows.values_list("line", flat=True))
    read = imports.read_file(preview.kind, data, preview.file_name)
    now_checked = {
        row.line: row
        for row in imports.check_rows(actor=actor, kind=preview.kind, dataset=read.dataset)
    }
    importable = set(preview.importable)
    write = _WRITERS[preview.kind]
    made_here = 0
    skipped = []
    for row in preview.rows:
        line = row["line"]
        if line in done:
            continue
        label = _label(preview.kind, preview.columns, row["cells"])
        if line not in importable:
            skipped.append(
                StaffImportRow(run=run, line=line, label=label[:300], reason=_reasons(row))
            )
            continue
        current = now_checked.get(line)
        if current is None or current.status != imports.NEW:
            reason = _reasons(current.as_json()) if current else ""
            _outcome(
                run, line, label, _("Changed since the preview: %(reason)s") % {"reason": reason}
            )
            continue
        try:
            with transaction.atomic():
                made = write(actor, current.instance, preview.file_name)
                _outcome(run, line, label, made=made)
        except ValidationError as error:
            _outcome(run, line, label, " ".join(error.messages))
        except Exception:  # one row's failure must not stop the others; it is logged
            logger.exception("import %s: line %s failed", run.pk, line)
            _outcome(run, line, label, str(_FAILED))
        else:
            made_here += 1
    StaffImportRow.objects.bulk_create(skipped, ignore_conflicts=True)
    _finish(run)
    return made_here


_GONE = gettext_lazy(
    "The previewed file was no longer kept (or its uploader is no longer IOM staff): "
    "nothing more was imported. Upload the file again."
)


@transaction.atomic
def _finish(run: StaffImport, note: str = "") -> int:
    run = StaffImport.objects.select_for_update().get(pk=run.pk)
    if run.status == StaffImport.Status.DONE:
        return 0
    counts = run.rows.aggregate(
        made=Count("pk", filter=Q(created=True)), left=Count("pk", filter=Q(created=False))
    )
    run.status = StaffImport.Status.DONE
    run.finished_at = timezone.now()
    run.created_count = counts["made"]
    run.skipped_count = counts["left"]
    run.note = note
    run.save()
    audit_record(
        actor=run.created_by,
        action="import.finish",
        target=run,
        after={
            "kind": run.kind,
            "file_name": run.file_name,
            "rows": run.total_rows,
            "created": run.created_count,
            "skipped": run.skipped_count,
        },
    )
    token = run.token
    transaction.on_commit(lambda: preview_forget(token))
    return 0


def imports_stuck(*, now=None):
    """Runs whose task never started, or whose worker stopped holding them."""
    now = now or timezone.now()
    return StaffImport.objects.filter(status=StaffImport.Status.RUNNING).filter(
        Q(claimed_at__isnull=True, started_at__lt=now - UNCLAIMED_AFTER)
        | Q(claimed_at__lt=now - LEASE)
    )


def import_sweep(*, now=None, limit: int = 20) -> int:
    """Periodic: enqueue again the imports a lost message or a killed worker left running."""
    from ..tasks import run_staff_import

    ids = list(imports_stuck(now=now).order_by("started_at").values_list("pk", flat=True)[:limit])
    if ids:
        logger.info("Sweep: %d staff imports were stuck; enqueuing them again.", len(ids))
        publish_each(run_staff_import, [(pk,) for pk in ids])
    return len(ids)
