"""allauth's own forms, saying what to do instead of "This field is required".

The same GOV.UK message pattern as every other form (docs/design.md, "Error summary and
field errors"). Kept apart from ``forms.py``: allauth's sign-up form is built on
``ACCOUNT_SIGNUP_FORM_CLASS`` (in ``forms.py``), so importing allauth's forms there would
be circular. Wired in with ``ACCOUNT_FORMS`` and ``MFA_FORMS`` in the settings.
"""

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django.utils.translation import gettext_lazy as _

_EMAIL = {
    "required": _("Enter your e-mail address"),
    "invalid": _("Enter an e-mail address in the correct format, like name@example.org"),
}
#: Field name -> messages; a field not listed keeps allauth's own.
MESSAGES = {
    "login": _EMAIL,
    "email": _EMAIL,
    "password": {"required": _("Enter your password")},
    "password1": {"required": _("Enter a password")},
    "password2": {"required": _("Enter the same password again")},
    "oldpassword": {"required": _("Enter your current password")},
    "code": {"required": _("Enter the code from your authenticator app")},
}


class SpecificMessages:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.error_messages.update(MESSAGES.get(name, {}))


class LoginForm(SpecificMessages, account_forms.LoginForm):
    """allauth's LoginForm with the portal's messages."""


class SignupForm(SpecificMessages, account_forms.SignupForm):
    """allauth's SignupForm with the portal's messages."""


class AddEmailForm(SpecificMessages, account_forms.AddEmailForm):
    """allauth's AddEmailForm with the portal's messages."""


class ChangePasswordForm(SpecificMessages, account_forms.ChangePasswordForm):
    """allauth's ChangePasswordForm with the portal's messages."""


class SetPasswordForm(SpecificMessages, account_forms.SetPasswordForm):
    """allauth's SetPasswordForm with the portal's messages."""


class ResetPasswordForm(SpecificMessages, account_forms.ResetPasswordForm):
    """allauth's ResetPasswordForm with the portal's messages."""


class ResetPasswordKeyForm(SpecificMessages, account_forms.ResetPasswordKeyForm):
    """allauth's ResetPasswordKeyForm with the portal's messages."""


class ReauthenticateForm(SpecificMessages, account_forms.ReauthenticateForm):
    """allauth's ReauthenticateForm with the portal's messages."""


class AuthenticateForm(SpecificMessages, mfa_forms.AuthenticateForm):
    """allauth's AuthenticateForm with the portal's messages."""


class MFAReauthenticateForm(SpecificMessages, mfa_forms.ReauthenticateForm):
    """allauth's ReauthenticateForm with the portal's messages."""


class ActivateTOTPForm(SpecificMessages, totp_forms.ActivateTOTPForm):
    """allauth's ActivateTOTPForm with the portal's messages."""


class DeactivateTOTPForm(SpecificMessages, totp_forms.DeactivateTOTPForm):
    """allauth's DeactivateTOTPForm with the portal's messages."""
