"""Pages for everyone: the catalogue, programmes and offerings."""

from django.shortcuts import render

from gdpa.http.kept_pages import kept_page
from gdpa.portal.htmx import is_partial_request, render_region

from .. import permissions, selectors, services
from ..catalogue import catalogue_parts
from ..eligibility import is_eligible, offering_audience
from ..forms import CatalogueFilterForm
from .nominations import nominator_context

# Everyone ---------------------------------------------------------------------------------


@kept_page
def catalogue(request):
    """Published programmes with their open offerings, for anyone; the filter form
    swaps the results region with htmx and works as a plain GET form without it. The
    list itself is the same for every reader: kept rendered (``trainings.catalogue``)."""
    form = CatalogueFilterForm(request.GET or None, auto_id="filter-%s")
    filters, results = catalogue_parts(request, form, oob=is_partial_request(request))
    return render_region(
        request,
        "trainings/catalogue.html",
        "results",
        {"form": form, "filters": filters, "results": results},
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


def _reader(request, offering):
    """The person's active enrollment, and whether they are eligible when they have none
    (both the enroll button and the reminder offer ask: read once for both)."""
    enrollment = selectors.active_enrollment(request.user, offering)
    asks = enrollment is None and request.user.is_authenticated
    return enrollment, (is_eligible(request.user, offering) if asks else None)


def _enrollment_region(request, offering, enrollment, eligible) -> dict:
    return {
        "offering": offering,
        "programme": offering.programme,
        "enrollment": enrollment,
        "position": selectors.waitlist_position(enrollment),
        "refusal": None
        if eligible is None
        else services.enrollment_refusal(
            user=request.user, offering=offering, eligible=eligible, enrolled=False
        ),
    }


def enrollment_context(request, offering, known=None, **extra) -> dict:
    """What the offering page's enrollment region shows (the whole answer to enroll and
    withdraw): the person's enrollment, or why they may not enroll, or the button.
    ``known``: ``(enrollment, eligible)`` as a write just left them (else read here)."""
    reader = known or _reader(request, offering)
    return {**_enrollment_region(request, offering, *reader), **extra}


def offering_context(request, offering, **extra) -> dict:
    enrollment, eligible = _reader(request, offering)
    return {
        **_enrollment_region(request, offering, enrollment, eligible),
        "can_manage": permissions.can_manage_trainings(request.user),
        "audience": offering_audience(offering),
        **nominator_context(request, offering),
        "meetings_panel": selectors.meetings_panel(
            request.user, offering, enrollment, eligible=eligible
        ),
        "feedback": selectors.feedback_offer(request.user, offering, enrollment),
        "certificate": selectors.certificate_of(enrollment),
        **extra,
    }


@kept_page
def offering(request, pk: int):
    offering = permissions.access_offering(request.user, pk)
    return render(request, "trainings/offering.html", offering_context(request, offering))
