"""The security log: the logger ``gdpa.security``, one line per event.

Each line says what happened (``event=``), to which account (``user=``, the numeric id or
"-"), from where (``ip=``, the client address as the rate limits count it: ``client_ip()``,
so ``TRUSTED_PROXY_COUNT`` applies) and in which request (``request_id=``, also in the
``X-Request-ID`` response header). The same values are on the
record as attributes (``security_event``, ``user_id``, ``client_ip``, ``request_id``) for a
structured handler.

Never logged: passwords, tokens and keys (a URL is logged as its route pattern, never its
path, because reset and invitation links carry tokens), session ids, e-mail bodies, and
e-mail addresses: a failed sign-in logs the account id when the address belongs to an
account, otherwise only the address's domain.
"""

import logging
import re

from django.core.exceptions import PermissionDenied

from .client_ip import client_ip
from .errors import AccessRefused
from .request_id import current_request_id

logger = logging.getLogger("gdpa.security")

#: Values are short tokens; anything else (spaces, quotes, line breaks) is replaced.
_UNSAFE = re.compile(r"[^A-Za-z0-9._:,@/<>+-]")


def _clean(value) -> str:
    text = "-" if value is None or value == "" else str(value)
    return _UNSAFE.sub("_", text)[:200]


def route_of(request) -> str:
    """The URL pattern that answered (``alliance/sessions/<int:pk>/``), never the path."""
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None and match.route else "-"


def object_of(request) -> str:
    """The numeric ids in the URL (``pk:12``); other URL values may be tokens."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "-"
    ids = [f"{key}:{value}" for key, value in match.kwargs.items() if isinstance(value, int)]
    return ",".join(ids) or "-"


def log_event(request, event: str, *, user=None, level: int = logging.INFO, **fields) -> None:
    """Write one security event. ``user`` defaults to the request's signed-in person."""
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        user = candidate if getattr(candidate, "is_authenticated", False) else None
    values = {
        "event": event,
        "user": getattr(user, "pk", None),
        "ip": client_ip(request) if request is not None else None,
        "request_id": getattr(request, "request_id", None) or current_request_id(),
        **fields,
    }
    cleaned = {key: _clean(value) for key, value in values.items()}
    logger.log(
        level,
        " ".join(f"{key}={value}" for key, value in cleaned.items()),
        extra={
            "security_event": cleaned["event"],
            "user_id": values["user"],
            "client_ip": cleaned["ip"],
            "request_id": cleaned["request_id"],
            "security_fields": {key: cleaned[key] for key in fields},
        },
    )


class SecurityLogMiddleware:
    """Log refused access: every 403 answer (PermissionDenied, a refused htmx action, a
    failed CSRF check) and every ``AccessRefused`` 404. Placed last, so its
    ``process_exception`` sees the view's exception first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        refused = getattr(request, "_gdpa_refused", None)
        if refused or response.status_code == 403:
            log_event(
                request,
                "access_refused",
                level=logging.WARNING,
                status=response.status_code,
                reason=refused or "forbidden",
                method=request.method,
                route=route_of(request),
                object=object_of(request),
            )
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, AccessRefused):
            request._gdpa_refused = "not_found_or_not_yours"
        elif isinstance(exception, PermissionDenied):
            request._gdpa_refused = "permission_denied"
        return None
