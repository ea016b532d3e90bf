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
from django.utils import timezone
from django.utils.translation import gettext as _

from gdpa.accounts.permissions import acting_as_staff
from gdpa.audit.services import audit_record, snapshot
from gdpa.notify.dispatch import enqueue_on_commit

from .. import imports
from ..imports import (
    PREVIEW_LIFETIME,
    STORAGE_PREFIX,
    ImportPreview,
    PreviewUnavailable,
    preview_path,
)
from ..models import (
    DiasporaCapital,
    MemberState,
    Organization,
    Sector,
    StaffImport,
)
from .common import save_new
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


def preview_forget(token: str) -> None:
    for suffix in ("data", "json"):
        try:
            default_storage.delete(preview_path(token, suffix))
        except OSError:  # already gone
            logger.info("import file %s.%s already removed", token, suffix)


#: A preview's checked rows outlive its file, so its page can say it expired.
PREVIEW_KEPT = timedelta(days=1)


def preview_files_expired(*, now=None) -> list[str]:
    """The kept files past their time (cheap: one directory listing): the uploaded file
    after ``PREVIEW_LIFETIME``, the checked rows after ``PREVIEW_KEPT``; never the file of
    an import still running. Also used by the retention rule (``alliance/retention.py``)."""
    try:
        _dirs, names = default_storage.listdir(STORAGE_PREFIX.rstrip("/"))
    except OSError:  # no preview was ever kept
        return []
    now = now or timezone.now()
    running = set(
        StaffImport.objects.filter(
            status=StaffImport.Status.RUNNING, token__in={n.split(".")[0] for n in names}
        ).values_list("token", flat=True)
    )
    expired = []
    for name in names:
        if name.split(".")[0] in running:
            continue  # its task still needs the file
        path = f"{STORAGE_PREFIX}{name}"
        cutoff = now - (PREVIEW_KEPT if name.endswith(".json") else PREVIEW_LIFETIME)
        try:
            if default_storage.get_modified_time(path) < cutoff:
                expired.append(path)
        except OSError:  # deleted meanwhile (a confirm or another sweep)
            continue
    return expired


def _sweep_expired() -> None:
    """Remove kept files past their time."""
    for path in preview_files_expired():
        try:
            default_storage.delete(path)
        except OSError:  # already gone
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


def import_confirm(*, actor, preview: ImportPreview) -> StaffImport:
    """Start importing the preview: the run is recorded and audit-logged (who, kind, file
    name, rows) and a task writes the rows (``import_run``). Refused
    (``PreviewUnavailable``) once the preview expired or was confirmed."""
    from ..tasks import run_staff_import

    _require_staff(actor)
    if preview.owner_id != actor.pk:
        raise PreviewUnavailable(_("This preview belongs to someone else."))
    if preview.expired or kept_file(preview) is None:
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


def kept_file(preview: ImportPreview) -> bytes | None:
    """The previewed file, if it is still kept and unchanged."""
    try:
        with default_storage.open(preview_path(preview.token, "data")) as stored:
            data = stored.read()
    except (FileNotFoundError, OSError):
        return None
    return data if hashlib.sha256(data).hexdigest() == preview.sha256 else None
