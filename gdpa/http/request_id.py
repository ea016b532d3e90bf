"""One id per request, in the response header and on every log line written while it runs.

Behind the trusted reverse proxy (``TRUSTED_PROXY=1``: the proxy is the only way in and
overwrites the header, docs/operations.md) the proxy's ``X-Request-ID`` is kept, so its
access log and ours share the id; a value that is not a short plain token is replaced.
Without a trusted proxy the header is whatever the client says, so a fresh id is made.
"""

import contextvars
import logging
import re
import uuid

from django.conf import settings

HEADER = "X-Request-ID"
#: Letters, digits and ``-_.:`` only, at most 64: nginx's ``$request_id`` (32 hex digits),
#: UUIDs and load-balancer trace ids pass; anything that could forge a log line does not.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "gdpa_request_id", default=None
)


def current_request_id() -> str | None:
    """The id of the request being handled by this thread, or None (a task, a command)."""
    return _current.get()


def _incoming(request) -> str | None:
    if not getattr(settings, "TRUSTED_PROXY", False):
        return None
    value = request.headers.get(HEADER, "")
    return value if _SANE.fullmatch(value) else None


class RequestIdMiddleware:
    """Give the request an id (``request.request_id``) and return it as ``X-Request-ID``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _incoming(request) or uuid.uuid4().hex
        request.request_id = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Put ``request_id`` on every log record ("-" outside a request) for the formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True
