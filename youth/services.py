from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gdpa.accounts.roles import forget_roles
from gdpa.audit.services import audit_record

from .models import YouthProfile


@transaction.atomic
def youth_profile_create(
    *,
    user,
    birth_year: int,
    heritage_countries: list[str],
    interests=(),
    about: str = "",
    consent: bool,
) -> YouthProfile:
    if not consent:
        raise ValidationError({"consent": _("Your consent is needed to take part.")})
    age = timezone.now().year - birth_year
    if not YouthProfile.MIN_AGE <= age <= YouthProfile.MAX_AGE + 1:
        raise ValidationError(
            {
                "birth_year": _("Youth participants are %(min)s to %(max)s years old.")
                % {"min": YouthProfile.MIN_AGE, "max": YouthProfile.MAX_AGE}
            }
        )
    if YouthProfile.objects.filter(user=user).exists():
        raise ValidationError(_("You are already a youth participant."))
    profile = YouthProfile(
        user=user,
        birth_year=birth_year,
        heritage_countries=list(heritage_countries),
        about=about.strip(),
        consent_at=timezone.now(),
    )
    profile.full_clean()
    profile.save()
    profile.interests.set(interests)
    audit_record(actor=user, action="youth_profile.create", target=profile)
    forget_roles(user)
    if hasattr(user, "_youth_profile"):
        del user._youth_profile
    return profile
