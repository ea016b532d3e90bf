"""Session documents: type read from the content, size limited."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gdpa.audit.services import audit_record

from ..models import (
    AllianceSession,
    SessionDocument,
)

MAX_DOCUMENT_BYTES = settings.UPLOAD_MAX_FILE_BYTES
DOCUMENT_TYPES = {
    "application/pdf": SessionDocument.Kind.PDF,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": SessionDocument.Kind.DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": SessionDocument.Kind.XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": SessionDocument.Kind.PPTX,
}


@transaction.atomic
def document_add(*, actor, session: AllianceSession, title: str, upload) -> SessionDocument:
    """Attach a PDF, DOCX, XLSX or PPTX; the type is read from the content, not the name."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than 10 MB.")})
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    kind = DOCUMENT_TYPES.get(guess.mime) if guess else None
    if kind is None:
        raise ValidationError(
            {"file": _("Only PDF, Word, Excel and PowerPoint files can be added.")}
        )
    name = upload.name.rsplit(".", 1)[0][:80] or "document"
    upload.name = f"{name}.{kind}"
    document = SessionDocument(
        session=session,
        title=title.strip() or name,
        file=upload,
        kind=kind,
        size=upload.size,
        uploaded_by=actor,
    )
    document.full_clean()
    document.save()
    audit_record(
        actor=actor, action="session.document_add", target=session, after={"title": document.title}
    )
    return document
