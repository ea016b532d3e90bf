"""Authentication-state glue for allauth (no business logic here)."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator


def record_second_factor_on_activation(sender, request, user, authenticator, **kwargs) -> None:
    """Turning on TOTP means typing a valid code: this session has passed the second
    factor, as if the person had signed in with it (allauth records sign-ins likewise)."""
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
