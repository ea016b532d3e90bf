"""The recommendation pages people read and take part in.

Everyone reads published recommendations; alliance participants also those open for
input, under review or endorsed; staff every one. On a recommendation's page members
give input (comments and proposed amendments), staff answer each input with a reason
the author sees, focal points endorse for their member state and organization admins
say their organization supports it. Every write is a POST that htmx improves; each page
works without JavaScript.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error
from gdpa.portal.htmx import attempt, is_partial_request, notify, render_region

from .. import permissions
from .. import recommendation_selectors as selectors
from ..forms import (
    InputResponseForm,
    RecommendationFilterForm,
    RecommendationInputForm,
    SupportForm,
)
from ..models import Recommendation
from ..services.endorsements import (
    ENDORSABLE,
    endorse,
    endorsement_withdraw,
    support_add,
    support_remove,
)
from ..services.recommendation_inputs import input_create, input_refusal, input_respond

__all__ = [
    "recommendation",
    "recommendation_endorse",
    "recommendation_endorsement_withdraw",
    "recommendation_input",
    "recommendation_input_respond",
    "recommendation_support",
    "recommendations",
]

RECOMMENDATIONS_PER_PAGE = 20
INPUTS_PER_PAGE = 20
PAGE = "alliance/recommendations/detail.html"


# The list ---------------------------------------------------------------------------------


def recommendations(request):
    """The recommendations the person may read, by sector; the filters swap the results
    with htmx and work as a plain GET form without it."""
    labels = dict(Recommendation.Status.choices)
    form = RecommendationFilterForm(
        request.GET or None,
        status_choices=[
            (status, labels[status]) for status in selectors.readable_statuses(request.user)
        ],
        auto_id="filter-%s",
    )
    page = Paginator(
        selectors.recommendations_for(request.user, **form.filters()), RECOMMENDATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    page.object_list = selectors.shown_in_reader_language(list(page.object_list))
    return render_region(
        request,
        "alliance/recommendations/list.html",
        "results",
        {"form": form, "page": page, "total": page.paginator.count},
    )


# One recommendation -----------------------------------------------------------------------


def _input_organizations(user) -> list:
    """The verified organizations the person may speak for in an input."""
    return [m.organization for m in permissions.memberships_of(user) if m.organization.is_verified]


def _inputs_context(request, recommendation, *, input_form=None, answer_form=None) -> dict:
    """The inputs region: the counts, a page of inputs (with staff's answer forms), and
    the input form or the reason the person may not give input."""
    user = request.user
    can_manage = permissions.can_manage_recommendations(user)
    sees_inputs = can_manage or permissions.takes_part_in_alliance(user)
    inputs = None
    if sees_inputs:
        inputs = Paginator(selectors.inputs_of(recommendation), INPUTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        inputs.object_list = selectors.with_safe_html(inputs.object_list)
        if can_manage and recommendation.is_editable:
            for given in inputs.object_list:
                given.answer_form = (
                    answer_form
                    if answer_form is not None and answer_form.prefix == f"answer-{given.pk}"
                    else InputResponseForm(prefix=f"answer-{given.pk}")
                )
    refusal = input_refusal(user, recommendation) if user.is_authenticated else None
    if input_form is None and user.is_authenticated and not refusal:
        input_form = RecommendationInputForm(organizations=_input_organizations(user))
    return {
        "counts": selectors.input_counts(recommendation),
        "sees_inputs": sees_inputs,
        "inputs": inputs,
        "can_answer": can_manage and recommendation.is_editable,
        "input_refusal": refusal,
        "input_form": input_form,
        "answer_form": answer_form,
    }


def _endorsements_context(request, recommendation) -> dict:
    """The endorsements region: standing endorsements and support, and the focal point's
    and organization admins' controls with their state."""
    user = request.user
    endorsements = selectors.endorsements_of(recommendation)
    by_state = {e.member_state_id: e for e in endorsements}
    supports = selectors.supports_of(recommendation)
    supported = {s.organization_id for s in supports}
    return {
        "endorsements": endorsements,
        "supports": supports,
        "can_endorse": recommendation.status in ENDORSABLE,
        "can_withdraw": recommendation.status != Recommendation.Status.PUBLISHED,
        "own_states": [
            {"state": state, "endorsement": by_state.get(state.pk)}
            for state in permissions.endorsing_states(user)
        ],
        "can_support": recommendation.status in ENDORSABLE | {Recommendation.Status.PUBLISHED},
        "own_organizations": [
            {"organization": org, "supports": org.pk in supported}
            for org in permissions.supporting_organizations(user)
        ],
    }


def _page_context(request, recommendation, **extra) -> dict:
    selectors.shown_in_reader_language([recommendation])
    return {
        "recommendation": recommendation,
        **selectors.recommendation_text(recommendation),
        "capitals": selectors.recommendation_tags(recommendation),
        "sessions": selectors.sessions_shown(request.user, recommendation),
        **_inputs_context(
            request,
            recommendation,
            input_form=extra.pop("input_form", None),
            answer_form=extra.pop("answer_form", None),
        ),
        **_endorsements_context(request, recommendation),
        **extra,
    }


def recommendation(request, pk: int):
    recommendation = permissions.access_recommendation(request.user, pk)
    return render(request, PAGE, _page_context(request, recommendation))


def _back(recommendation, anchor: str):
    return redirect(f"{reverse('alliance:recommendation', args=[recommendation.pk])}#{anchor}")


# Inputs -----------------------------------------------------------------------------------


@login_required
@require_POST
def recommendation_input(request, pk: int):
    """Give input. A refusal (closed, not a participant) answers 422 with the reason in
    the inputs region; bad input answers 422 with the errors next to the fields."""
    recommendation = permissions.access_recommendation(request.user, pk)
    refusal = input_refusal(request.user, recommendation)
    if refusal:
        context = _page_context(request, recommendation, notice=refusal, ok=False)
        return render_region(request, PAGE, "inputs", context, 422)
    form = RecommendationInputForm(request.POST, organizations=_input_organizations(request.user))
    if form.is_valid():
        try:
            input_create(
                author=request.user, recommendation=recommendation, **form.service_fields()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            notice = notify(request, _("Thank you: your input is recorded."))
            if not is_partial_request(request):
                return _back(recommendation, "inputs")
            context = _page_context(request, recommendation, notice=notice, ok=True)
            return render_region(request, PAGE, "inputs", context)
    context = _page_context(request, recommendation, input_form=form)
    return render_region(request, PAGE, "inputs", context, 422)


@staff_required
@require_POST
def recommendation_input_respond(request, pk: int, input_pk: int):
    """Staff mark an input taken up, merged or not taken up, with a reason the author
    sees; errors show next to the fields of that input's form (422)."""
    recommendation = permissions.access_recommendation_to_manage(request.user, pk)
    given = permissions.access_input_to_answer(request.user, recommendation, input_pk)
    form = InputResponseForm(request.POST, prefix=f"answer-{given.pk}")
    ok, notice = False, ""
    if form.is_valid():
        try:
            given = input_respond(actor=request.user, given=given, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            ok, notice = True, notify(request, _("Your answer is saved; the author sees it."))
            if not is_partial_request(request):
                return _back(recommendation, f"input-{given.pk}")
            form = InputResponseForm(prefix=f"answer-{given.pk}")
    if not is_partial_request(request):
        return render(
            request, PAGE, _page_context(request, recommendation, answer_form=form), status=422
        )
    given = selectors.with_safe_html([given])[0]
    given.answer_form = form
    context = {
        "recommendation": recommendation,
        "given": given,
        "can_answer": recommendation.is_editable,
        "answer_form": form,
        "row_notice": notice,
        "ok": ok,
    }
    return render_region(request, PAGE, "input-row", context, 200 if ok else 422)


# Endorsements and support -----------------------------------------------------------------


def _chosen(options: list, raw: str | None):
    """The option whose pk was posted (default: the first); none at all, or one the person
    may not act for, is a 404."""
    if not options:
        raise Http404
    if not raw:
        return options[0]
    chosen = next((o for o in options if str(o.pk) == raw), None)
    if chosen is None:
        raise Http404
    return chosen


def _endorsements_response(request, recommendation, ok: bool, notice: str):
    if not is_partial_request(request):
        return _back(recommendation, "endorsements")
    context = {
        "recommendation": recommendation,
        **_endorsements_context(request, recommendation),
        "notice": notice,
        "ok": ok,
    }
    return render_region(request, PAGE, "endorsements", context, 200 if ok else 422)


@login_required
@require_POST
def recommendation_endorse(request, pk: int):
    """A focal point endorses on behalf of a member state they speak for; people who speak
    for none get a 404, refusals (twice, not now) the reason."""
    recommendation = permissions.access_recommendation(request.user, pk)
    state = _chosen(permissions.endorsing_states(request.user), request.POST.get("member_state"))
    ok, notice = attempt(
        request,
        lambda: endorse(actor=request.user, recommendation=recommendation, member_state=state),
        lambda _done: _("%(state)s endorses this recommendation.") % {"state": state},
    )
    return _endorsements_response(request, recommendation, ok, notice)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def recommendation_endorsement_withdraw(request, pk: int, endorsement_pk: int):
    """GET asks for confirmation (works without JavaScript); POST withdraws, until the
    recommendation is published."""
    recommendation = permissions.access_recommendation(request.user, pk)
    endorsement = permissions.access_endorsement_to_withdraw(
        request.user, recommendation, endorsement_pk
    )
    if request.method != "POST":
        selectors.shown_in_reader_language([recommendation])
        return render(
            request,
            "alliance/recommendations/endorsement_withdraw.html",
            {
                "recommendation": recommendation,
                "endorsement": endorsement,
                "refusal": _("The recommendation is published; its endorsements stand.")
                if recommendation.status == Recommendation.Status.PUBLISHED
                else "",
            },
        )
    ok, notice = attempt(
        request,
        lambda: endorsement_withdraw(actor=request.user, endorsement=endorsement),
        lambda _done: (
            _("The endorsement of %(state)s is withdrawn.") % {"state": endorsement.member_state}
        ),
    )
    return _endorsements_response(request, recommendation, ok, notice)


@login_required
@require_POST
def recommendation_support(request, pk: int):
    """An organization admin says one of their organizations supports the recommendation,
    or takes that back; people who administer no such organization get a 404."""
    recommendation = permissions.access_recommendation(request.user, pk)
    organization = _chosen(
        permissions.supporting_organizations(request.user), request.POST.get("organization")
    )
    form = SupportForm(request.POST)
    if not form.is_valid():
        ok, notice = False, notify(request, " ".join(form.errors["support"]), ok=False)
    elif form.cleaned_data["support"] == "yes":
        ok, notice = attempt(
            request,
            lambda: support_add(
                actor=request.user, recommendation=recommendation, organization=organization
            ),
            lambda _done: (
                _("%(organization)s supports this recommendation.")
                % {"organization": organization.name}
            ),
        )
    else:
        support = selectors.support_of(recommendation, organization)
        if support is None:
            ok, notice = (
                False,
                notify(
                    request,
                    _("%(organization)s does not support this recommendation.")
                    % {"organization": organization.name},
                    ok=False,
                ),
            )
        else:
            ok, notice = attempt(
                request,
                lambda: support_remove(actor=request.user, support=support),
                lambda _done: (
                    _("%(organization)s no longer supports this recommendation.")
                    % {"organization": organization.name}
                ),
            )
    return _endorsements_response(request, recommendation, ok, notice)
