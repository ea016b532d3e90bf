"""A learner's own writes: enroll, withdraw."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gdpa.portal.htmx import attempt_returning, is_partial_request, render_region

from .. import permissions, services
from .nominations import withdraw_confirm_context
from .public import enrollment_context


@login_required
@require_POST
def enroll(request, pk: int):
    offering = permissions.access_offering(request.user, pk)
    ok, notice, saved = attempt_returning(
        request,
        lambda: services.enrollment_create(user=request.user, offering=offering),
        services.enrollment_notice,
    )
    if not is_partial_request(request):
        return redirect("trainings:offering", offering.pk)
    if saved:  # the new enrollment, and its offering as the write left it
        context = enrollment_context(request, saved.offering, (saved, None), notice=notice, ok=ok)
    else:  # nothing changed: the offering read above stands
        context = enrollment_context(request, offering, notice=notice, ok=ok)
    return render_region(
        request, "trainings/offering.html", "enrollment", context, 200 if ok else 422
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request, pk: int):
    """GET asks for confirmation (works without JavaScript); POST withdraws."""
    offering = permissions.access_offering(request.user, pk)
    enrollment = permissions.access_own_enrollment(request.user, offering)
    if request.method != "POST":
        return render(
            request,
            "trainings/withdraw_confirm.html",
            withdraw_confirm_context(request, offering, enrollment),
        )
    ok, notice, saved = attempt_returning(
        request,
        lambda: services.enrollment_withdraw(user=request.user, enrollment=enrollment),
        lambda saved: _("You have withdrawn from this offering."),
    )
    if not is_partial_request(request):
        return redirect("trainings:offering", offering.pk)
    if saved:  # no active enrollment now (one per person); the offering as the write left it
        known = (None, saved.qualifies)
        context = enrollment_context(request, saved.offering, known, notice=notice, ok=ok)
    else:
        context = enrollment_context(request, offering, notice=notice, ok=ok)
    return render_region(
        request, "trainings/offering.html", "enrollment", context, 200 if ok else 422
    )
