import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gdpa.accounts.roles import forget_roles
from gdpa.audit.services import audit_record

from .age import validate_date_of_birth
from .models import CONSENT_VERSION, YouthProfile
from .selectors import forget_youth_profile

ALREADY_JOINED = _("You are already a youth participant.")


@transaction.atomic
def youth_profile_create(
    *,
    user,
    date_of_birth: datetime.date,
    heritage_countries: list[str],
    interests=(),
    about: str = "",
    consent: bool,
) -> YouthProfile:
    """Make ``user`` a youth participant, with their consent to the current consent text.

    Safe against a double submit: the person's row is locked while we look for an existing
    profile, and should two requests still race (SQLite has no row locks), the database's
    one-profile-per-person constraint is answered with the same message.
    """
    if not consent:
        raise ValidationError({"consent": _("Your consent is needed to take part.")})
    try:
        validate_date_of_birth(date_of_birth, timezone.localdate())
    except ValidationError as error:
        raise ValidationError({"date_of_birth": error.error_list}) from None
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
    if YouthProfile.objects.filter(user=user).exists():
        raise ValidationError(ALREADY_JOINED)
    profile = YouthProfile(
        user=user,
        date_of_birth=date_of_birth,
        heritage_countries=list(heritage_countries),
        about=about.strip(),
        consent_at=timezone.now(),
        consent_version=CONSENT_VERSION,
    )
    # One profile per person is the database's to enforce (below), with our own message.
    profile.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:
        raise ValidationError(ALREADY_JOINED) from None
    profile.interests.set(interests)
    audit_record(
        actor=user,
        action="youth_profile.create",
        target=profile,
        after={"consent_version": profile.consent_version, "consent_at": profile.consent_at},
    )
    forget_roles(user)
    forget_youth_profile(user)
    return profile


@transaction.atomic
def youth_consent_withdraw(*, user) -> None:
    """Withdraw the person's youth consent: they stop being a youth participant.

    The profile and its personal details (date of birth, countries of heritage, sectors,
    about) are deleted. The audit log keeps that consent was withdrawn, when, and which
    consent text it was given under; none of the profile's details. The person may join
    again later with a fresh consent.
    """
    profile = YouthProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise ValidationError(
            _("You are not a youth participant, so there is no consent to withdraw.")
        )
    audit_record(
        actor=user,
        action="youth_profile.consent_withdrawn",
        target=profile,
        before={"consent_version": profile.consent_version, "consent_at": profile.consent_at},
        after={"withdrawn_at": timezone.now()},
    )
    profile.delete()
    forget_roles(user)
    forget_youth_profile(user)
