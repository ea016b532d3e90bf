from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gdpa.portal.forms import apply_validation_error

from . import services
from .forms import YouthConsentWithdrawForm, YouthJoinForm
from .permissions import access_youth_profile
from .selectors import youth_profile_of


@login_required
def join(request):
    """Join the alliance's youth activities, or see that you already have."""
    profile = youth_profile_of(request.user)
    form = YouthJoinForm(request.POST or None)
    if profile is None and request.method == "POST" and form.is_valid():
        try:
            services.youth_profile_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Welcome! You are now a youth participant."))
            return redirect("portal:dashboard")
    return render(request, "youth/join.html", {"form": form, "profile": profile})


@login_required
def consent(request):
    """What a youth participant agreed to, and when; withdrawing it is one step away."""
    return render(
        request,
        "youth/consent.html",
        {"profile": youth_profile_of(request.user), "form": YouthConsentWithdrawForm()},
    )


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
    return render(request, "youth/consent.html", {"profile": profile, "form": form})
