"""Reads of the youth app that views and services need."""

from django.db.models import QuerySet, prefetch_related_objects

from alliance.models import Organization
from gdpa.prepared import PreparedRead

from .models import Story, YouthProfile

_ATTR = "_youth_profile"
_MISSING = object()


#: Read on every page that shows the person's roles: its SQL is compiled once.
_PROFILE = PreparedRead(
    "youth.youth_profile_of",
    lambda user_id: YouthProfile.objects.filter(user_id=user_id).select_related("organization"),
    -1,
)


def youth_profile_of(user) -> YouthProfile | None:
    """The person's youth profile with its interests, looked up once per request."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, _ATTR, _MISSING)
    if cached is _MISSING:
        found = _PROFILE.rows(user.pk)
        cached = found[0] if found else None
        if cached is not None:
            prefetch_related_objects([cached], "interests")
        setattr(user, _ATTR, cached)
    return cached


def forget_youth_profile(user) -> None:
    """Drop the looked-up profile after it was created or deleted in the same request."""
    if hasattr(user, _ATTR):
        delattr(user, _ATTR)


def youth_organizations_for(user) -> QuerySet[Organization]:
    """The organizations a youth participant may link their profile to: the verified
    diaspora organizations they are a member of."""
    return Organization.objects.filter(
        kind=Organization.Kind.DIASPORA,
        status=Organization.Status.VERIFIED,
        memberships__user=user,
    ).order_by("name")


def published_story_count(user) -> int:
    """How many of the person's stories are shown publicly now."""
    return Story.objects.filter(author=user, status=Story.Status.PUBLISHED).count()
