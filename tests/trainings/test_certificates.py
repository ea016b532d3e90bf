"""Certificates (issue 8): issue, build the PDF, verify, revoke, download, staff page."""

import datetime
import re
from decimal import Decimal

import pytest
import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from weasyprint.formatting_structure.boxes import TextBox

from gdpa.audit.models import AuditEntry
from gdpa.notify.models import OutboundEmail
from gdpa.pdf import render_document
from tests import factories
from trainings import certificates
from trainings.models import CODE_ALPHABET, Certificate, Enrollment

pytestmark = pytest.mark.django_db


def issue(staff, offering, capture):
    """Issue and run the build tasks the commit enqueues (Celery runs eagerly in tests)."""
    with capture(execute=True):
        return certificates.certificates_issue(actor=staff, offering=offering)


def certificate_of(person) -> Certificate:
    return Certificate.objects.get(enrollment__user=person)


def document_text(document) -> str:
    return " ".join(
        box.text
        for page in document.pages
        for box in page._page_box.descendants(placeholders=True)
        if isinstance(box, TextBox)
    )


# Issuing ----------------------------------------------------------------------------------


def test_issue_gives_each_completed_learner_one_certificate_with_frozen_details(
    staff, completed_offering, django_capture_on_commit_callbacks
):
    first, second, unfinished = completed_offering.learners
    issued = issue(staff, completed_offering, django_capture_on_commit_callbacks)
    assert {c.enrollment.user for c in issued} == {first, second}
    certificate = certificate_of(first)
    assert certificate.learner_name == "Amelia Ñuñez-Rokotuivuna"
    assert certificate.programme_title == completed_offering.programme.title
    assert certificate.offering_title == completed_offering.title
    assert (certificate.starts_on, certificate.ends_on) == (
        completed_offering.starts_on,
        completed_offering.ends_on,
    )
    assert certificate.hours == Decimal("6.0")  # two 3-hour meetings
    assert len(certificate.code) >= 16 and set(certificate.code) <= set(CODE_ALPHABET)
    assert not Certificate.objects.filter(enrollment__user=unfinished).exists()
    assert AuditEntry.objects.filter(action="certificate.issue").count() == 2

    # Edits after issue change no certificate.
    first.full_name = "Someone Else"
    first.save(update_fields=["full_name"])
    completed_offering.programme.title = "Renamed"
    completed_offering.programme.save()
    certificate.refresh_from_db()
    assert certificate.learner_name == "Amelia Ñuñez-Rokotuivuna"
    assert certificate.programme_title != "Renamed"


def test_issuing_twice_never_gives_an_enrollment_two_certificates(
    staff, completed_offering, django_capture_on_commit_callbacks
):
    issue(staff, completed_offering, django_capture_on_commit_callbacks)
    codes = set(Certificate.objects.values_list("code", flat=True))
    assert issue(staff, completed_offering, django_capture_on_commit_callbacks) == []
    assert set(Certificate.objects.values_list("code", flat=True)) == codes
    # A learner who completes later gets theirs on the next issue, the others nothing new.
    late = completed_offering.learners[2]
    Enrollment.objects.filter(user=late).update(completed_at=timezone.now())
    again = issue(staff, completed_offering, django_capture_on_commit_callbacks)
    assert [c.enrollment.user for c in again] == [late]
    assert Certificate.objects.count() == 3


def test_issuing_builds_each_pdf_and_emails_each_learner_once(
    staff, completed_offering, django_capture_on_commit_callbacks
):
    first = completed_offering.learners[0]
    first.preferred_language = "fr"
    first.save(update_fields=["preferred_language"])
    issue(staff, completed_offering, django_capture_on_commit_callbacks)
    for certificate in Certificate.objects.all():
        assert certificate.pdf_built_at is not None
        assert certificate.pdf.read().startswith(b"%PDF-")
    mails = OutboundEmail.objects.filter(kind="certificate_ready")
    assert sorted(mails.values_list("to_email", flat=True)) == sorted(
        p.email for p in completed_offering.learners[:2]
    )
    assert mails.get(to_email=first.email).language == "fr"
    assert certificate_of(first).language == "fr"


