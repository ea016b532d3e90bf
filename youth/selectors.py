from .models import YouthProfile

_ATTR = "_youth_profile"
_MISSING = object()


def youth_profile_of(user) -> YouthProfile | None:
    """The person's youth profile, looked up once per request."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, _ATTR, _MISSING)
    if cached is _MISSING:
        cached = YouthProfile.objects.filter(user=user).prefetch_related("interests").first()
        setattr(user, _ATTR, cached)
    return cached


def forget_youth_profile(user) -> None:
    """Drop the looked-up profile after it was created or deleted in the same request."""
    if hasattr(user, _ATTR):
        delattr(user, _ATTR)
