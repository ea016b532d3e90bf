"""Writes of the youth app: joining as a youth participant, the two consents (to take
part, and to public display of one's name and stories) and the age range staff set."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gdpa.accounts.roles import forget_roles
from gdpa.accounts.services import profile_update
from gdpa.audit.services import audit_record, snapshot

from .age import validate_date_of_birth
from .models import CONSENT_VERSION, PUBLIC_CONSENT_VERSION, YouthProfile, YouthSettings
from .selectors import forget_youth_profile, youth_organizations_for
from .stories import stories_take_down_for_author

ALREADY_JOINED = _("You are already a youth participant.")
NOT_A_PARTICIPANT = _("You are not a youth participant, so there is no consent to withdraw.")
ORGANIZATION_REFUSED = _("Choose one of your verified diaspora organizations, or none")

CONSENT_FIELDS = ["consent_version", "consent_at"]
PUBLIC_CONSENT_FIELDS = ["public_consent_version", "public_consent_at"]
SETTINGS_FIELDS = ["min_age", "max_age"]


@transaction.atomic
def youth_profile_create(
    *,
    user,
    date_of_birth: datetime.date,
    heritage_countries: list[str],
    interests=(),
    about: str = "",
    country_of_residence: str = "",
    diaspora_community: str = "",
    languages: str = "",
    organization=None,
    gender: str | None = None,
    gender_self_description: str = "",
    consent: bool,
    public_consent: bool = False,
) -> YouthProfile:
    """Make ``user`` a youth participant, with their consent to the current consent text
    and, if they give it, their separate consent to public display.

    The age is checked on today's date against the range IOM staff set. ``gender`` (when
    given) is saved on the person's account, as on their profile page. ``organization`` must
    be a verified diaspora organization the person is a member of.

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
    if (
        organization is not None
        and not youth_organizations_for(user).filter(pk=organization.pk).exists()
    ):
        raise ValidationError({"organization": ORGANIZATION_REFUSED})
    locked = get_user_model().objects.select_for_update().get(pk=user.pk)
    if YouthProfile.objects.filter(user=user).exists():
        raise ValidationError(ALREADY_JOINED)
    if gender is not None:
        profile_update(
            user=locked, gender=gender, gender_self_description=gender_self_description.strip()
        )
    now = timezone.now()
    profile = YouthProfile(
        user=user,
        date_of_birth=date_of_birth,
        heritage_countries=list(heritage_countries),
        about=about.strip(),
        country_of_residence=country_of_residence,
        diaspora_community=diaspora_community.strip(),
        languages=languages.strip(),
        organization=organization,
        consent_at=now,
        consent_version=CONSENT_VERSION,
        public_consent_at=now if public_consent else None,
        public_consent_version=PUBLIC_CONSENT_VERSION if public_consent else "",
    )
    # One profile per person is the database's to enforce (below), with our own message.
    profile.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:
        raise ValidationError(ALREADY_JOINED) from None
    profile.interests.set(interests)
    user.gender, user.gender_self_description = locked.gender, locked.gender_self_description
    audit_record(
        actor=user,
        action="youth_profile.create",
        target=profile,
        after=snapshot(profile, [*CONSENT_FIELDS, *PUBLIC_CONSENT_FIELDS]),
    )
    forget_roles(user)
    forget_youth_profile(user)
    return profile


def _locked_profile(user) -> YouthProfile:
    profile = YouthProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise ValidationError(NOT_A_PARTICIPANT)
    return profile


@transaction.atomic
def youth_public_consent_give(*, user) -> YouthProfile:
    """Record the participant's consent to showing their name and approved stories
    publicly, under the current text version, now."""
    profile = _locked_profile(user)
    if profile.public_consent_at is not None:
        raise ValidationError(_("You have already given your consent to public display."))
    profile.public_consent_at = timezone.now()
    profile.public_consent_version = PUBLIC_CONSENT_VERSION
    profile.full_clean(validate_unique=False)
    profile.save(update_fields=PUBLIC_CONSENT_FIELDS)
    audit_record(
        actor=user,
        action="youth_profile.public_consent_given",
        target=profile,
        after=snapshot(profile, PUBLIC_CONSENT_FIELDS),
    )
    forget_youth_profile(user)
    return profile


@transaction.atomic
def youth_public_consent_withdraw(*, user) -> int:
    """Withdraw the participant's consent to public display: their name is no longer
    shown and every published story of theirs is taken down at once, in the same
    transaction. They stay a youth participant. Returns how many stories were taken down.
    """
    profile = _locked_profile(user)
    if profile.public_consent_at is None:
        raise ValidationError(
            _("You have not given your consent to public display, so there is none to withdraw.")
        )
    before = snapshot(profile, PUBLIC_CONSENT_FIELDS)
    profile.public_consent_at = None
    profile.public_consent_version = ""
    profile.full_clean(validate_unique=False)
    profile.save(update_fields=PUBLIC_CONSENT_FIELDS)
    audit_record(
        actor=user,
        action="youth_profile.public_consent_withdrawn",
        target=profile,
        before=before,
        after={"withdrawn_at": timezone.now()},
    )
    forget_youth_profile(user)
    return stories_take_down_for_author(user, actor=user)


@transaction.atomic
def youth_consent_withdraw(*, user) -> None:
    """Withdraw the person's youth consent: they stop being a youth participant.

    Their published stories are taken down first (showing them needs a participant's
    public consent). The profile and its personal details (date of birth, countries, sectors,
    about) are then deleted. The audit log keeps that consent was withdrawn, when, and which
    consent text it was given under; none of the profile's details. The person may join
    again later with a fresh consent.
    """
    profile = _locked_profile(user)
    stories_take_down_for_author(user, actor=user)
    audit_record(
        actor=user,
        action="youth_profile.consent_withdrawn",
        target=profile,
        before=snapshot(profile, [*CONSENT_FIELDS, *PUBLIC_CONSENT_FIELDS]),
        after={"withdrawn_at": timezone.now()},
    )
    profile.delete()
    forget_roles(user)
    forget_youth_profile(user)


@transaction.atomic
def youth_settings_update(*, actor, min_age: int, max_age: int) -> YouthSettings:
    """Change the youth age range (both ages included). It applies to people who join
    from now on; current participants stay."""
    row = YouthSettings.objects.select_for_update().order_by("pk").first() or YouthSettings()
    before = snapshot(row, SETTINGS_FIELDS) if row.pk else None
    row.min_age, row.max_age = min_age, max_age
    row.full_clean(validate_constraints=False)
    if max_age < min_age:
        raise ValidationError({"max_age": _("The oldest age cannot be below the youngest")})
    row.save()
    audit_record(
        actor=actor,
        action="youth_settings.update",
        target=row,
        before=before,
        after=snapshot(row, SETTINGS_FIELDS),
    )
    return row
