"""Readiness: can this web process serve requests? (``/ready/``, for the orchestrator)

Each check is one cheap round trip with a short timeout: the database answers
``SELECT 1``, the cache stores and returns a key, and the broker (when tasks go to Celery
workers, not run in-process) accepts a connection. A failing check is logged with its
error for the operators; the answer names only the check, never a host or a message.
"""

import logging
import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from kombu import Connection

from gdpa.cache import DIRECT

logger = logging.getLogger(__name__)

#: Seconds the broker check waits for a connection (the database's and the cache's
#: timeouts are their connection settings: production.py).
BROKER_TIMEOUT = 2
OK, FAILED, NOT_USED = "ok", "failed", "not used"


def database_ready() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def cache_ready() -> None:
    # Redis itself, not the process-local stand-in that answers while Redis is away
    # (gdpa/cache.py): pages still work then, but the cache is not ready.
    cache = caches[DIRECT] if DIRECT in settings.CACHES else caches["default"]
    key, token = "gdpa:ready", secrets.token_hex(8)
    cache.set(key, token, timeout=30)
    if cache.get(key) != token:
        raise RuntimeError("the cache did not return the value just stored")


def broker_ready() -> None:
    options = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "socket_connect_timeout": BROKER_TIMEOUT,
        "socket_timeout": BROKER_TIMEOUT,
        "retry_on_timeout": False,
    }
    with Connection(
        settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT, transport_options=options
    ) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)


def readiness() -> dict[str, str]:
    """Each check's outcome: "ok", "failed", or "not used" (the broker, when tasks run
    in-process because none is configured)."""
    checks = {"database": database_ready, "cache": cache_ready}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = broker_ready
    outcome = {"broker": NOT_USED}
    for name, check in checks.items():
        try:
            check()
        except Exception:
            logger.exception("Readiness: the %s check failed.", name)
            outcome[name] = FAILED
        else:
            outcome[name] = OK
    return {name: outcome[name] for name in ("database", "cache", "broker")}
