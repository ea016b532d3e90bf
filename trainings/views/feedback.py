"""Feedback and figures per offering: a learner gives (or changes) their feedback; staff
read the feedback's aggregate with unnamed comments, and the offering's figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error

from .. import permissions, selectors
from ..feedback import feedback_refusal, feedback_save
from ..figures import offering_figures as figures_of
from ..forms import FeedbackForm

COMMENTS_PER_PAGE = 20


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request, pk: int):
    """GET shows the form (with the feedback already given), POST saves it; anyone who
    may not give feedback now gets the reason (403), and nothing changes."""
    offering = permissions.access_offering(request.user, pk)
    enrollment = selectors.active_enrollment(request.user, offering)
    context = {
        "offering": offering,
        "programme": offering.programme,
        "refusal": feedback_refusal(user=request.user, offering=offering, enrollment=enrollment),
    }
    if context["refusal"]:
        return render(request, "trainings/feedback_form.html", context, status=403)
    existing = selectors.feedback_of(enrollment)
    form = FeedbackForm(
        request.POST if request.method == "POST" else None,
        initial=model_to_dict(existing, fields=list(FeedbackForm.base_fields))
        if existing
        else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            feedback_save(user=request.user, offering=offering, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Your feedback was changed.")
                if existing
                else _("Thank you: your feedback was saved."),
            )
            return redirect("trainings:offering", offering.pk)
    return render(
        request,
        "trainings/feedback_form.html",
        {**context, "form": form, "existing": existing},
        status=422 if request.method == "POST" else 200,
    )


@staff_required
@require_safe
def offering_feedback(request, pk: int):
    offering = permissions.access_offering_to_manage(request.user, pk)
    page = Paginator(selectors.feedback_comments(offering), COMMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "trainings/staff/offering_feedback.html",
        {
            "offering": offering,
            "programme": offering.programme,
            "summary": selectors.feedback_summary(offering),
            "page": page,
        },
    )


@staff_required
@require_safe
def offering_figures(request, pk: int):
    offering = permissions.access_offering_to_manage(request.user, pk)
    return render(
        request,
        "trainings/staff/offering_figures.html",
        {"offering": offering, "programme": offering.programme, "figures": figures_of(offering)},
    )
