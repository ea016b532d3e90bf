"""Settings shared by every environment, read from environment variables.

With nothing configured the portal runs on the embedded default: a SQLite file, tasks
executed in-process, and e-mails printed to the console. ``DATABASE_URL`` and
``REDIS_URL`` switch to PostgreSQL and Celery over Redis. Every variable is listed in
the README's configuration table.
"""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from gdpa.cache import shared_cache
from gdpa.notify.providers import email_backend_settings, smtp_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

#: The public development key: production settings refuse it (and any short key).
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address of the portal, used in links inside e-mails sent by background tasks.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "gdpa.admin_site.GDPAAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.sites",
    "django_htmx",
    "csp",
    "template_partials",
    "django_countries",
    "django_celery_beat",
    "guardian",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Kernel shared by every app.
    "gdpa.accounts",
    "gdpa.audit",
    "gdpa.notify",
    "gdpa.portal",
    "gdpa.exports",
    "gdpa.results",
    "gdpa.retention",
    "gdpa.privacy",
    # Product apps.
    "alliance",
    "trainings",
    "youth",
]

MIDDLEWARE = [
    "gdpa.http.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "gdpa.http.middleware.RequestGuardMiddleware",
    # Before the session and authentication, to record every table a page reads; it
    # answers in process_view, once every middleware below has let the request through.
    "gdpa.http.kept_pages.KeptPagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gdpa.http.middleware.PrivatePagesMiddleware",
    "gdpa.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gdpa.accounts.sessions.SessionLifetimeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "gdpa.accounts.middleware.SessionActivityMiddleware",
    "gdpa.accounts.middleware.SecondFactorMiddleware",
    # Tenant isolation: every request reads tenant-owned rows in the asker's scope.
    "alliance.tenancy.TenantScopeMiddleware",
    # Last, so it sees the view's PermissionDenied/AccessRefused first (docs/security.md).
    "gdpa.http.security_log.SecurityLogMiddleware",
]

# --- Headers, cookies and session lifetime (docs/security.md) -------------------------
# Content-Security-Policy (django-csp 4): scripts and styles from the portal's own static
# files only, no inline code of any kind (templates use classes and static/js; htmx is told
# not to inject its indicator <style> and not to eval, in base.html's htmx-config). Images
# may be data: URIs (the two-factor QR code). Nothing may frame the portal.
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_NONE],
        "frame-ancestors": [_NONE],
        "form-action": [_SELF],
    }
}
# Permissions-Policy: no page of the portal uses any of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The orchestrator's probes speak plain HTTP to gunicorn inside the stack (compose's health
# checks): with SECURE_SSL_REDIRECT on, they answer there instead of being redirected.
# They carry no personal data.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^ready/$"]
X_FRAME_OPTIONS = "DENY"
# Cookies: HttpOnly session cookie; SameSite=Lax, not Strict, because people arrive from
# links in e-mails (invitations, RSVP answers, "your story is published"): with Strict the
# first page after such a link would look signed out. Production adds Secure and the
# __Host- prefix (production.py).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Session lifetime, in seconds (gdpa/accounts/sessions.py): signed out after 30 minutes
# without a request (15 for IOM staff, who can see everyone's data), and 12 hours after
# signing in whatever the activity: ASVS Level 2 (V3.3.2). The cookie itself lasts no
# longer than the absolute lifetime.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_STAFF_IDLE_TIMEOUT = env.int("SESSION_STAFF_IDLE_TIMEOUT", default=15 * 60)
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME

ROOT_URLCONF = "gdpa.urls"
WSGI_APPLICATION = "gdpa.wsgi.application"
ASGI_APPLICATION = "gdpa.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gdpa.portal.context_processors.navigation",
                "alliance.context_processors.organizations",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Writers take the lock when their transaction begins, so the embedded default
    # never reads stale data inside a write (capacity checks, claims).
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))


