"""Settings for the test suite; ``DATABASE_URL``/``REDIS_URL`` point it at real services."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "exports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests run tasks in-process; the Celery integration test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = True
# django-zeal fails a test on an N+1: a relation loaded per row, or the same ``.get()``
# repeated, where the view, selector, service or task should have fetched it once
# (select_related/prefetch_related/annotate in the selector). The middleware gives every
# request its own count; tests/zeal_scope.py does the same for each task and each call
# a test makes into the apps.
INSTALLED_APPS = [*INSTALLED_APPS, "zeal"]  # noqa: F405
MIDDLEWARE = ["zeal.middleware.zeal_middleware", *MIDDLEWARE]  # noqa: F405
ZEAL_RAISE = True
ZEAL_ALLOWLIST = [
    # Django's session store and allauth load a session by its key, again at sign-in and
    # for each of a person's sessions they check or end; the portal never reads sessions.
    {"model": "sessions.Session", "field": "get()"},
    # allauth looks an address up again while it signs in an unconfirmed one; the portal
    # reads addresses with filters.
    {"model": "account.EmailAddress", "field": "get()"},
    # Django caches content types per process (get_for_model): a page naming several models
    # looks each up once, the first time only; a browser test's flush empties that cache,
    # so the staff record page's first visit looked like an N+1 on the live server.
    {"model": "contenttypes.ContentType", "field": "get()"},
]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# One process: its memory is the cache every request shares, so pages are kept as in
# production and every test that reads a page after a change checks they are forgotten.
KEPT_PAGE_SECONDS = 30
# Each test runs inside a transaction that never commits, and reads pages inside it.
KEPT_PAGES_SEE_UNCOMMITTED = True
# Many tests move the clock forward by days with a signed-in client; the session lifetime
# tests (tests/gdpa/test_security_headers.py) turn the limits on with override_settings.
SESSION_IDLE_TIMEOUT = None
SESSION_STAFF_IDLE_TIMEOUT = None
SESSION_ABSOLUTE_LIFETIME = None
SESSION_COOKIE_AGE = 14 * 24 * 60 * 60

if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # A lock that is never released (a live-server thread left inside a transaction while
    # a transactional test truncates the tables) fails the test instead of hanging the run.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c lock_timeout=120s"  # noqa: F405
