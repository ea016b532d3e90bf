from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gdpa.portal.registry import profile_sections_for

from . import services
from .forms import LanguageForm, ProfileForm


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            user=request.user, **{f: form.cleaned_data[f] for f in services.PROFILE_FIELDS}
        )
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    if request.method == "POST":
        request.user.refresh_from_db()
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "profile_sections": profile_sections_for(request)},
    )


@require_POST
def language(request):
    """Switch the interface language; signed-in people keep the choice."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        lang = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.language_set(user=request.user, language=lang)
        translation.activate(lang)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            lang,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
    return response
