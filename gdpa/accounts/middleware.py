import zoneinfo

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
