"""Pages of the youth app: joining, the participant's consents, and the staff pages
(the age range and the participation figures)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error

from . import services
from .figures import youth_figures
from .forms import (
    YouthConsentWithdrawForm,
    YouthJoinForm,
    YouthPublicConsentForm,
    YouthSettingsForm,
)
from .models import YouthSettings
from .permissions import access_youth_profile
from .selectors import published_story_count, youth_profile_of


def _posted(request):
    """The posted data, even when empty (an empty form must show its errors)."""
    return request.POST if request.method == "POST" else None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def join(request):
    """Join the alliance's youth activities, or see that you already have."""
    profile = youth_profile_of(request.user)
    form = YouthJoinForm(_posted(request), user=request.user)
    if profile is None and request.method == "POST" and form.is_valid():
        try:
            services.youth_profile_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Welcome! You are now a youth participant."))
            return redirect("portal:dashboard")
    return render(
        request,
        "youth/join.html",
        {"form": form, "profile": profile, "age_range": YouthSettings.current()},
        status=422 if profile is None and request.method == "POST" else 200,
    )


def _consent_page(request, profile, *, withdraw_form=None, public_form=None, status=200):
    return render(
        request,
        "youth/consent.html",
        {
            "profile": profile,
            "form": withdraw_form or YouthConsentWithdrawForm(),
            "public_form": public_form or YouthPublicConsentForm(),
        },
        status=status,
    )


@login_required
@require_safe
def consent(request):
    """What a youth participant agreed to, and when: taking part, and (separately) the
    public display of their name and stories; giving or withdrawing each is one step away."""
    return _consent_page(request, youth_profile_of(request.user))


@login_required
@require_POST
def consent_withdraw(request):
    profile = access_youth_profile(request.user)
    form = YouthConsentWithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.youth_consent_withdraw(user=request.user)
        except ValidationError as error:  # withdrawn meanwhile, e.g. in another tab
            messages.info(request, " ".join(error.messages))
            return redirect("youth:consent")
        messages.success(
            request,
            _(
                "You have withdrawn your consent. You are no longer a youth participant and "
                "your youth profile has been deleted."
            ),
        )
        return redirect("portal:dashboard")
    return _consent_page(request, profile, withdraw_form=form, status=422)


@login_required
@require_POST
def public_consent_give(request):
    """Give the consent to public display later (the box on the consent page)."""
    profile = access_youth_profile(request.user)
    form = YouthPublicConsentForm(request.POST)
    if not form.is_valid():
        return _consent_page(request, profile, public_form=form, status=422)
    try:
        services.youth_public_consent_give(user=request.user)
    except ValidationError as error:  # given meanwhile, e.g. in another tab
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Thank you: your name and your stories, once approved by IOM, can now be "
                "shown publicly."
            ),
        )
    return redirect("youth:consent")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def public_consent_withdraw(request):
    """GET asks for confirmation (it works without JavaScript); POST withdraws the consent
    to public display, which takes the person's published stories down at once."""
    profile = access_youth_profile(request.user)
    if request.method != "POST":
        return render(
            request,
            "youth/consent_public_withdraw.html",
            {"profile": profile, "published": published_story_count(request.user)},
        )
    try:
        taken_down = services.youth_public_consent_withdraw(user=request.user)
    except ValidationError as error:  # withdrawn meanwhile, e.g. in another tab
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("You have withdrawn your consent to public display.")
            + " "
            + ngettext(
                "%(count)s published story was taken down.",
                "%(count)s published stories were taken down.",
                taken_down,
            )
            % {"count": taken_down},
        )
    return redirect("youth:consent")


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def settings(request):
    """The youth age range: who may join, on the day they join."""
    current = YouthSettings.current()
    form = YouthSettingsForm(
        _posted(request), initial={"min_age": current.min_age, "max_age": current.max_age}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.youth_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The youth age range was saved."))
            return redirect("youth:settings")
    return render(
        request,
        "youth/staff/settings.html",
        {"form": form, "current": current},
        status=422 if request.method == "POST" else 200,
    )


@staff_required
@require_safe
def figures(request):
    """Youth participation figures, with ages on the viewer's own date."""
    return render(
        request, "youth/staff/figures.html", {"figures": youth_figures(timezone.localdate())}
    )
