"""Authentication-state glue for allauth (no business logic here)."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator


def record_second_factor_on_activation(sender, request, user, authenticator, **kwargs) -> None:
    """Turning on TOTP means typing a valid code: this session has passed the second
    factor, as if the person had signed in with it (allauth records sign-ins likewise)."""
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


def session_activity_recorded_at_login(sender, request, **kwargs) -> None:
    """The session's row was just written by allauth.usersessions (at sign-in)."""
    from django.conf import settings
    from django.core.cache import cache

    from .middleware import activity_cache_key

    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        cache.set(activity_cache_key(session_key), 1, settings.USERSESSIONS_ACTIVITY_INTERVAL)
