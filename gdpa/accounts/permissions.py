"""Kernel access rules. "Acting as IOM staff" is decided here and nowhere else.

A person acts as IOM staff when they hold the IOM staff role (a verified membership of
the IOM organization), have two-factor authentication on, and passed the second factor
in this browser session (allauth records each authentication step in the session; the
``SecondFactorMiddleware`` reads that record once per request). Every permission
function, view, htmx endpoint and service that grants staff power asks
``acting_as_staff``; holding the role alone grants nothing.
"""

from functools import wraps

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gdpa.http.errors import AccessRefused

from .roles import is_iom_staff

#: Set on the user object for this request: the session passed the second factor.
_SECOND_FACTOR_ATTR = "_gdpa_second_factor"
_MFA_ENABLED_ATTR = "_gdpa_mfa_enabled"


def session_passed_second_factor(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


def mark_second_factor(user, passed: bool) -> None:
    setattr(user, _SECOND_FACTOR_ATTR, passed)


def vouch_for_staff(user):
    """Server-side callers with no browser session (management commands, demo data,
    tests) vouch that ``user`` acts as staff. Never call this from a request."""
    mark_second_factor(user, True)
    return user


def act_for_staff_in_task(user) -> bool:
    """A task carrying out what a staff member confirmed in their (second-factor) session:
    if they still are IOM staff with two-factor on, the task acts for them (vouched for)
    and this returns True; otherwise False and nothing is vouched."""
    if user is None or not is_iom_staff(user) or not _mfa_enabled(user):
        return False
    vouch_for_staff(user)
    return True


def _mfa_enabled(user) -> bool:
    cached = getattr(user, _MFA_ENABLED_ATTR, None)
    if cached is None:
        cached = is_mfa_enabled(user)
        setattr(user, _MFA_ENABLED_ATTR, cached)
    return cached


def passed_two_factor(user) -> bool:
    """Two-factor authentication is on for the account and was passed in this session (or
    vouched for by a server-side caller): what staff power and the Django admin require."""
    return getattr(user, _SECOND_FACTOR_ATTR, False) is True and _mfa_enabled(user)


def acting_as_staff(user) -> bool:
    """IOM staff with two-factor authentication who passed it in this session."""
    return is_iom_staff(user) and passed_two_factor(user)


def _go(request, url: str):
    """Redirect; an htmx request is sent there as a whole page, not swapped into a region."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def staff_required(view):
    """Staff pages: only people acting as IOM staff.

    Anyone without the staff role gets a 404 (staff pages do not reveal themselves);
    staff without two-factor authentication are sent to set it up, and staff whose
    session has not passed the second factor are asked for their code.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_iom_staff(user):
            raise AccessRefused
        if acting_as_staff(user):
            return view(request, *args, **kwargs)
        if not _mfa_enabled(user):
            messages.warning(
                request, _("Turn on two-factor authentication before using the staff pages.")
            )
            return _go(request, reverse("mfa_activate_totp"))
        messages.warning(
            request, _("Enter a code from your authenticator app to use the staff pages.")
        )
        next_url = request.get_full_path() if request.method == "GET" else "/"
        return _go(request, f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}")

    return wrapper


def access_person_record(user, pk):
    """A person's account, for acting IOM staff (the staff page of a person); a 404 for
    everyone else, and for an account that does not exist."""
    from .models import User

    if not acting_as_staff(user):
        raise AccessRefused
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise AccessRefused
    return person
