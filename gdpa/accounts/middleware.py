import zoneinfo

from allauth.usersessions.internal import usersessionkit
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from .permissions import mark_second_factor, session_passed_second_factor


class SecondFactorMiddleware:
    """Record on the user whether this session passed two-factor authentication, so
    ``acting_as_staff`` can decide staff power without the request at hand."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            mark_second_factor(request.user, session_passed_second_factor(request))
        return self.get_response(request)


class UserPreferencesMiddleware:
    """Show every page in the signed-in person's language and time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            if user.preferred_language:
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = user.preferred_language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        finally:
            # The thread serves other requests (and tasks) next: leave nothing behind.
            timezone.deactivate()
            if user.is_authenticated:
                translation.deactivate()


class SessionActivityMiddleware:
    """Keep "last seen" (IP, browser, time) of the signed-in session's row in
    ``allauth.usersessions`` current, at most once per ``USERSESSIONS_ACTIVITY_INTERVAL``
    seconds per session (allauth's own middleware writes on every request).

    The interval is kept in the shared cache, so a page costs no extra query while it runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        key = session.session_key if session is not None else None
        if key and request.user.is_authenticated:
            interval = getattr(settings, "USERSESSIONS_ACTIVITY_INTERVAL", 300)
            if cache.add(activity_cache_key(key), 1, interval):
                usersessionkit.track_activity(request, user=request.user, session=session)
        return self.get_response(request)


def activity_cache_key(session_key: str) -> str:
    return f"gdpa:session-activity:{session_key}"