def survive_database_restarts(db: dict) -> dict:
    """A restarted PostgreSQL costs a few 503 pages, never a hung or broken web process.

    A persistent connection (CONN_MAX_AGE) is checked before a request reuses it, so the
    first request after a restart does not fail on a connection the server closed; a
    server that does not answer fails the connection after DATABASE_CONNECT_TIMEOUT
    seconds instead of holding the worker (gdpa/http/unavailable.py answers 503).
    """
    db["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
    if db["ENGINE"].endswith("postgresql"):
        options = db.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
    return db


survive_database_restarts(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    # Long passphrases are welcome; the ceiling only keeps hashing a bounded amount of work.
    {
        "NAME": "gdpa.accounts.passwords.MaximumLengthValidator",
        "OPTIONS": {"max_length": 256},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gdpa.accounts.passwords.BreachedPasswordValidator"},
]
#: Breached passwords, checked offline: a file of SHA-1 hashes sorted by hash, one per line
#: ("HASH" or "HASH:COUNT", as Have I Been Pwned publishes them). Empty: the small sample
#: shipped in gdpa/accounts/data/ (docs/security.md, "Passwords", says how to install the
#: full list).
BREACHED_PASSWORDS_FILE = env("BREACHED_PASSWORDS_FILE", default="")
#: Reverse proxies in front of the portal that append to X-Forwarded-For; the client IP
#: that rate limits and session lists use is that many hops from the right (0: REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
SITE_ID = 1

# django-allauth: e-mail is the login; addresses must be confirmed before signing in.
ACCOUNT_ADAPTER = "gdpa.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "gdpa.accounts.forms.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[GDPA] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
ACCOUNT_PREVENT_ENUMERATION = True
# Rate limits (allauth counts in the default cache: Redis in production, shared by every
# process). "ip" is the client behind TRUSTED_PROXY_COUNT proxies (gdpa/http/client_ip.py).
# Failed sign-ins (docs/security.md, "Account lockout"): 5 per address from one IP lock that
# address for that IP for 5 minutes, even with the right password; 10 per minute from one
# IP whatever the address; and a ceiling of 30 per address per hour from all IPs together
# (the portal's own action, gdpa/accounts/adapters.py), which the address's known browsers
# pass. Per-IP limits stay per minute: a venue's shared Wi-Fi must not lock out a meeting.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "login_failed_account": "30/h/key",
    "signup": "20/m/ip,200/h/ip",
    "reset_password": "10/m/ip,5/h/key",
    "reset_password_from_key": "20/m/ip",
    # Sending a confirmation again: once per 3 minutes per address, 10 per hour per IP.
    "confirm_email": "1/180s/key,10/h/ip",
    "change_password": "5/m/user,20/h/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user,30/h/user",
}
# Changing e-mail addresses or two-factor methods (MFA_REAUTHENTICATION_REQUIRED defaults
# to True) asks for the password or a code again unless given in the last 5 minutes; a
# password change asks for the current password in its own form.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
MFA_REAUTHENTICATION_REQUIRED = True
# People see their signed-in sessions (browser, IP, last seen) and end the others. "Last
# seen" is written at most every USERSESSIONS_ACTIVITY_INTERVAL seconds per session
# (gdpa.accounts.middleware.SessionActivityMiddleware), not on every request.
USERSESSIONS_TRACK_ACTIVITY = True
USERSESSIONS_ACTIVITY_INTERVAL = 300
# allauth's forms with messages that say what to do (gdpa/accounts/allauth_forms.py).
_FORMS = "gdpa.accounts.allauth_forms."
ACCOUNT_FORMS = {
    "login": _FORMS + "LoginForm",
    "signup": _FORMS + "SignupForm",
    "add_email": _FORMS + "AddEmailForm",
    "change_password": _FORMS + "ChangePasswordForm",
    "set_password": _FORMS + "SetPasswordForm",
    "reset_password": _FORMS + "ResetPasswordForm",
    "reset_password_from_key": _FORMS + "ResetPasswordKeyForm",
    "reauthenticate": _FORMS + "ReauthenticateForm",
}
MFA_FORMS = {
    "authenticate": _FORMS + "AuthenticateForm",
    "reauthenticate": _FORMS + "MFAReauthenticateForm",
    "activate_totp": _FORMS + "ActivateTOTPForm",
    "deactivate_totp": _FORMS + "DeactivateTOTPForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "GDPA Portal"
# Two-factor secrets are encrypted at rest with these Fernet keys (comma-separated, first
# encrypts); empty outside production: a key derived from SECRET_KEY.
MFA_ADAPTER = "gdpa.accounts.adapters.MFAAdapter"
MFA_ENCRYPTION_KEY = env.list("MFA_ENCRYPTION_KEY", default=[])

# django-guardian: object permissions; no anonymous user row (our login is e-mail only).
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_404 = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# Private files (donor reports): outside MEDIA_ROOT, served by no URL, only through
# permission-checked views.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
    # Built export files: private (no URL serves them; only the download view, to the
    # staff member who asked), never under static.
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "exports", "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Organization invitations (e-mails from the portal's domain): at most N per organization
# and per person within a window of hours; IOM staff are not limited.
INVITATION_LIMIT_PER_ORGANIZATION = (
    env.int("INVITATION_LIMIT_PER_ORGANIZATION", default=100),
    env.int("INVITATION_LIMIT_ORGANIZATION_HOURS", default=24),
)
INVITATION_LIMIT_PER_PERSON = (
    env.int("INVITATION_LIMIT_PER_PERSON", default=30),
    env.int("INVITATION_LIMIT_PERSON_HOURS", default=1),
)

# Large posted text is refused with a 400 page instead of being read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Uploads: no file may pass this size; the first handler stops reading the request there
# (a 413 page). Keep the proxy's body limit just above it (docs/operations.md).
UPLOAD_MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "gdpa.http.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# smtp:// sends through gdpa.notify.smtp.EmailBackend, so that each e-mail is marked sent
# at SMTP's final dot (gdpa/notify/delivery.py, emails_deliver).
EMAIL_CONFIG = smtp_settings(env.email_url("EMAIL_URL", default="consolemail://"))
vars().update(EMAIL_CONFIG)
# Seconds each exchange with the SMTP server may take (Django's default waits for ever);
# well below STALE_SENDING_AFTER (gdpa/notify/services.py, used by delivery.py).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# --- E-mail provider and deliverability (docs/operations.md, "E-mail") ---------------
# SMTP through EMAIL_URL by default; EMAIL_PROVIDER=postmark|mailgun|sendgrid|amazon_ses|
# brevo sends through django-anymail with that provider's keys, and its tracking webhook
# (/anymail/<provider>/tracking/, basic auth ANYMAIL_WEBHOOK_SECRET) reports bounces and
# complaints. Production refuses a provider without its keys (gdpa/notify/providers.py).
INSTALLED_APPS += ["anymail"]  # its system checks; the webhook URLs are gdpa.notify's
EMAIL_PROVIDER = env("EMAIL_PROVIDER", default="").strip().lower()
ANYMAIL: dict = {}
vars().update(email_backend_settings(EMAIL_PROVIDER, os.environ, strict=False))
# Hard bounces (counted since the last lift) after which an address is suppressed; one
# complaint suppresses it at once.
EMAIL_BOUNCE_LIMIT = env.int("EMAIL_BOUNCE_LIMIT", default=2)
# --- end of e-mail provider ----------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="GDPA Portal <no-reply@gdpa.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
#: The address the footer, privacy notice and accessibility statement give for questions.
CONTACT_EMAIL = env("CONTACT_EMAIL", default="contact@gdpa.example.org")

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Redis, answered from process memory while Redis is away (gdpa/cache.py).
    CACHES = shared_cache(REDIS_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
#: Seconds a page of a ``@kept_page`` view is answered again for the same person while
#: nothing it was drawn from is written (gdpa/http/kept_pages.py); 0 keeps nothing. Needs a
#: cache every process shares, so it is off without Redis.
KEPT_PAGE_SECONDS = env.int("KEPT_PAGE_SECONDS", default=30 if REDIS_URL else 0)
#: Whether a write also forgets kept pages before its transaction commits: only a request
#: inside the same transaction could see it then, which the portal never makes (tests do).
KEPT_PAGES_SEE_UNCOMMITTED = False
#: Sessions stay in the database (Django's ``db`` engine, its read compiled once:
#: gdpa/accounts/session_store.py). ``cached_db`` saves one query per page
#: (docs/benchmarks.md) but was turned down: while Redis is away the cache answers from each
#: process's memory (gdpa/cache.py), so a sign-out or a disabled account during an outage
#: would not reach Redis, and the ended session would come back from Redis once it returned.
SESSION_ENGINE = "gdpa.accounts.session_store"

# --- Celery -------------------------------------------------------------------------
# With no broker configured, tasks run in-process so the portal works end to end.
# The broker is not the source of truth: work is a database row first, a failed publish
# is logged (gdpa/notify/dispatch.py) and the periodic sweeps below drive the work again.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery closes Django's database connection around every task unless told to reuse it;
# reusing it cut PostgreSQL CPU six-fold in the benchmark (docs/benchmarks.md).
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TASK_DEFAULT_QUEUE = "default"
# Long work (PDFs, large exports, staff imports) runs on its own queue so it never holds
# up e-mails and reminders: compose runs a worker for each queue, so a PDF that runs to
# its time limit occupies only the heavy worker (`make worker` listens to both).
CELERY_TASK_ROUTES = {
    "gdpa.exports.tasks.build_export": {"queue": "heavy"},
    "gdpa.results.tasks.build_donor_report": {"queue": "heavy"},
    "alliance.tasks.build_recommendation_report": {"queue": "heavy"},
    "alliance.tasks.run_staff_import": {"queue": "heavy"},
    "trainings.tasks.build_certificate_pdf": {"queue": "heavy"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
# Workers survive a broker restart: they retry the connection at start-up and after a
# loss, forever, instead of exiting after 100 attempts.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_BROKER_CHANNEL_ERROR_RETRY = True
# A task cut off by a lost connection is redelivered (acks_late) rather than finished
# into a connection that can no longer acknowledge it.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Above the hard time limit: an unacknowledged task is redelivered only after this.
    "visibility_timeout": 3600,
    # A dead or half-open connection fails fast instead of hanging a publish or a worker.
    "socket_connect_timeout": 5,
    "socket_timeout": 30,
    "socket_keepalive": True,
    "retry_on_timeout": True,
    "health_check_interval": 25,
}
# A web request waits at most about two seconds for a broker that is down; then the
# publish is logged as failed and the sweep takes over (never an error page).
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# No result backend (tasks report through their rows); should one be configured, the
# same timeouts apply to it.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 5
CELERY_REDIS_SOCKET_TIMEOUT = 30
CELERY_REDIS_RETRY_ON_TIMEOUT = True
CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = 25
# A failed e-mail keeps its content this many days (so staff can resend it); then the
# outbox sweep removes it. Sent e-mails lose their content at once.
EMAIL_FAILED_BODY_RETENTION_DAYS = 7
# --- end of Celery ------------------------------------------------------------------

# Retention (gdpa.retention): days after which the daily task deletes what each rule
# covers; 0 turns a rule off. docs/security.md lists what each rule keeps.
RETENTION_DAYS = {
    "unverified_accounts": env.int("RETENTION_UNVERIFIED_ACCOUNTS_DAYS", default=30),
    "invitations": env.int("RETENTION_INVITATIONS_DAYS", default=90),
    "exports": env.int("RETENTION_EXPORTS_DAYS", default=30),
    "recommendation_reports": env.int("RETENTION_RECOMMENDATION_REPORTS_DAYS", default=90),
    "donor_reports": env.int("RETENTION_DONOR_REPORTS_DAYS", default=365),
    "staff_imports": env.int("RETENTION_STAFF_IMPORTS_DAYS", default=365),
    "sent_emails": env.int("RETENTION_SENT_EMAILS_DAYS", default=365),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line carries the id of the request it was written in ("-" outside a request),
    # the same id as the response's X-Request-ID header.
    "filters": {"request_id": {"()": "gdpa.http.request_id.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
# WeasyPrint reports each rendering step and fontTools each font subset at INFO: one
# certificate PDF would log some forty lines.
LOGGING["loggers"] = {
    "weasyprint.progress": {"level": "WARNING"},
    "fontTools": {"level": "WARNING"},
    # Sign-ins, sign-outs, failures, credential changes and refused access
    # (gdpa/http/security_log.py); keep it at INFO whatever LOG_LEVEL says.
    "gdpa.security": {"level": "INFO"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-emails": {"task": "gdpa.notify.tasks.sweep_emails", "schedule": 300.0},
    "session-reminders": {"task": "alliance.tasks.dispatch_reminders", "schedule": 60.0},
    "sweep-session-mail": {"task": "alliance.tasks.sweep_session_mail", "schedule": 300.0},
    "training-reminders": {"task": "trainings.tasks.send_training_reminders", "schedule": 60.0},
    "sweep-certificate-pdfs": {"task": "trainings.tasks.sweep_certificate_pdfs", "schedule": 600.0},
    "sweep-recommendation-reports": {
        "task": "alliance.tasks.sweep_recommendation_reports",
        "schedule": 300.0,
    },
    "sweep-exports": {"task": "gdpa.exports.tasks.sweep_exports", "schedule": 600.0},
    "sweep-donor-reports": {"task": "gdpa.results.tasks.sweep_donor_reports", "schedule": 300.0},
    "sweep-staff-imports": {"task": "alliance.tasks.sweep_staff_imports", "schedule": 300.0},
    "apply-retention": {"task": "gdpa.retention.tasks.apply_retention", "schedule": 86400.0},
}
# Exports (gdpa/exports): up to this many rows stream straight to the browser; more are
# built by a task on the "heavy" queue and fetched through a link that expires after
# EXPORT_LINK_HOURS (the file is then deleted).
EXPORT_STREAM_MAX_ROWS = env.int("EXPORT_STREAM_MAX_ROWS", default=5000)
EXPORT_LINK_HOURS = env.int("EXPORT_LINK_HOURS", default=24)
# PDFs (gdpa/pdf.py) are laid out in a child process whose memory may grow by at most
# this much; a document that needs more fails with a message instead of taking the worker
# down. The 90-page benchmark report needs about 90 MB (docs/benchmarks.md).
PDF_MEMORY_LIMIT_MB = env.int("PDF_MEMORY_LIMIT_MB", default=768)
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
# Youth Voices story photos: the largest upload accepted (under UPLOAD_MAX_FILE_BYTES).
STORY_PHOTO_MAX_BYTES = env.int("STORY_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
