"""Certificates: the learner's PDF, the public verification page, the Open Badges 2.0
documents (issuer profile, badge class, hosted assertion) and the staff page that issues
and revokes them."""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error

from .. import certificates, permissions, selectors
from ..forms import CertificateRevokeForm, VerifyCodeForm

LEARNERS_PER_PAGE = 50
OPEN_BADGES_CONTEXT = "https://w3id.org/openbadges/v2"


# The learner --------------------------------------------------------------------------------


@login_required
def certificate_pdf(request, pk: int):
    certificate = permissions.access_certificate_pdf(request.user, pk)
    try:
        handle = certificate.pdf.open("rb")
    except (OSError, ValueError) as exc:  # gone from storage: missing, not a server error
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"certificate-{certificate.code_display}.pdf",
        content_type="application/pdf",
    )


# Everyone: verification -----------------------------------------------------------------------


@require_GET
def verify(request):
    """A GET form to type a code; a valid form goes to the code's own page."""
    form = VerifyCodeForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("trainings:verify_code", form.cleaned_data["code"])
    return render(
        request, "trainings/verify.html", {"form": form}, status=422 if form.is_bound else 200
    )


@require_GET
def verify_code(request, code: str):
    """Valid, revoked, or no certificate with this code (404, with the form to try again)."""
    try:
        certificate = permissions.access_certificate_by_code(code)
    except Http404:
        return render(
            request,
            "trainings/verify_result.html",
            {"certificate": None, "code": code[:64], "form": VerifyCodeForm()},
            status=404,
        )
    if certificate.code != code:
        return redirect("trainings:verify_code", certificate.code)
    return render(
        request,
        "trainings/verify_result.html",
        {
            "certificate": certificate,
            "assertion_url": certificates.assertion_url(certificate),
        },
    )


# Everyone: Open Badges 2.0 ----------------------------------------------------------------


def _absolute(path: str) -> str:
    return path if "://" in path else settings.SITE_URL + path


def _json_ld(document: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/ld+json; charset=utf-8",
        status=status,
    )
    # Backpacks and verifiers fetch these documents from their own pages.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def issuer_profile() -> dict:
    return {
        "@context": OPEN_BADGES_CONTEXT,
        "type": "Issuer",
        "id": _absolute(reverse("trainings:badge_issuer")),
        "name": "Global Diaspora Policy Alliance (GDPA)",
        "url": settings.SITE_URL + "/",
        "email": settings.CONTACT_EMAIL,
        "image": _absolute(static("img/logo.svg")),
    }


@require_GET
def badge_issuer(request):
    return _json_ld(issuer_profile())


@require_GET
def badge_class(request, pk: int):
    programme = permissions.access_badge_class(pk)
    with translation.override(programme.language):
        criteria = _(
            "Completed an offering of this training programme: attended at least the share "
            "of its training meetings that the offering requires, as recorded by IOM staff."
        )
    return _json_ld(
        {
            "@context": OPEN_BADGES_CONTEXT,
            "type": "BadgeClass",
            "id": _absolute(reverse("trainings:badge_class", args=[programme.pk])),
            "name": programme.title,
            "description": programme.summary,
            "image": _absolute(static("img/certificate-badge.svg")),
            "criteria": {
                "id": _absolute(reverse("trainings:programme", args=[programme.pk])),
                "narrative": f"{criteria}\n\n{programme.learning_objectives}",
            },
            "issuer": _absolute(reverse("trainings:badge_issuer")),
        }
    )


def recipient_identity(email: str, salt: str) -> str:
    """The Open Badges identity hash of an e-mail address: ``sha256$`` and the hex
    digest of the address (lower case) followed by the salt."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return f"sha256${digest}"


@require_GET
def badge_assertion(request, code: str):
    """The hosted assertion; a revoked one answers 410 Gone with the reason."""
    certificate = permissions.access_certificate_by_code(code)
    assertion_id = certificates.assertion_url(certificate)
    if certificate.is_revoked:
        return _json_ld(
            {
                "@context": OPEN_BADGES_CONTEXT,
                "type": "Assertion",
                "id": assertion_id,
                "revoked": True,
                "revocationReason": certificate.revocation_reason,
            },
            status=410,
        )
    enrollment = certificate.enrollment
    return _json_ld(
        {
            "@context": OPEN_BADGES_CONTEXT,
            "type": "Assertion",
            "id": assertion_id,
            "recipient": {
                "type": "email",
                "hashed": True,
                "salt": certificate.badge_salt,
                "identity": recipient_identity(enrollment.user.email, certificate.badge_salt),
            },
            "badge": _absolute(
                reverse("trainings:badge_class", args=[enrollment.offering.programme_id])
            ),
            "verification": {"type": "hosted"},
            "issuedOn": certificate.issued_at.isoformat(),
            "evidence": certificates.verification_url(certificate),
        }
    )


# IOM staff --------------------------------------------------------------------------------


def _certificates_page(request, offering, **extra):
    page = Paginator(selectors.completed_enrollments(offering), LEARNERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return {
        "offering": offering,
        "programme": offering.programme,
        "page": page,
        "figures": selectors.certificate_figures(offering),
        **extra,
    }


@staff_required
def offering_certificates(request, pk: int):
    offering = permissions.access_offering_to_manage(request.user, pk)
    return render(
        request, "trainings/staff/certificates.html", _certificates_page(request, offering)
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def certificates_issue(request, pk: int):
    """GET asks for confirmation (works without JavaScript); POST issues."""
    offering = permissions.access_offering_to_manage(request.user, pk)
    if request.method != "POST":
        return render(
            request,
            "trainings/staff/certificates_issue.html",
            {
                "offering": offering,
                "programme": offering.programme,
                "figures": selectors.certificate_figures(offering),
            },
        )
    issued = certificates.certificates_issue(actor=request.user, offering=offering)
    if issued:
        messages.success(
            request,
            ngettext(
                "%(count)d certificate was issued; its PDF is being built.",
                "%(count)d certificates were issued; their PDFs are being built.",
                len(issued),
            )
            % {"count": len(issued)},
        )
    else:
        messages.info(request, _("Everyone who completed the offering already has a certificate."))
    return redirect("trainings:offering_certificates", offering.pk)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def certificate_revoke(request, pk: int):
    """GET shows the form with the reason; POST revokes."""
    certificate = permissions.access_certificate_to_manage(request.user, pk)
    form = CertificateRevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            certificates.certificate_revoke(
                actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("The certificate of %(name)s was revoked; it no longer verifies.")
                % {"name": certificate.learner_name},
            )
            return redirect("trainings:offering_certificates", certificate.enrollment.offering_id)
    return render(
        request,
        "trainings/staff/certificate_revoke.html",
        {
            "form": form,
            "certificate": certificate,
            "offering": certificate.enrollment.offering,
        },
        status=422 if form.is_bound else 200,
    )
