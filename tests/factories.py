"""Test data built through the real services, so tests see what users would create."""

import datetime
import itertools

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from alliance import services as alliance_services
from alliance.models import Membership, MemberState, Organization
from gdpa.accounts.permissions import vouch_for_staff
from gdpa.accounts.services import user_create
from gdpa.notify import services as notify_services
from trainings import services as training_services
from trainings.models import Offering, TrainingProgramme

PASSWORD = "a-long-test-password"
_seq = itertools.count(1)


def make_user(*, email: str | None = None, full_name: str = "Test Person", **extra):
    n = next(_seq)
    return user_create(
        email=email or f"person{n}@example.org",
        full_name=full_name,
        password=PASSWORD,
        email_verified=True,
        **extra,
    )


def make_queued_email(*, to: str = "someone@example.org", **extra):
    """An e-mail in the outbox, not yet published to a worker unless ``enqueue=True``."""
    fields = {"kind": "test", "language": "en", "subject": "Hello", "body_text": "Body"}
    return notify_services.email_queue(to=to, **{"enqueue": False, **fields, **extra})


def make_staff(*, with_mfa: bool = True):
    """An IOM staff account. With two-factor on, the returned object acts as staff when
    passed to services (as a server-side caller would); without, it holds the role only."""
    user = make_user(full_name="IOM Staff Member")
    alliance_services.secretariat_bootstrap(user=user)
    if with_mfa:
        user.totp_secret = generate_totp_secret()
        TOTP.activate(user, user.totp_secret)
        RecoveryCodes.activate(user)  # as allauth's activation flow does
        vouch_for_staff(user)
    return user


def make_member_state(*, actor, country: str = "FJ") -> MemberState:
    existing = MemberState.objects.filter(country=country).first()
    return existing or alliance_services.member_state_create(
        actor=actor, country=country, joined_on="2023-06-01", is_benefiting=True
    )


def make_government(*, staff, country: str = "FJ", name: str | None = None) -> Organization:
    state = make_member_state(actor=staff, country=country)
    return alliance_services.organization_register(
        actor=staff,
        kind=Organization.Kind.GOVERNMENT,
        name=name or f"Government of {country} {next(_seq)}",
        country=country,
        member_state=state,
        contact_email=f"gov{next(_seq)}@example.org",
    )


def make_organization(
    *,
    admin,
    kind: str = Organization.Kind.DIASPORA,
    name: str | None = None,
    country: str = "IE",
    verified_by=None,
) -> Organization:
    org = alliance_services.organization_register(
        actor=admin,
        kind=kind,
        name=name or f"Organization {next(_seq)}",
        country=country,
        contact_email=admin.email,
        countries_of_origin=["FJ"],
    )
    if verified_by is not None:
        org = alliance_services.organization_verify(actor=verified_by, organization=org)
    return org


def add_member(*, staff, organization: Organization, user=None, role=Membership.Role.MEMBER):
    user = user or make_user()
    alliance_services.membership_add(actor=staff, organization=organization, user=user, role=role)
    return user


def make_youth_participant(
    *, user=None, date_of_birth=None, public_consent: bool = False, **details
):
    """A youth participant who joined through the real service (aged 25 by default)."""
    import datetime

    from django.utils import timezone

    from youth.services import youth_profile_create

    user = user or make_user(full_name=details.pop("full_name", "Young Person"))
    today = timezone.localdate()
    youth_profile_create(
        user=user,
        date_of_birth=date_of_birth or datetime.date(today.year - 25, 1, 1),
        heritage_countries=details.pop("heritage_countries", ["SV"]),
        consent=True,
        public_consent=public_consent,
        **details,
    )
    return type(user).objects.get(pk=user.pk)


def make_programme(*, staff, **overrides) -> TrainingProgramme:
    """A published online programme for government officials, in English."""
    fields = {
        "title": "Engaging your diaspora",
        "summary": "How governments work with their diasporas.",
        "learning_objectives": "Map the diaspora.\nDesign an engagement policy.",
        "audience": TrainingProgramme.Audience.GOVERNMENT,
        "language": "en",
        "mode": TrainingProgramme.Mode.ONLINE,
        "published": True,
    }
    return training_services.programme_create(actor=staff, **(fields | overrides))


def make_offering(*, staff, programme=None, **overrides) -> Offering:
    """An offering open for enrollment now, starting in 30 days (a new government
    programme unless ``programme`` is given)."""
    now = timezone.now()
    fields = {
        "title": "Spring cohort",
        "starts_on": (now + datetime.timedelta(days=30)).date(),
        "ends_on": (now + datetime.timedelta(days=34)).date(),
        "time_zone": "Pacific/Fiji",
        "join_url": "https://meet.example.org/training",
        "capacity": 2,
        "enrollment_opens_at": now - datetime.timedelta(days=1),
        "enrollment_closes_at": now + datetime.timedelta(days=20),
        "status": Offering.Status.OPEN,
    }
    return training_services.offering_create(
        actor=staff, programme=programme or make_programme(staff=staff), **(fields | overrides)
    )
