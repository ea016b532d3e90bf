"""Open Badges 2.0: the issuer profile, a programme's badge class and each certificate's
hosted assertion (revocable), all public JSON-LD."""

import hashlib
import json

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from trainings import certificates
from trainings.models import Certificate

pytestmark = pytest.mark.django_db

CONTEXT = "https://w3id.org/openbadges/v2"


@pytest.fixture
def certificate(staff, completed_offering):
    certificates.certificates_issue(actor=staff, offering=completed_offering)
    return Certificate.objects.get(enrollment__user=completed_offering.learners[0])


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/ld+json")
    return json.loads(response.content)


def absolute(name, *args):
    return settings.SITE_URL + reverse(name, args=args)


def test_the_issuer_profile_names_the_alliance(client):
    profile = get_json(client, reverse("trainings:badge_issuer"))
    assert profile["@context"] == CONTEXT
    assert profile["type"] == "Issuer"
    assert profile["id"] == absolute("trainings:badge_issuer")
    assert profile["email"] == settings.CONTACT_EMAIL
    assert profile["url"].startswith(settings.SITE_URL)
    assert profile["name"]


def test_the_badge_class_describes_the_programme_with_criteria_and_a_portal_image(
    client, certificate, completed_offering
):
    programme = completed_offering.programme
    badge = get_json(client, reverse("trainings:badge_class", args=[programme.pk]))
    assert badge["type"] == "BadgeClass"
    assert badge["id"] == absolute("trainings:badge_class", programme.pk)
    assert badge["name"] == programme.title
    assert badge["issuer"] == absolute("trainings:badge_issuer")
    assert "attended" in badge["criteria"]["narrative"]
    assert programme.learning_objectives in badge["criteria"]["narrative"]
    image = badge["image"]
    assert image.startswith(settings.SITE_URL + settings.STATIC_URL)
    assert finders.find(image.removeprefix(settings.SITE_URL + settings.STATIC_URL))


def test_an_unpublished_programme_keeps_its_badge_class_once_it_has_certificates(
    client, staff, certificate, completed_offering, make_programme
):
    programme = completed_offering.programme
    programme.published = False
    programme.save(update_fields=["published"])
    get_json(client, reverse("trainings:badge_class", args=[programme.pk]))
    draft = make_programme(published=False)
    assert client.get(reverse("trainings:badge_class", args=[draft.pk])).status_code == 404


def test_the_assertion_is_hosted_and_names_the_recipient_by_a_salted_hash(client, certificate):
    assertion = get_json(client, reverse("trainings:badge_assertion", args=[certificate.code]))
    email = certificate.enrollment.user.email
    recipient = assertion["recipient"]
    assert recipient["type"] == "email" and recipient["hashed"] is True
    salt = recipient["salt"]
    assert len(salt) >= 16
    assert recipient["identity"] == "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()
    assert email not in json.dumps(assertion)
    assert assertion["type"] == "Assertion"
    assert assertion["id"] == absolute("trainings:badge_assertion", certificate.code)
    assert assertion["verification"] == {"type": "hosted"}
    programme_pk = certificate.enrollment.offering.programme_id
    assert assertion["badge"] == absolute("trainings:badge_class", programme_pk)
    assert assertion["evidence"] == absolute("trainings:verify_code", certificate.code)
    assert assertion["issuedOn"].startswith(f"{certificate.issued_at:%Y-%m-%d}")


def test_each_certificate_has_its_own_salt(certificate):
    other = Certificate.objects.exclude(pk=certificate.pk).get()
    assert other.badge_salt != certificate.badge_salt


def test_a_revoked_assertion_answers_410_with_the_reason(client, staff, certificate):
    certificates.certificate_revoke(actor=staff, certificate=certificate, reason="Issued in error")
    gone = get_json(client, reverse("trainings:badge_assertion", args=[certificate.code]), 410)
    assert gone["revoked"] is True
    assert gone["revocationReason"] == "Issued in error"
    assert gone["id"] == absolute("trainings:badge_assertion", certificate.code)
    assert "recipient" not in gone


def test_an_unknown_assertion_is_404(client, certificate):
    response = client.get(reverse("trainings:badge_assertion", args=["Z" * 20]))
    assert response.status_code == 404


def test_the_badge_documents_are_public_to_backpacks(client, certificate):
    response = client.get(reverse("trainings:badge_assertion", args=[certificate.code]))
    assert response["Access-Control-Allow-Origin"] == "*"
