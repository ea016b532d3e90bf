from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error
from gdpa.portal.htmx import attempt, is_partial_request, render_region

from . import permissions, selectors, services
from .forms import CatalogueFilterForm, OfferingForm, ProgrammeForm
from .models import Enrollment

PROGRAMMES_PER_PAGE = 20


def _posted(request):
    """The posted data, even when empty (an empty form must show its errors)."""
    return request.POST if request.method == "POST" else None


# Everyone ---------------------------------------------------------------------------------


def catalogue(request):
    """Published programmes with their open offerings, for anyone; the filter form
    swaps the results region with htmx and works as a plain GET form without it."""
    form = CatalogueFilterForm(request.GET or None, auto_id="filter-%s")
    page = Paginator(selectors.catalogue(**form.filters()), PROGRAMMES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render_region(
        request,
        "trainings/catalogue.html",
        "results",
        {"form": form, "page": page, "total": page.paginator.count},
    )


def programme(request, pk: int):
    programme = permissions.access_programme(request.user, pk)
    offerings = selectors.offerings_shown(
        programme, staff=permissions.can_manage_trainings(request.user)
    )
    return render(
        request,
        "trainings/programme.html",
        {
            "programme": programme,
            "offerings": offerings,
            "can_manage": permissions.can_manage_trainings(request.user),
        },
    )


def _offering_context(request, offering, **extra) -> dict:
    enrollment = selectors.active_enrollment(request.user, offering)
    return {
        "offering": offering,
        "programme": offering.programme,
        "enrollment": enrollment,
        "position": selectors.waitlist_position(enrollment),
        "refusal": None
        if enrollment or not request.user.is_authenticated
        else services.enrollment_refusal(user=request.user, offering=offering),
        "can_manage": permissions.can_manage_trainings(request.user),
        **extra,
    }


def offering(request, pk: int):
    offering = permissions.access_offering(request.user, pk)
    return render(request, "trainings/offering.html", _offering_context(request, offering))


@login_required
@require_POST
def enroll(request, pk: int):
    offering = permissions.access_offering(request.user, pk)
    ok, notice = attempt(
        request,
        lambda: services.enrollment_create(user=request.user, offering=offering),
        lambda saved: (
            _("You are enrolled.")
            if saved.status == Enrollment.Status.ENROLLED
            else _("The offering is full: you are on the waiting list.")
        ),
    )
    if not is_partial_request(request):
        return redirect("trainings:offering", offering.pk)
    offering = permissions.access_offering(request.user, pk)
    context = _offering_context(request, offering, notice=notice, ok=ok)
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
            {"offering": offering, "programme": offering.programme, "enrollment": enrollment},
        )
    ok, notice = attempt(
        request,
        lambda: services.enrollment_withdraw(user=request.user, enrollment=enrollment),
        lambda saved: _("You have withdrawn from this offering."),
    )
    if not is_partial_request(request):
        return redirect("trainings:offering", offering.pk)
    offering = permissions.access_offering(request.user, pk)
    context = _offering_context(request, offering, notice=notice, ok=ok)
    return render_region(
        request, "trainings/offering.html", "enrollment", context, 200 if ok else 422
    )


# IOM staff -------------------------------------------------------------------------------


@staff_required
def staff_programmes(request):
    page = Paginator(selectors.programmes_for_staff(), PROGRAMMES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "trainings/staff/programmes.html", {"page": page})


def _save_programme(request, programme=None):
    initial = (
        {**model_to_dict(programme, exclude=["sectors"]), "sectors": programme.sectors.all()}
        if programme
        else {"language": "en"}
    )
    form = ProgrammeForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "sectors"}
        try:
            if programme is None:
                programme = services.programme_create(
                    actor=request.user, sectors=form.cleaned_data["sectors"], **fields
                )
                messages.success(request, _("The programme was created."))
            else:
                programme = services.programme_update(
                    actor=request.user,
                    programme=programme,
                    sectors=form.cleaned_data["sectors"],
                    **fields,
                )
                messages.success(request, _("The programme was saved."))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("trainings:programme_edit", programme.pk)
    context = {"form": form, "programme": programme}
    if programme is not None:
        context["offerings"] = selectors.offerings_of(programme)
    return render(
        request,
        "trainings/staff/programme_form.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


@staff_required
def programme_create(request):
    return _save_programme(request)


@staff_required
def programme_edit(request, pk: int):
    return _save_programme(request, permissions.access_programme_to_manage(request.user, pk))


def _save_offering(request, programme, offering=None):
    initial = model_to_dict(offering) if offering else {"time_zone": "UTC", "status": "draft"}
    form = OfferingForm(_posted(request), initial=initial, offering=offering)
    if request.method == "POST" and form.is_valid():
        try:
            if offering is None:
                offering = services.offering_create(
                    actor=request.user, programme=programme, **form.cleaned_data
                )
                messages.success(request, _("The offering was created."))
            else:
                offering = services.offering_update(
                    actor=request.user, offering=offering, **form.cleaned_data
                )
                messages.success(request, _("The offering was saved."))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("trainings:programme_edit", programme.pk)
    return render(
        request,
        "trainings/staff/offering_form.html",
        {"form": form, "programme": programme, "offering": offering},
        status=422 if request.method == "POST" else 200,
    )


@staff_required
def offering_create(request, pk: int):
    return _save_offering(request, permissions.access_programme_to_manage(request.user, pk))


@staff_required
def offering_edit(request, pk: int):
    offering = permissions.access_offering_to_manage(request.user, pk)
    return _save_offering(request, offering.programme, offering)
