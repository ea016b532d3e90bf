import base64

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gdpa.http.client_ip import client_ip, rate_limit_ip
from gdpa.notify.services import email_queue

from . import known_browsers

#: allauth's action for failed sign-ins, counted per IP and per (address, IP) pair; the
#: two-factor step counts wrong codes under it per account. See "Account lockout" in
#: docs/security.md.
LOGIN_FAILED = "login_failed"
#: The portal's ceiling on failed sign-ins per address from all IPs together.
LOGIN_FAILED_ACCOUNT = "login_failed_account"


def _window_minutes(action: str) -> int:
    """The longest "per key" window of an action's rate, in whole minutes (at least 1)."""
    from allauth.account import app_settings

    rates = ratelimit.parse_rates(app_settings.RATE_LIMITS.get(action))
    seconds = max((rate.duration for rate in rates if rate.per == "key"), default=60)
    return max(1, round(seconds / 60))


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails (confirmation, password reset) go through our outbox; client IPs
    are read behind ``TRUSTED_PROXY_COUNT`` proxies; failed sign-ins lock an address per
    IP, with a higher ceiling for the address from everywhere."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Also the two-factor step's message (wrong codes are counted per account).
        "too_many_login_attempts": _(
            "Too many failed attempts. Signing in is paused for a few minutes, even with the "
            "right password or code. Wait, then try again."
        ),
    }

    def get_client_ip(self, request) -> str:
        return client_ip(request)

    def _login_failed_keys(self, request, **credentials) -> tuple[str, str]:
        """(the address's key, the key of the address signing in from this IP)."""
        account_key = self._get_login_attempts_cache_key(request, **credentials)
        return account_key, f"{account_key}|{rate_limit_ip(request)}"

    def pre_authenticate(self, request, **credentials) -> None:
        """Count this attempt before the password is checked, so a locked address is
        refused even with the right password. A successful sign-in takes the attempt
        back (allauth rolls back ``_login_failed_rl_usage``)."""
        account_key, pair_key = self._login_failed_keys(request, **credentials)
        pair = ratelimit.consume(request, app="allauth.account", action=LOGIN_FAILED, key=pair_key)
        if not pair:
            minutes = _window_minutes(LOGIN_FAILED)
            raise ValidationError(
                ngettext(
                    "Too many failed sign-in attempts. Signing in with this address from "
                    "your network is paused for %(minutes)s minute, even with the right "
                    "password. Wait, then try again, or reset your password.",
                    "Too many failed sign-in attempts. Signing in with this address from "
                    "your network is paused for %(minutes)s minutes, even with the right "
                    "password. Wait, then try again, or reset your password.",
                    minutes,
                )
                % {"minutes": minutes},
                code="too_many_login_attempts",
            )
        if known_browsers.is_known(request, self._login_address(**credentials)):
            # The owner's own browser: the ceiling is not theirs to hit (see the module).
            self._login_failed_rl_usage = pair
            return
        account = ratelimit.consume(
            request, app="allauth.account", action=LOGIN_FAILED_ACCOUNT, key=account_key
        )
        if not account:
            pair.rollback()
            minutes = _window_minutes(LOGIN_FAILED_ACCOUNT)
            raise ValidationError(
                ngettext(
                    "This address has had too many failed sign-in attempts from several "
                    "places. Signing in with a password is paused for up to %(minutes)s "
                    "minute. Reset your password to sign in now.",
                    "This address has had too many failed sign-in attempts from several "
                    "places. Signing in with a password is paused for up to %(minutes)s "
                    "minutes. Reset your password to sign in now.",
                    minutes,
                )
                % {"minutes": minutes},
                code="too_many_login_attempts",
            )
        self._login_failed_rl_usage = ratelimit.RateLimitUsage(usage=pair.usage + account.usage)

    @staticmethod
    def _login_address(**credentials) -> str:
        return credentials.get("email", credentials.get("username", "")) or ""

    def post_login(self, request, user, **kwargs):
        """Remember this browser for the account's confirmed addresses (known_browsers)."""
        from allauth.account.models import EmailAddress

        response = super().post_login(request, user, **kwargs)
        addresses = list(
            EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
        )
        known_browsers.remember(request, response, addresses)
        return response

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        """A completed password reset (which needs the mailbox) lifts the lock: both the
        address's ceiling and its count from the resetting IP."""
        account_key, pair_key = self._login_failed_keys(request, **credentials)
        ratelimit.clear(request, app="allauth.account", action=LOGIN_FAILED, key=pair_key)
        ratelimit.clear(
            request, app="allauth.account", action=LOGIN_FAILED_ACCOUNT, key=account_key
        )

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        language = translation.get_language() or settings.LANGUAGE_CODE
        user = context.get("user")
        if user is not None and getattr(user, "preferred_language", None) and user.pk:
            language = user.preferred_language
        with translation.override(language):
            request = context.get("request") or self.request
            ctx = {"email": email, "request": request, "current_site": _site(request)}
            ctx.update(context)
            message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), ""
        )
        email_queue(
            to=email,
            kind=template_prefix.rsplit("/", 1)[-1],
            language=language,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            user=user if getattr(user, "pk", None) else None,
        )


def _site(request):
    from django.contrib.sites.shortcuts import get_current_site

    return get_current_site(request)


#: Marks a value this adapter encrypted; anything else is a plain secret from before.
ENCRYPTED_PREFIX = "fernet:"


def mfa_fernet() -> MultiFernet:
    """The keys of ``MFA_ENCRYPTION_KEY`` (comma-separated: the first encrypts, all decrypt).

    Production settings require the variable. Elsewhere an empty value derives a key from
    ``SECRET_KEY``, so local and test databases need no extra setup.
    """
    keys = [key for key in settings.MFA_ENCRYPTION_KEY if key]
    if not keys:
        digest = salted_hmac(
            "gdpa.accounts.mfa", "encryption-key", secret=settings.SECRET_KEY, algorithm="sha256"
        ).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded bytes), "
            "comma-separated; generate one with `python -c 'from cryptography.fernet import "
            "Fernet; print(Fernet.generate_key().decode())'`."
        ) from error


def encrypt_secret(text: str) -> str:
    """Encrypt a two-factor secret for storage; already encrypted values are kept."""
    if text.startswith(ENCRYPTED_PREFIX):
        return text
    return ENCRYPTED_PREFIX + mfa_fernet().encrypt(text.encode()).decode()


def decrypt_secret(stored: str) -> str:
    """The plain secret of a stored value (a value from before encryption is returned as is)."""
    if not stored.startswith(ENCRYPTED_PREFIX):
        return stored
    try:
        return mfa_fernet().decrypt(stored.removeprefix(ENCRYPTED_PREFIX).encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A two-factor secret could not be decrypted: MFA_ENCRYPTION_KEY does not hold the "
            "key it was encrypted with (keep old keys after the new one when rotating)."
        ) from error


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted (Fernet)."""

    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)
