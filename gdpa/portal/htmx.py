"""Rendering helpers for pages whose regions htmx swaps."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def is_partial_request(request) -> bool:
    """An htmx request for a region, not a history restore (which needs the full page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_region(request, template: str, region: str, context: dict, status: int = 200):
    """The whole page, or only ``template#region`` when htmx asked for it."""
    name = f"{template}#{region}" if is_partial_request(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def notify(request, notice: str, *, ok: bool = True) -> str:
    """Flash ``notice`` for the page a plain form post redirects to; an htmx request
    shows it in the swapped region's live area instead, so it is not shown twice."""
    if not is_partial_request(request):
        (messages.success if ok else messages.error)(request, notice)
    return notice


def attempt(request, action: Callable[[], object], success: Callable[[object], str]):
    """Run a service call; return ``(ok, notice)`` with its validation errors as the notice."""
    ok, notice, _result = attempt_returning(request, action, success)
    return ok, notice


def attempt_returning(request, action: Callable[[], object], success: Callable[[object], str]):
    """``attempt``, also returning what the service returned (``None`` when it refused):
    an answer that redraws a region from the saved rows need not read them again."""
    try:
        result = action()
    except ValidationError as error:
        return False, notify(request, " ".join(error.messages), ok=False), None
    return True, notify(request, success(result)), result
