import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from alliance import services
from alliance.models import DiasporaCapital, Membership, Organization, Sector
from gdpa.audit.models import AuditEntry
from gdpa.notify.models import OutboundEmail
from tests import factories

pytestmark = pytest.mark.django_db


def register(user, **overrides):
    data = {
        "actor": user,
        "kind": Organization.Kind.DIASPORA,
        "name": "Mauritian Diaspora Forum",
        "country": "FR",
        "contact_email": "forum@example.org",
        "countries_of_origin": ["MU"],
        "countries_of_residence": ["FR", "BE"],
        "sectors": list(Sector.objects.filter(slug="health")),
        "capitals": list(DiasporaCapital.objects.filter(slug__in=["human", "cultural"])),
    }
    data.update(overrides)
    return services.organization_register(**data)


def test_registered_diaspora_organization_is_pending_and_registrant_is_admin():
    user = factories.make_user()
    org = register(user)
    assert org.status == Organization.Status.PENDING
    assert Membership.objects.get(organization=org).user == user
    assert Membership.objects.get(organization=org).role == Membership.Role.ADMIN
    assert sorted(c.code for c in org.countries_of_residence) == ["BE", "FR"]
    assert {c.slug for c in org.capitals.all()} == {"human", "cultural"}
    assert AuditEntry.objects.filter(action="organization.register", target_id=str(org.pk)).exists()


def test_same_name_in_same_country_is_refused_case_insensitively():
    register(factories.make_user())
    with pytest.raises(ValidationError) as error:
        register(factories.make_user(), name="MAURITIAN diaspora forum")
    assert "already registered in this country" in str(error.value)
    assert Organization.objects.count() == 1


def test_same_name_in_another_country_is_allowed():
    register(factories.make_user())
    register(factories.make_user(), country="GB")
    assert Organization.objects.count() == 2


def test_a_rejected_name_can_register_again(staff):
    org = register(factories.make_user())
    services.organization_reject(actor=staff, organization=org, reason="Incomplete")
    register(factories.make_user())
    assert Organization.objects.filter(status=Organization.Status.PENDING).count() == 1


def test_only_staff_create_government_organizations(staff):
    user = factories.make_user()
    with pytest.raises(ValidationError):
        register(user, kind=Organization.Kind.GOVERNMENT)
    org = factories.make_government(staff=staff, country="PE")
    assert org.status == Organization.Status.VERIFIED
    assert org.member_state.country.code == "PE"
    assert org.country.code == "PE"


def test_verify_sends_the_applicant_an_email_in_their_language(
    staff, django_capture_on_commit_callbacks
):
    user = factories.make_user(preferred_language="fr")
    org = register(user, contact_email=user.email)
    with django_capture_on_commit_callbacks(execute=True):
        services.organization_verify(actor=staff, organization=org)
    org.refresh_from_db()
    assert org.status == Organization.Status.VERIFIED
    assert org.decided_by == staff
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "vérifié" in mail.outbox[0].subject
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_reject_needs_a_reason_and_emails_it(staff, django_capture_on_commit_callbacks):
    user = factories.make_user()
    org = register(user, contact_email=user.email)
    with pytest.raises(ValidationError):
        services.organization_reject(actor=staff, organization=org, reason="   ")
    org.refresh_from_db()
    assert org.status == Organization.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        services.organization_reject(actor=staff, organization=org, reason="Website unreachable")
    assert "Website unreachable" in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="organization.reject")
    assert entry.before["status"] == "pending" and entry.after["status"] == "rejected"


def test_a_decided_organization_cannot_be_decided_again(staff):
    org = register(factories.make_user())
    services.organization_verify(actor=staff, organization=org)
    with pytest.raises(ValidationError):
        services.organization_reject(actor=staff, organization=org, reason="Changed my mind")
    org.refresh_from_db()
    assert org.status == Organization.Status.VERIFIED


def test_oversized_name_is_a_validation_error_not_a_crash():
    with pytest.raises(ValidationError) as error:
        register(factories.make_user(), name="x" * 300)
    assert "name" in error.value.error_dict
    assert Organization.objects.count() == 0
