"""Small helpers the alliance services share."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gdpa.accounts.roles import forget_roles

from ..permissions import forget_memberships


def language_for(email: str, fallback: str | None = None) -> str:
    user = get_user_model().objects.filter(email__iexact=email).only("preferred_language").first()
    if user is not None:
        return user.preferred_language
    return (fallback or get_language() or "en")[:2]


def forget_person(user) -> None:
    forget_memberships(user)
    forget_roles(user)


def save_new(instance) -> None:
    """full_clean then save; a race past validation reports as the same validation error."""
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        instance.validate_constraints()
        raise ValidationError(_("This record conflicts with one that already exists.")) from exc
