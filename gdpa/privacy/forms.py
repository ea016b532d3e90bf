from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureAskForm(forms.Form):
    """The person confirms they understand what erasure does."""

    confirm = forms.BooleanField(
        label=_(
            "I understand that my account will be closed and my personal data erased, "
            "and that this cannot be undone."
        ),
        error_messages={"required": _("Tick the box to confirm before asking for erasure.")},
    )


class ErasureCarryOutForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I checked this request and the person's data is to be erased now."),
        error_messages={"required": _("Tick the box to confirm before erasing.")},
    )


class ErasureRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing"),
        help_text=_("The person receives this reason by e-mail."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Say why the request is refused."),
            "max_length": _("Keep the reason under %(limit_value)d characters."),
        },
    )


class ErasureFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=(),
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )

    def __init__(self, *args, **kwargs):
        from .models import ErasureRequest

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *ErasureRequest.Status.choices]
