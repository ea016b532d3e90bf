from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gdpa.portal.forms import apply_validation_error

from . import services
from .forms import YouthJoinForm
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
