"""Which e-mail backend sends the portal's mail, chosen by configuration.

Read by the settings modules, so this file imports nothing from Django's app registry.
SMTP (``EMAIL_URL``) is the default, sent through ``gdpa.notify.smtp.EmailBackend``;
``EMAIL_PROVIDER`` names a django-anymail provider whose keys come from environment
variables (see docs/operations.md, "E-mail").
"""

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Provider:
    backend: str
    #: environment variable -> ANYMAIL setting, for the keys the provider cannot work without.
    required: Mapping[str, str]
    #: environment variable -> ANYMAIL setting, for optional ones.
    optional: Mapping[str, str]
    #: a Python package the backend needs beyond django-anymail.
    needs: str = ""


PROVIDERS: dict[str, Provider] = {
    "postmark": Provider(
        "anymail.backends.postmark.EmailBackend",
        {"POSTMARK_SERVER_TOKEN": "POSTMARK_SERVER_TOKEN"},
        {"POSTMARK_MESSAGE_STREAM": "POSTMARK_MESSAGE_STREAM"},
    ),
    "mailgun": Provider(
        "anymail.backends.mailgun.EmailBackend",
        {
            "MAILGUN_API_KEY": "MAILGUN_API_KEY",
            # Mailgun signs its webhooks: anymail refuses them without this key.
            "MAILGUN_WEBHOOK_SIGNING_KEY": "MAILGUN_WEBHOOK_SIGNING_KEY",
        },
        {"MAILGUN_SENDER_DOMAIN": "MAILGUN_SENDER_DOMAIN", "MAILGUN_API_URL": "MAILGUN_API_URL"},
    ),
    "sendgrid": Provider(
        "anymail.backends.sendgrid.EmailBackend",
        {"SENDGRID_API_KEY": "SENDGRID_API_KEY"},
        {
            "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY": (
                "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY"
            )
        },
    ),
    "amazon_ses": Provider(
        "anymail.backends.amazon_ses.EmailBackend",
        # Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
        # or an instance role); the region must be named.
        {"AMAZON_SES_REGION": "AMAZON_SES_CLIENT_PARAMS"},
        {"AMAZON_SES_CONFIGURATION_SET_NAME": "AMAZON_SES_CONFIGURATION_SET_NAME"},
        needs="boto3",
    ),
    "brevo": Provider(
        "anymail.backends.brevo.EmailBackend",
        {"BREVO_API_KEY": "BREVO_API_KEY"},
        {},
    ),
}

#: Django's SMTP backend, as django-environ names it for an ``smtp://`` ``EMAIL_URL``, and
#: the portal's subclass that lets the outbox mark each e-mail sent at SMTP's final dot.
DJANGO_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SMTP_BACKEND = "gdpa.notify.smtp.EmailBackend"


def smtp_settings(config: Mapping[str, object]) -> dict[str, object]:
    """``EMAIL_URL``'s settings (``env.email_url``) with Django's SMTP backend replaced by
    ``SMTP_BACKEND``; other backends (console, file ...) are left as they are."""
    settings = dict(config)
    if settings.get("EMAIL_BACKEND") == DJANGO_SMTP_BACKEND:
        settings["EMAIL_BACKEND"] = SMTP_BACKEND
    return settings


#: ``user:password`` pairs (comma-separated, to rotate) the provider's webhook must send.
WEBHOOK_SECRET_VARIABLE = "ANYMAIL_WEBHOOK_SECRET"  # noqa: S105 - a variable name


def email_backend_settings(
    provider: str, environ: Mapping[str, str], *, strict: bool
) -> dict[str, object]:
    """The settings for ``EMAIL_PROVIDER``: ``{}`` for SMTP (empty or ``smtp``), else
    ``EMAIL_BACKEND`` and ``ANYMAIL``.

    An unknown provider is refused everywhere. With ``strict`` (production) a provider
    named without its keys, its webhook secret or the package it needs is refused too:
    the portal does not start rather than lose mail or accept forged webhooks.
    """
    name = (provider or "").strip().lower()
    if name in ("", "smtp"):
        return {}
    try:
        spec = PROVIDERS[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"EMAIL_PROVIDER={provider!r} is not supported; use one of "
            f"{', '.join(sorted(PROVIDERS))}, or leave it empty for SMTP (EMAIL_URL)."
        ) from None
    anymail: dict[str, object] = {}
    missing = []
    for variable, setting in {**spec.required, **spec.optional}.items():
        value = (environ.get(variable) or "").strip()
        if not value:
            if variable in spec.required:
                missing.append(variable)
            continue
        anymail[setting] = {"region_name": value} if setting.endswith("_CLIENT_PARAMS") else value
    secrets = [s.strip() for s in (environ.get(WEBHOOK_SECRET_VARIABLE) or "").split(",")]
    secrets = [s for s in secrets if s]
    if secrets:
        anymail["WEBHOOK_SECRET"] = secrets
    if strict:
        if not secrets or any(":" not in s for s in secrets):
            missing.append(f"{WEBHOOK_SECRET_VARIABLE} (user:password)")
        if spec.needs and importlib.util.find_spec(spec.needs) is None:
            raise ImproperlyConfigured(
                f"EMAIL_PROVIDER={name} needs the {spec.needs} package "
                f"(install django-anymail[{name.replace('_', '-')}])."
            )
        if missing:
            raise ImproperlyConfigured(
                f"EMAIL_PROVIDER={name} is set but these are missing: {', '.join(missing)}."
            )
    return {"EMAIL_BACKEND": spec.backend, "ANYMAIL": anymail}
