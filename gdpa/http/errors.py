"""Exceptions views and permission functions raise to answer with an error page."""

from django.http import Http404


class AccessRefused(Http404):
    """A 404 raised because the object is not the person's to see (an ``access_*``
    permission function, a staff-only page). It answers exactly like a missing object
    (another tenant's object is a 404); the security log records it as refused access
    (``gdpa.http.security_log.SecurityLogMiddleware``)."""
