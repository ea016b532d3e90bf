"""Kernel access rules: staff pages require IOM staff with two-factor authentication."""

from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .roles import is_iom_staff


def staff_required(view):
    """IOM staff only, and only once two-factor authentication is on.

    Anyone else gets a 404: staff pages do not reveal themselves.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_iom_staff(user):
            raise Http404
        if not is_mfa_enabled(user):
            messages.warning(
                request,
                _("Turn on two-factor authentication before using the staff pages."),
            )
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapper
