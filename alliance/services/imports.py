"""Staff imports: a preview that writes nothing, then a confirmation after which a task
writes the previewed valid rows, one transaction per row.

The preview is the uploaded file and its checked rows, kept in private storage
(``imports/<token>.data`` and ``.json``, the token made here) for ``PREVIEW_LIFETIME``
and bound to the staff member who uploaded it. Confirming records the run
(``StaffImport``, audit-logged) and enqueues ``import_run``, which re-reads that same
file (its SHA-256 must match), checks the rows again against the database as it is now,
and writes only rows that were valid and new in the preview and still are. A row's
organization with its sectors and capitals, or a focal point's invitation with its
e-mail, is written in one transaction together with the row's outcome
(``StaffImportRow``): a row that fails leaves nothing of itself, the other rows go on,
and a run cut short resumes after its last recorded line.
"""

import hashlib
import json
import logging
import secrets
from dataclasses import asdict
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gdpa.accounts.permissions import acting_as_staff, vouch_for_staff
from gdpa.accounts.roles import is_iom_staff
from gdpa.audit.services import audit_record, snapshot
from gdpa.notify.dispatch import enqueue_on_commit, publish_each

from .. import imports
from ..imports import (
    PREVIEW_LIFETIME,
    STORAGE_PREFIX,
    ImportPreview,
    PreviewUnavailable,
    preview_get,
    preview_path,
)
from ..models import (
    DiasporaCapital,
    Membership,
    MemberState,
    Organization,
    Sector,
    StaffImport,
    StaffImportRow,
)
from .common import save_new
from .members import invitation_create
from .organizations import ORG_AUDIT_FIELDS

logger = logging.getLogger(__name__)


def _require_staff(actor) -> None:
    if not acting_as_staff(actor):
        raise ValidationError(_("Only IOM staff import organizations and focal points."))


def _clean_name(name: str) -> str:
    return (PurePath(name or "").name or "upload")[:200]


def import_preview_create(*, actor, kind: str, upload) -> ImportPreview:
    """Check an uploaded file and keep it for confirmation. Writes nothing to the
    database and sends nothing; ``imports.FileRefused`` says why a file is refused."""
    _require_staff(actor)
    if kind not in imports.COLUMNS:
        raise ValidationError({"kind": _("Choose what the file holds")})
    limit = settings.UPLOAD_MAX_FILE_BYTES
    data = upload.read(limit + 1)
    read = imports.read_file(kind, data, upload.name)
    checked = imports.check_rows(actor=actor, kind=kind, dataset=read.dataset)
    preview = ImportPreview(
        token=secrets.token_hex(16),
        kind=kind,
        owner_id=actor.pk,
        file_name=_clean_name(upload.name),
        file_format=read.format,
        sha256=hashlib.sha256(data).hexdigest(),
        created_at=timezone.now().isoformat(),
        columns=imports.shown_columns(kind, read.dataset),
        ignored=read.ignored,
        rows=[row.as_json() for row in checked],
        importable=[row.line for row in checked if row.status == imports.NEW],
    )
    _sweep_expired()
    default_storage.save(preview_path(preview.token, "data"), ContentFile(data))
    default_storage.save(
        preview_path(preview.token, "json"), ContentFile(json.dumps(asdict(preview)).encode())
    )
    return preview


def _forget(token: str) -> None:
    for suffix in ("data", "json"):
        try:
            default_storage.delete(preview_path(token, suffix))
        except OSError:  # already gone
            logger.info("import file %s.%s already removed", token, suffix)


#: A preview's checked rows outlive its file, so its page can say it expired.
PREVIEW_KEPT = timedelta(days=1)


def _sweep_expired() -> None:
    """Remove kept files past their time (cheap: one directory listing): the uploaded
    file after ``PREVIEW_LIFETIME``, the checked rows after ``PREVIEW_KEPT``."""
    try:
        _dirs, names = default_storage.listdir(STORAGE_PREFIX.rstrip("/"))
    except (FileNotFoundError, OSError):
        return
    now = timezone.now()
    running = set(
        StaffImport.objects.filter(
            status=StaffImport.Status.RUNNING, token__in={n.split(".")[0] for n in names}
        ).values_list("token", flat=True)
    )
    for name in names:
        if name.split(".")[0] in running:
            continue  # its task still needs the file
        path = f"{STORAGE_PREFIX}{name}"
        cutoff = now - (PREVIEW_KEPT if name.endswith(".json") else PREVIEW_LIFETIME)
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, OSError, NotImplementedError):
            continue


# Writing one row -------------------------------------------------------------------------


@transaction.atomic
def organization_import(
    *,
    actor,
    name: str,
    kind: str,
    country: str,
    contact_email: str,
    member_state: MemberState | None = None,
    countries_of_origin: list[str] = (),
    sectors: list[Sector] = (),
    capitals: list[DiasporaCapital] = (),
    contact_phone: str = "",
    website: str = "",
    description: str = "",
    source: str = "",
) -> Organization:
    """An organization from a staff import: created by staff, so verified at once (as
    ``organization_register`` does for the kinds staff create); nobody becomes its
    member (its people are invited). The organization, its sectors and capitals are
    written together or not at all."""
    _require_staff(actor)
    if kind == Organization.Kind.IOM:
        raise ValidationError({"kind": _("The IOM organization is not imported.")})
    now = timezone.now()
    organization = Organization(
        name=name.strip(),
        kind=kind,
        country=member_state.country.code
        if kind == Organization.Kind.GOVERNMENT and member_state
        else country,
        member_state=member_state if kind == Organization.Kind.GOVERNMENT else None,
        countries_of_origin=list(countries_of_origin),
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip(),
        website=website.strip(),
        description=description.strip(),
        created_by=actor,
        status=Organization.Status.VERIFIED,
        decided_at=now,
        decided_by=actor,
    )
    save_new(organization)
    organization.sectors.set(sectors)
    organization.capitals.set(capitals)
    audit_record(
        actor=actor,
        action="organization.import",
        target=organization,
        after={**snapshot(organization, ORG_AUDIT_FIELDS), "file_name": source},
    )
    return organization


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


def import_confirm(*, actor, preview: ImportPreview) -> StaffImport:
    """Start importing the preview: the run is recorded and audit-logged (who, kind, file
    name, rows) and a task writes the rows (``import_run``). Refused
    (``PreviewUnavailable``) once the preview expired or was confirmed."""
    from ..tasks import run_staff_import

    _require_staff(actor)
    if preview.owner_id != actor.pk:
        raise PreviewUnavailable(_("This preview belongs to someone else."))
    if preview.expired or _kept_file(preview) is None:
        raise PreviewUnavailable(_("This preview has expired. Upload the file again."))
    try:
        with transaction.atomic():
            run = StaffImport.objects.create(
                token=preview.token,
                kind=preview.kind,
                file_name=preview.file_name,
                created_by=actor,
                total_rows=len(preview.rows),
            )
            audit_record(
                actor=actor,
                action="import.confirm",
                target=run,
                after={
                    "kind": preview.kind,
                    "file_name": preview.file_name,
                    "rows": len(preview.rows),
                    **preview.counts,
                },
            )
            enqueue_on_commit(run_staff_import, run.pk)
    except IntegrityError as exc:
        raise PreviewUnavailable(_("This import was already confirmed.")) from exc
    return run


def _kept_file(preview: ImportPreview) -> bytes | None:
    """The previewed file, if it is still kept and unchanged."""
    try:
        with default_storage.open(preview_path(preview.token, "data")) as stored:
            data = stored.read()
    except (FileNotFoundError, OSError):
        return None
    return data if hashlib.sha256(data).hexdigest() == preview.sha256 else None


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
    data = _kept_file(preview) if preview is not None else None
    actor = run.created_by
    if data is None or actor is None or not is_iom_staff(actor):
        return _finish(run, note=str(_GONE))
    vouch_for_staff(actor)  # checked when they confirmed; the task acts for them
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
    transaction.on_commit(lambda: _forget(token))
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
