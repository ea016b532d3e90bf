"""IOM staff authoring of programmes and offerings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error

from .. import permissions, selectors, services
from ..forms import OfferingForm, ProgrammeForm

PROGRAMMES_PER_PAGE = 20


def _posted(request):
    """The posted data, even when empty (an empty form must show its errors)."""
    return request.POST if request.method == "POST" else None


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
