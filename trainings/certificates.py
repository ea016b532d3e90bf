"""Certificates of completion: issue, revoke, build the PDF, and the sweep that finds
PDFs a crashed worker left unbuilt.

The certificate row is the source of truth: ``pdf_built_at`` empty means a PDF is owed.
Issuing enqueues one build task per certificate after commit; the build claims its row
with SKIP LOCKED and does nothing when the PDF is already built, so a task run twice, or
driven again by the sweep, builds and e-mails once.
"""

import logging
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from gdpa.audit.services import audit_record, snapshot
from gdpa.notify.dispatch import enqueue_each_on_commit, publish_each
from gdpa.notify.services import email_render_and_queue
from gdpa.pdf import render_pdf

from .models import Certificate, Enrollment, Offering

logger = logging.getLogger(__name__)

#: A certificate younger than this may still have its build task on the way: the sweep
#: leaves it alone.
GRACE = timedelta(minutes=10)
SNAPSHOT_FIELDS = [
    "learner_name",
    "programme_title",
    "offering_title",
    "starts_on",
    "ends_on",
    "hours",
    "code",
]


def verification_url(certificate: Certificate) -> str:
    """The public page that says whether the certificate is valid (absolute)."""
    return settings.SITE_URL + reverse("trainings:verify_code", args=[certificate.code])


def assertion_url(certificate: Certificate) -> str:
    """The certificate's Open Badges hosted assertion (absolute)."""
    return settings.SITE_URL + reverse("trainings:badge_assertion", args=[certificate.code])


def offering_hours(offering: Offering) -> Decimal:
    """Hours of all the offering's training meetings, to one decimal."""
    total = offering.meetings.aggregate(total=Sum(F("ends_at") - F("starts_at")))["total"]
    seconds = total.total_seconds() if total else 0
    return (Decimal(seconds) / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def completed_without_certificate(offering: Offering):
    return Enrollment.objects.filter(
        offering=offering,
        status=Enrollment.Status.ENROLLED,
        completed_at__isnull=False,
        certificate__isnull=True,
    )


@transaction.atomic
def certificates_issue(*, actor, offering: Offering) -> list[Certificate]:
    """Issue a certificate to each learner of ``offering`` who completed it and has none.

    Idempotent: an enrollment never gets two (the offering row is locked, the
    enrollment is one-to-one). Each new certificate's PDF is built by a task after commit.
    """
    offering = Offering.objects.select_for_update().select_related("programme").get(pk=offering.pk)
    hours = offering_hours(offering)
    issued = []
    for enrollment in completed_without_certificate(offering).select_related("user"):
        person = enrollment.user
        certificate = Certificate(
            enrollment=enrollment,
            issued_by=actor,
            learner_name=(person.full_name or person.email)[:200],
            programme_title=offering.programme.title,
            offering_title=offering.title,
            starts_on=offering.starts_on,
            ends_on=offering.ends_on,
            hours=hours,
            language=person.preferred_language or offering.programme.language,
            time_zone=offering.time_zone,
        )
        certificate.full_clean(validate_unique=False)
        certificate.save()
        audit_record(
            actor=actor,
            action="certificate.issue",
            target=certificate,
            after=snapshot(certificate, SNAPSHOT_FIELDS),
        )
        issued.append(certificate)
    from .tasks import build_certificate_pdf

    enqueue_each_on_commit(build_certificate_pdf, [(c.pk,) for c in issued])
    return issued


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke with a published reason: the certificate stops verifying and its badge
    assertion answers 410 Gone."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Enter the reason for revoking the certificate")})
    if certificate.is_revoked:
        raise ValidationError(_("This certificate was already revoked."))
    before = snapshot(certificate, ["revoked_at", "revocation_reason"])
    certificate.revoked_at = timezone.now()
    certificate.revocation_reason = reason
    certificate.revoked_by = actor
    certificate.full_clean(validate_unique=False)
    certificate.save(update_fields=["revoked_at", "revocation_reason", "revoked_by"])
    audit_record(
        actor=actor,
        action="certificate.revoke",
        target=certificate,
        before=before,
        after=snapshot(certificate, ["revoked_at", "revocation_reason"]),
    )
    return certificate


def qr_svg(url: str) -> str:
    """An inline SVG QR code that encodes ``url``."""
    return segno.make(url, error="m").svg_inline(scale=3, border=0, dark="#000000")


def certificate_context(certificate: Certificate) -> dict:
    url = verification_url(certificate)
    return {"certificate": certificate, "verification_url": url, "qr_svg": qr_svg(url)}


def certificate_pdf_render(certificate: Certificate) -> bytes:
    """The certificate as PDF bytes, in the learner's language."""
    with (
        translation.override(certificate.language),
        timezone.override(ZoneInfo(certificate.time_zone)),
    ):
        return render_pdf(
            "trainings/certificate.html",
            certificate_context(certificate),
            base_url=settings.SITE_URL,
        ).content


def certificate_build_pdf(*, certificate_id: int) -> bool:
    """Build and store the PDF, then e-mail the learner that it is ready.

    Returns False (and does nothing) when the PDF is already built, the certificate was
    revoked or is being built by another worker right now.
    """
    with transaction.atomic():
        certificate = (
            # Lock the certificate row only: the joined offering is shared by the whole
            # cohort, and skipping it would skip every other build running at once.
            Certificate.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("enrollment__user", "enrollment__offering")
            .filter(pk=certificate_id, pdf_built_at__isnull=True, revoked_at__isnull=True)
            .first()
        )
        if certificate is None:
            return False
        content = certificate_pdf_render(certificate)
        certificate.pdf.save(f"certificate-{certificate.pk}.pdf", ContentFile(content), save=False)
        certificate.pdf_built_at = timezone.now()
        certificate.save(update_fields=["pdf", "pdf_built_at"])
        audit_record(
            actor=None,
            action="certificate.pdf_build",
            target=certificate,
            after={"pdf_built_at": certificate.pdf_built_at.isoformat()},
        )
        person = certificate.enrollment.user
        email_render_and_queue(
            to=person.email,
            kind="certificate_ready",
            template="trainings/email/certificate_ready",
            context={
                "certificate": certificate,
                "url": reverse("trainings:offering", args=[certificate.enrollment.offering_id]),
                "verification_url": verification_url(certificate),
            },
            language=person.preferred_language,
            user=person,
        )
    return True


def certificates_unbuilt(*, now=None):
    """Certificates still owed a PDF after ``GRACE``: their task was never published,
    was lost, or its worker crashed."""
    now = now or timezone.now()
    return Certificate.objects.filter(
        pdf_built_at__isnull=True, revoked_at__isnull=True, issued_at__lt=now - GRACE
    ).order_by("issued_at", "pk")


def certificate_pdf_sweep(*, now=None, limit: int = 1000) -> int:
    """Enqueue the build again for certificates left unbuilt; returns how many."""
    from .tasks import build_certificate_pdf

    ids = list(certificates_unbuilt(now=now).values_list("pk", flat=True)[:limit])
    if ids:
        logger.info("Sweep: %d certificates have no PDF yet; enqueuing their build.", len(ids))
    publish_each(build_certificate_pdf, [(pk,) for pk in ids])
    return len(ids)
