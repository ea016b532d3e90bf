"""System checks of the authentication setup (``manage.py check --deploy``)."""

from django.conf import settings
from django.core import checks

#: Caches that live in one process (or nowhere): rate limits kept there do not hold when
#: several workers serve the portal.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(checks.Tags.security, deploy=True)
def rate_limit_cache(app_configs, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        return [
            checks.Warning(
                "The default cache is per process, so sign-in rate limits and the account "
                "lockout count separately in every worker.",
                hint="Set REDIS_URL: production settings then use Redis as the cache.",
                id="gdpa.W101",
            )
        ]
    return []
