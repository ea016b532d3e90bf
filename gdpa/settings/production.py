"""Production settings: every secret comes from the environment, HTTPS everywhere."""

import os

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DEV_SECRET_KEY,
    email_backend_settings,
    env,
    shared_cache,
    smtp_settings,
    survive_database_restarts,
)


def refuse_weak_secret_key(key: str) -> str:
    """The key signs sessions, password-reset links and invitation and RSVP tokens."""
    if not key or key == DEV_SECRET_KEY or len(key) < 50 or len(set(key)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a long random value (at least 50 characters, not the "
            "development key) before production settings start; generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
        )
    return key


def require_fernet_keys(keys: list[str]) -> list[str]:
    """Two-factor secrets are encrypted with these; a bad key must stop the start, not sign-in."""
    try:
        if not keys:
            raise ValueError("empty")
        for key in keys:
            Fernet(key)
    except ValueError as error:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEY must hold one or more Fernet keys, comma-separated (the first "
            "encrypts); generate one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`."
        ) from error
    return keys


DEBUG = False
SECRET_KEY = refuse_weak_secret_key(env("SECRET_KEY"))
# Two-factor secrets are encrypted with their own key, never one derived from SECRET_KEY.
MFA_ENCRYPTION_KEY = require_fernet_keys(env.list("MFA_ENCRYPTION_KEY"))
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
survive_database_restarts(DATABASES["default"])
# E-mail: SMTP (EMAIL_URL, required) unless EMAIL_PROVIDER names an anymail provider, which
# then needs its keys and the webhook secret (the start is refused without them).
EMAIL_PROVIDER = env("EMAIL_PROVIDER", default="").strip().lower()
if EMAIL_PROVIDER in ("", "smtp"):
    EMAIL_CONFIG = smtp_settings(env.email_url("EMAIL_URL"))
    vars().update(EMAIL_CONFIG)
else:
    vars().update(email_backend_settings(EMAIL_PROVIDER, os.environ, strict=True))
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# Trust X-Forwarded-Proto only when a reverse proxy that sets it is the sole way in
# (TRUSTED_PROXY=1); otherwise any client could claim HTTPS.
TRUSTED_PROXY = env.bool("TRUSTED_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# The __Host- prefix makes the browser refuse these cookies unless they are Secure, for
# Path=/ and without a Domain: no other host (a subdomain) can set or shadow them.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_PATH = "/"
CSRF_COOKIE_PATH = "/"
LANGUAGE_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "same-origin"

# Production always has a broker: tasks go to Celery workers, the cache is shared.
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
CACHES = shared_cache(REDIS_URL)

# Rate limits (sign-in lockout, password reset, sign-up) count in this cache; per-IP limits
# count the client TRUSTED_PROXY_COUNT hops from the right of X-Forwarded-For. Behind one
# trusted proxy (TRUSTED_PROXY=1) that is 1; set it to the number of proxies that append.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if TRUSTED_PROXY else 0)
