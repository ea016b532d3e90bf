"""Session lifetime: signed out after a time without activity, and a fixed time after sign-in.

``SESSION_IDLE_TIMEOUT`` (seconds without a request), ``SESSION_STAFF_IDLE_TIMEOUT`` (the
same, shorter, for people holding the IOM staff role) and ``SESSION_ABSOLUTE_LIFETIME``
(seconds since sign-in, whatever the activity); ``None`` turns one off. The session records
when the person signed in and when it last saw them; the last-seen time is written at most
once a minute, so a busy session does not write on every request. An expired session is
signed out and sent to the sign-in page with a message saying why; an htmx request gets
``HX-Redirect`` so the whole page goes there, not a region.
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import ngettext

from gdpa.http.security_log import log_event

from .roles import is_iom_staff
from .security_events import LOGOUT_REASON_ATTR

STARTED_KEY = "_gdpa_signed_in_at"
SEEN_KEY = "_gdpa_seen_at"
#: The last-seen time is rewritten only when it is older than this (seconds).
TOUCH_EVERY = 60

IDLE = "idle"
ABSOLUTE = "absolute"


def _stamp(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[STARTED_KEY] = now
    request.session[SEEN_KEY] = now


def connect() -> None:
    user_logged_in.connect(_stamp, dispatch_uid="gdpa_session_stamp")


def idle_timeout_for(user) -> int | None:
    """The idle timeout that applies to ``user`` (the staff one when shorter)."""
    general = settings.SESSION_IDLE_TIMEOUT
    staff = getattr(settings, "SESSION_STAFF_IDLE_TIMEOUT", None)
    if staff and (general is None or staff < general) and is_iom_staff(user):
        return staff
    return general


def _expiry(request, user) -> tuple[str, int] | None:
    """``(reason, limit in seconds)`` when the session is over, else None."""
    absolute = settings.SESSION_ABSOLUTE_LIFETIME
    general = settings.SESSION_IDLE_TIMEOUT
    staff = getattr(settings, "SESSION_STAFF_IDLE_TIMEOUT", None)
    if not (absolute or general or staff):
        return None  # limits switched off: not even the last-seen time is written
    session = request.session
    now = int(time.time())
    started = session.get(STARTED_KEY)
    if not isinstance(started, int):
        # A session from before these settings: its clock starts now.
        session[STARTED_KEY] = session[SEEN_KEY] = now
        return None
    if absolute and now - started > absolute:
        return ABSOLUTE, absolute
    seen = session.get(SEEN_KEY, started)
    idle = now - seen
    if general and idle > general:
        return IDLE, general
    # Only a long pause asks for the roles (a query when nothing else has asked yet).
    if staff and idle > staff and (limit := idle_timeout_for(user)) and idle > limit:
        return IDLE, limit
    if idle >= TOUCH_EVERY:
        session[SEEN_KEY] = now
    return None


def _explain(reason: str, limit: int) -> str:
    if reason == ABSOLUTE:
        hours = max(1, round(limit / 3600))
        return ngettext(
            "You were signed out because you signed in more than %(hours)d hour ago. "
            "Sign in again to continue.",
            "You were signed out because you signed in more than %(hours)d hours ago. "
            "Sign in again to continue.",
            hours,
        ) % {"hours": hours}
    minutes = max(1, round(limit / 60))
    return ngettext(
        "You were signed out after %(minutes)d minute without activity. Sign in again to continue.",
        "You were signed out after %(minutes)d minutes without activity. "
        "Sign in again to continue.",
        minutes,
    ) % {"minutes": minutes}


def _return_to(request) -> str | None:
    """The page to come back to after signing in again (a path on this site)."""
    if getattr(request, "htmx", False):
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        if not current.path:
            return None
        return current.path + (f"?{current.query}" if current.query else "")
    return request.get_full_path() if request.method == "GET" else None


class SessionLifetimeMiddleware:
    """Sign out sessions past their idle timeout or absolute lifetime (module docstring).

    Placed after the authentication, message and htmx middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            expired = _expiry(request, user)
            if expired is not None:
                return self._sign_out(request, user, *expired)
        return self.get_response(request)

    def _sign_out(self, request, user, reason: str, limit: int):
        log_event(request, "session_expired", user=user, reason=reason, limit_seconds=limit)
        setattr(request, LOGOUT_REASON_ATTR, f"session_{reason}")
        notice = _explain(reason, limit)
        logout(request)
        messages.warning(request, notice)
        url = reverse(settings.LOGIN_URL)
        next_url = _return_to(request)
        if next_url:
            url = f"{url}?{urlencode({'next': next_url})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
