"""Publish Celery tasks without trusting the broker.

The database is the source of truth: every piece of work is a row first (a queued
e-mail, a participant not yet invited, ...) and a task message only says "look now".
When the broker is down or restarting, a publish after commit fails: that is logged,
never turned into an error page, and the periodic sweeps (``gdpa.notify.tasks.sweep_emails``
and each app's own sweep) find the rows and drive the work again.

Only task names and ids are logged: never an e-mail body, a link or a token.
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

try:  # redis-py raises its own errors when a connection drops mid-command
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
except ImportError:  # pragma: no cover - the broker is not Redis
    RedisConnectionError = RedisTimeoutError = BrokerError

logger = logging.getLogger(__name__)

#: What a publish raises when the broker cannot take the message.
PUBLISH_ERRORS = (BrokerError, RedisConnectionError, RedisTimeoutError, OSError)


def publish(task, *args) -> bool:
    """Publish ``task(*args)`` now. Returns False (and logs) when the broker refused it."""
    try:
        task.delay(*args)
    except PUBLISH_ERRORS as exc:
        logger.warning(
            "Could not publish task %s%r (%s); the periodic sweep will pick the work up.",
            task.name,
            args,
            type(exc).__name__,
        )
        return False
    return True


def publish_each(task, calls: Iterable[tuple]) -> int:
    """Publish ``task`` once per argument tuple; stop at the first failure.

    A broker that refused one message will refuse the next too: stopping keeps a web
    request from waiting out the retry policy once per message. Returns how many were
    published.
    """
    calls = list(calls)
    for done, args in enumerate(calls):
        if not publish(task, *args):
            if len(calls) - done > 1:
                logger.warning(
                    "%d more messages of task %s were not published.",
                    len(calls) - done - 1,
                    task.name,
                )
            return done
    return len(calls)


def enqueue_on_commit(task, *args, copies: int = 1) -> None:
    """Publish ``task(*args)`` (``copies`` times) once the transaction commits.

    A broker failure after the commit is logged, not raised: the data is saved and the
    sweep finds the work. The one way every app enqueues a task.
    """
    transaction.on_commit(lambda: publish_each(task, [args] * copies))


def enqueue_each_on_commit(task, calls: Iterable[tuple]) -> None:
    """Publish ``task`` once per argument tuple once the transaction commits."""
    calls = list(calls)
    if calls:
        transaction.on_commit(lambda: publish_each(task, calls))
