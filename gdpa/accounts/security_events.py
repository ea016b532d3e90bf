"""Authentication events written to the security log (``gdpa.security``).

Receivers of Django's and allauth's signals; each writes one line through
``gdpa.http.security_log.log_event`` and does nothing else. What is never logged is
listed there; here: a failed sign-in names the account (its id) when the address belongs
to one, otherwise only the domain of the address typed.
"""

import logging

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals

from gdpa.http.security_log import log_event

#: Set on the request by the session-lifetime middleware before it signs a person out.
LOGOUT_REASON_ATTR = "_gdpa_logout_reason"


def _logged_in(sender, request, user, **kwargs):
    log_event(request, "login", user=user)


def _logged_out(sender, request, user, **kwargs):
    reason = getattr(request, LOGOUT_REASON_ATTR, None) or "signed_out"
    log_event(request, "logout", user=user, reason=reason)


def _login_failed(sender, credentials, request=None, **kwargs):
    address = str(credentials.get("email") or credentials.get("username") or "")
    account = None
    if address:
        account = get_user_model().objects.filter(email__iexact=address).only("pk").first()
    domain = address.rpartition("@")[2].lower() if "@" in address else None
    log_event(
        request,
        "login_failed",
        user=account,
        level=logging.WARNING,
        # The address is personal data: its domain is enough to see an attack on one
        # ministry; the account id (when there is one) to see an attack on one person.
        email_domain=None if account else domain,
    )


def _mfa_failed(sender, request, user, **kwargs):
    log_event(request, "mfa_failed", user=user, level=logging.WARNING)


def _event(name: str, level: int = logging.INFO):
    def receiver(sender, request=None, user=None, **kwargs):
        log_event(request, name, user=user, level=level)

    receiver.__name__ = f"_log_{name}"
    return receiver


def _authenticator(name: str):
    def receiver(sender, request=None, user=None, authenticator=None, **kwargs):
        kind = getattr(authenticator, "type", None)
        log_event(request, name, user=user, authenticator=kind)

    receiver.__name__ = f"_log_{name}"
    return receiver


def _email_confirmed(sender, request=None, email_address=None, **kwargs):
    log_event(request, "email_confirmed", user=getattr(email_address, "user", None))


_RECEIVERS = [
    (auth_signals.user_logged_in, _logged_in),
    (auth_signals.user_logged_out, _logged_out),
    (auth_signals.user_login_failed, _login_failed),
    (account_signals.user_signed_up, _event("signup")),
    (account_signals.password_changed, _event("password_changed")),
    (account_signals.password_set, _event("password_set")),
    (account_signals.password_reset, _event("password_reset")),
    (account_signals.email_changed, _event("email_changed")),
    (account_signals.email_added, _event("email_added")),
    (account_signals.email_removed, _event("email_removed")),
    (account_signals.email_confirmed, _email_confirmed),
    (mfa_signals.authenticator_added, _authenticator("mfa_added")),
    (mfa_signals.authenticator_removed, _authenticator("mfa_removed")),
    (mfa_signals.authenticator_reset, _authenticator("mfa_reset")),
    (mfa_signals.authentication_failed, _mfa_failed),
]


def connect() -> None:
    for signal, receiver in _RECEIVERS:
        signal.connect(receiver, dispatch_uid=f"gdpa_security_{receiver.__name__}")
