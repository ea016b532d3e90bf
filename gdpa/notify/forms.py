from django import forms
from django.utils.translation import gettext_lazy as _


class EmailResendForm(forms.Form):
    """Resend a failed e-mail: staff confirm they understand it may arrive twice."""

    email = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": _("Choose the e-mail to resend from the list of sent e-mails"),
            "invalid": _("Choose the e-mail to resend from the list of sent e-mails"),
            "min_value": _("Choose the e-mail to resend from the list of sent e-mails"),
        },
    )
    confirm = forms.BooleanField(
        label=_("I understand that this e-mail may arrive twice."),
        error_messages={"required": _("Tick the box to confirm before resending.")},
    )


class SuppressionLiftForm(forms.Form):
    """Lift the suppression of an address: staff confirm the address should work again."""

    address = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": _("Choose the address from the list of suppressed addresses"),
            "invalid": _("Choose the address from the list of suppressed addresses"),
            "min_value": _("Choose the address from the list of suppressed addresses"),
        },
    )
    confirm = forms.BooleanField(
        label=_(
            "I checked that this address works again (the person fixed their mailbox or "
            "asked to receive e-mail again)."
        ),
        error_messages={"required": _("Tick the box to confirm before lifting the suppression.")},
    )