def test_building_again_does_nothing(staff, completed_offering, django_capture_on_commit_callbacks):
    issue(staff, completed_offering, django_capture_on_commit_callbacks)
    certificate = certificate_of(completed_offering.learners[0])
    built_at, name = certificate.pdf_built_at, certificate.pdf.name
    assert certificates.certificate_build_pdf(certificate_id=certificate.pk) is False
    certificate.refresh_from_db()
    assert (certificate.pdf_built_at, certificate.pdf.name) == (built_at, name)
    assert OutboundEmail.objects.filter(kind="certificate_ready").count() == 2


def test_the_sweep_builds_pdfs_a_crashed_worker_left_and_leaves_fresh_ones(
    staff, completed_offering
):
    # Issued without running the on-commit tasks: the build messages were lost.
    certificates.certificates_issue(actor=staff, offering=completed_offering)
    old, fresh = Certificate.objects.order_by("pk")
    Certificate.objects.filter(pk=old.pk).update(
        issued_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert certificates.certificate_pdf_sweep() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.pdf_built_at is not None and fresh.pdf_built_at is None
    assert certificates.certificate_pdf_sweep() == 0


def test_a_revoked_certificate_is_not_built(staff, completed_offering):
    certificates.certificates_issue(actor=staff, offering=completed_offering)
    certificate = Certificate.objects.first()
    certificates.certificate_revoke(actor=staff, certificate=certificate, reason="Issued in error")
    assert certificates.certificate_build_pdf(certificate_id=certificate.pk) is False
    assert not OutboundEmail.objects.filter(kind="certificate_ready").exists()


# The PDF ----------------------------------------------------------------------------------


def test_the_pdf_shows_the_name_programme_hours_code_and_verification_address(
    staff, completed_offering, django_capture_on_commit_callbacks
):
    issue(staff, completed_offering, django_capture_on_commit_callbacks)
    certificate = certificate_of(completed_offering.learners[0])
    document = render_document(
        "trainings/certificate.html",
        certificates.certificate_context(certificate),
        base_url=settings.SITE_URL,
    )
    assert len(document.pages) == 1, "the certificate fits one A4 landscape page"
    width, height = document.pages[0].width, document.pages[0].height
    assert width > height
    text = document_text(document)
    assert "Amelia Ñuñez-Rokotuivuna" in text
    assert certificate.programme_title in text
    assert certificate.code_display in text
    compact = "".join(text.split())  # the address may wrap at the column's edge
    assert f"{settings.SITE_URL}/trainings/verify/{certificate.code}/" in compact
    assert "6" in re.findall(r"\b\d+\b", text)


def test_the_qr_code_encodes_the_verification_address(
    staff, completed_offering, django_capture_on_commit_callbacks
):
    issue(staff, completed_offering, django_capture_on_commit_callbacks)
    certificate = certificate_of(completed_offering.learners[0])
    html = render_to_string(
        "trainings/certificate.html", certificates.certificate_context(certificate)
    )
    drawn = re.search(r'<svg[^>]*class="segno".*?</svg>', html, re.S).group(0)
    expected_url = f"{settings.SITE_URL}/trainings/verify/{certificate.code}/"
    expected = segno.make(expected_url, error="m")
    modules = re.search(r' d="([^"]+)"', drawn).group(1)
    assert modules == re.search(r' d="([^"]+)"', expected.svg_inline(border=0)).group(1)
    # and not the code alone
    alone = segno.make(certificate.code, error="m").svg_inline(border=0)
    assert modules != re.search(r' d="([^"]+)"', alone).group(1)


# Verification (public) ----------------------------------------------------------------------


def test_anyone_can_verify_a_valid_certificate(
    client, staff, completed_offering, django_capture_on_commit_callbacks
):
    issue(staff, completed_offering, django_capture_on_commit_callbacks)
    certificate = certificate_of(completed_offering.learners[0])
    response = client.get(reverse("trainings:verify_code", args=[certificate.code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Valid certificate" in body
    assert "Amelia Ñuñez-Rokotuivuna" in body
    assert certificate.programme_title in body
    assert certificate.code_display in body
    assert 'name="robots" content="noindex"' in body


def test_the_verify_form_reads_a_code_however_it_was_typed(
    client, staff, completed_offering, django_capture_on_commit_callbacks
):
    issue(staff, completed_offering, django_capture_on_commit_callbacks)
    certificate = certificate_of(completed_offering.learners[0])
    typed = " " + certificate.code_display.lower() + " "
    response = client.get(reverse("trainings:verify"), {"code": typed})
    assert response.status_code == 302
    assert response.url == reverse("trainings:verify_code", args=[certificate.code])
    # A dashed code in the address goes to the code's own page too.
    response = client.get(reverse("trainings:verify_code", args=[certificate.code_display]))
    assert response.url == reverse("trainings:verify_code", args=[certificate.code])


def test_an_empty_code_asks_for_it(client):
    response = client.get(reverse("trainings:verify"), {"code": "  "})
    assert response.status_code == 422
    assert "Enter the verification code printed on the certificate" in response.content.decode()
    assert client.get(reverse("trainings:verify")).status_code == 200


@pytest.mark.parametrize("forge", ["change_one", "unknown", "markup"])
def test_a_forged_or_unknown_code_says_no_certificate_has_it(
    client, staff, completed_offering, django_capture_on_commit_callbacks, forge
):
    issue(staff, completed_offering, django_capture_on_commit_callbacks)
    code = certificate_of(completed_offering.learners[0]).code
    forged = {
        "change_one": code[:-1] + ("A" if code[-1] != "A" else "B"),
        "unknown": "Z" * 20,
        "markup": "<script>alert(1)",
    }[forge]
    response = client.get(reverse("trainings:verify_code", args=[forged]))
    assert response.status_code == 404
    body = response.content.decode()
    assert "No certificate has this code" in body
    assert "<script>alert(1)" not in body
    assert "Amelia" not in body


def test_a_revoked_certificate_says_so_and_when(
    client, staff, completed_offering, django_capture_on_commit_callbacks
):
    issue(staff, completed_offering, django_capture_on_commit_callbacks)
    certificate = certificate_of(completed_offering.learners[0])
    certificates.certificate_revoke(
        actor=staff, certificate=certificate, reason="Attendance was recorded in error"
    )
    response = client.get(reverse("trainings:verify_code", args=[certificate.code]))
    body = response.content.decode()
    assert "Certificate revoked" in body and "Valid certificate" not in body
    certificate.refresh_from_db()
    assert f"was revoked on {date_format(certificate.revoked_at, 'DATE_FORMAT')}" in body
    assert "Hours" not in body


# Revoking ---------------------------------------------------------------------------------


def test_revoking_needs_a_reason_and_is_audited(staff, completed_offering):
    certificates.certificates_issue(actor=staff, offering=completed_offering)
    certificate = Certificate.objects.first()
    with pytest.raises(ValidationError):
        certificates.certificate_revoke(actor=staff, certificate=certificate, reason="   ")
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    certificates.certificate_revoke(actor=staff, certificate=certificate, reason="Issued in error")
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revoked_by == staff
    entry = AuditEntry.objects.get(action="certificate.revoke")
    assert entry.after["revocation_reason"] == "Issued in error"
    with pytest.raises(ValidationError):
        certificates.certificate_revoke(actor=staff, certificate=certificate, reason="Again")


def test_staff_revoke_through_a_confirmation_page(client, staff, completed_offering):
    certificates.certificates_issue(actor=staff, offering=completed_offering)
    certificate = Certificate.objects.first()
    client.force_login(staff)
    url = reverse("trainings:certificate_revoke", args=[certificate.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Revoke the certificate" in page.content.decode()
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 422
    assert "Enter the reason for revoking the certificate" in refused.content.decode()
    certificate.refresh_from_db()
    assert not certificate.is_revoked
    done = client.post(url, {"reason": "Issued in error"})
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revocation_reason == "Issued in error"


# Download ---------------------------------------------------------------------------------


def test_the_learner_downloads_their_pdf_and_nobody_else_can(
    client, staff, completed_offering, django_capture_on_commit_callbacks
):
    issue(staff, completed_offering, django_capture_on_commit_callbacks)
    first, second, _ = completed_offering.learners
    certificate = certificate_of(first)
    url = reverse("trainings:certificate_pdf", args=[certificate.pk])
    client.force_login(first)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(second)
    assert client.get(url).status_code == 404
    client.force_login(factories.make_user())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_revoked_certificate_cannot_be_downloaded(
    client, staff, completed_offering, django_capture_on_commit_callbacks
):
    issue(staff, completed_offering, django_capture_on_commit_callbacks)
    first = completed_offering.learners[0]
    certificate = certificate_of(first)
    certificates.certificate_revoke(actor=staff, certificate=certificate, reason="In error")
    client.force_login(first)
    response = client.get(reverse("trainings:certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 404


def test_the_offering_page_offers_the_download_and_the_badge(
    client, staff, completed_offering, django_capture_on_commit_callbacks
):
    issue(staff, completed_offering, django_capture_on_commit_callbacks)
    first = completed_offering.learners[0]
    certificate = certificate_of(first)
    client.force_login(first)
    body = client.get(reverse("trainings:offering", args=[completed_offering.pk])).content.decode()
    assert reverse("trainings:certificate_pdf", args=[certificate.pk]) in body
    assert "Add to your badge backpack" in body
    assert f'value="{certificates.assertion_url(certificate)}"' in body
    assert certificates.assertion_url(certificate).startswith(settings.SITE_URL)
    # Someone who did not complete sees no certificate section.
    client.force_login(completed_offering.learners[2])
    body = client.get(reverse("trainings:offering", args=[completed_offering.pk])).content.decode()
    assert "Your certificate" not in body


# Staff page -------------------------------------------------------------------------------


def test_staff_issue_from_the_certificates_page_and_see_each_pdf_status(
    client, staff, completed_offering, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    page_url = reverse("trainings:offering_certificates", args=[completed_offering.pk])
    body = client.get(page_url).content.decode()
    assert "Not issued" in body and "Issue certificates" in body
    confirm = client.get(reverse("trainings:certificates_issue", args=[completed_offering.pk]))
    assert "2 learners completed the offering" in confirm.content.decode()
    assert Certificate.objects.count() == 0, "the confirmation page changes nothing"
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("trainings:certificates_issue", args=[completed_offering.pk])
        )
    assert response.status_code == 302
    assert Certificate.objects.count() == 2
    body = client.get(page_url).content.decode()
    assert body.count(">Pending<") == 2  # built by the task that has not run yet
    certificates.certificate_build_pdf(certificate_id=Certificate.objects.first().pk)
    body = client.get(page_url).content.decode()
    assert body.count(">Pending<") == 1 and body.count(">Built<") == 1


def test_the_certificates_page_runs_a_fixed_number_of_queries(
    client, staff, government, completed_offering, django_assert_max_num_queries
):
    client.force_login(staff)
    url = reverse("trainings:offering_certificates", args=[completed_offering.pk])
    certificates.certificates_issue(actor=staff, offering=completed_offering)
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    completed_offering.capacity = 20
    completed_offering.save(update_fields=["capacity"])
    from trainings import services

    for _ in range(8):
        person = factories.add_member(staff=staff, organization=government)
        services.enrollment_create(user=person, offering=completed_offering)
    Enrollment.objects.filter(offering=completed_offering).update(completed_at=timezone.now())
    certificates.certificates_issue(actor=staff, offering=completed_offering)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_every_certificate_action_has_words():
    import pathlib

    from gdpa.audit import registry

    source = (pathlib.Path(certificates.__file__)).read_text()
    codes = set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', source))
    assert codes == {"certificate.issue", "certificate.revoke", "certificate.pdf_build"}
    assert all(registry.action(code) is not None for code in codes)


@pytest.mark.django_db(transaction=True)
def test_a_build_in_progress_does_not_block_the_cohorts_other_builds(
    staff, completed_offering, monkeypatch
):
    """Two workers build two certificates of one offering at once: the row lock of one
    build covers its certificate only, not the offering both share."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; CI runs this on PostgreSQL")
    certificates.certificates_issue(actor=staff, offering=completed_offering)
    Certificate.objects.update(pdf_built_at=None)  # as if their builds had not run yet
    first, second = Certificate.objects.order_by("pk")
    rendering, release = threading.Event(), threading.Event()
    render = certificates.certificate_pdf_render

    def slow_render(certificate):
        if certificate.pk == first.pk:  # the other worker, mid-render, holding its lock
            rendering.set()
            release.wait(10)
        return render(certificate)

    monkeypatch.setattr(certificates, "certificate_pdf_render", slow_render)
    results = {}

    def other_worker():
        try:
            results["first"] = certificates.certificate_build_pdf(certificate_id=first.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    try:
        assert rendering.wait(10)
        assert certificates.certificate_build_pdf(certificate_id=first.pk) is False
        assert certificates.certificate_build_pdf(certificate_id=second.pk) is True
    finally:
        release.set()
        worker.join()
    assert results["first"] is True
    assert Certificate.objects.filter(pdf_built_at__isnull=True).count() == 0
