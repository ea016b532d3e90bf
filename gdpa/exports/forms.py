from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ExportJob


class ExportStartForm(forms.Form):
    """The confirmation page's choices: the file format and, for staff who may, whether
    to include personal fields."""

    format = forms.ChoiceField(
        label=_("File format"),
        choices=ExportJob.Format.choices,
        initial=ExportJob.Format.CSV,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose CSV or Excel (XLSX)."),
            "invalid_choice": _("Choose CSV or Excel (XLSX)."),
        },
    )
    personal = forms.BooleanField(
        label=_("Include personal fields (names, e-mail addresses, dates of birth)"),
        required=False,
        initial=True,
        error_messages={"invalid": _("Tick the box or leave it empty.")},
    )

    def __init__(self, *args, may_include_personal: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_include_personal:
            del self.fields["personal"]

    def include_personal(self) -> bool:
        return bool(self.cleaned_data.get("personal"))
