import base64

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.crypto import salted_hmac

from gdpa.notify.services import email_queue


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails (confirmation, password reset) go through our outbox."""

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
