"""Middleware of the kernel: refuse malformed requests early, keep signed-in pages private."""

import re

from django.conf import settings
from django.core.exceptions import BadRequest
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from .uploads import UPLOAD_REFUSED_ATTR

#: Control characters never belong in a path; NUL is refused by PostgreSQL in any text.
_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Values may hold tabs and line breaks (a textarea), nothing else below the space.
_VALUE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _has_control(items) -> bool:
    return any(
        _VALUE_CONTROL.search(key) or any(_VALUE_CONTROL.search(value) for value in values)
        for key, values in items
    )


class RequestGuardMiddleware:
    """Answer 400 for control characters in the path, query, cookies or form values.

    Such input can only be forged, and reaching the database with it fails late (PostgreSQL
    refuses NUL in text, which was a 500). It runs before authentication, so the 400 page
    renders without ``request.user``. It also answers 413 for an upload that
    ``LimitedUploadHandler`` cut off at ``UPLOAD_MAX_FILE_BYTES``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            _PATH_CONTROL.search(request.path_info)
            or _has_control(request.GET.lists())
            or _has_control((name, [value]) for name, value in request.COOKIES.items())
        ):
            raise BadRequest("Control characters in the path, query string or cookies.")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST":
            return None
        # Reading POST parses the body here (CSRF protection reads it next anyway).
        try:
            post, files = request.POST, request.FILES
        except OSError:
            return None  # the client went away; CSRF protection answers as it always does
        if _has_control(post.lists()) or _has_control(
            (name, [upload.name or "" for upload in uploads]) for name, uploads in files.lists()
        ):
            raise BadRequest("Control characters in form values.")
        refused = getattr(request, UPLOAD_REFUSED_ATTR, None)
        if refused is not None:
            return render(
                request,
                "portal/upload_too_large.html",
                {"file_name": refused[1], "limit": settings.UPLOAD_MAX_FILE_BYTES},
                status=413,
            )
        return None


class PrivatePagesMiddleware:
    """Pages for a signed-in person are never stored by browsers or shared caches.

    Responses that chose their own caching (``Cache-Control`` set) are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
