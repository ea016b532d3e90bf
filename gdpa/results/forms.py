"""The results pages' forms: the period of the dashboard and of a donor report."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """From and to dates, both included (UTC days)."""

    period_start = forms.DateField(
        label=_("From"),
        input_formats=["%Y-%m-%d"],
        widget=DATE_WIDGET,
        help_text=_("For example 2024-01-01."),
        error_messages={
            "required": _("Enter the first day of the period"),
            "invalid": _("Enter the date like 2024-01-01"),
        },
    )
    period_end = forms.DateField(
        label=_("To"),
        input_formats=["%Y-%m-%d"],
        widget=DATE_WIDGET,
        help_text=_("For example 2024-12-31."),
        error_messages={
            "required": _("Enter the last day of the period"),
            "invalid": _("Enter the date like 2024-12-31"),
        },
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end of the period must be on or after its start"))
        return data


class DonorReportForm(PeriodForm):
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=settings.LANGUAGES,
        error_messages={
            "required": _("Choose the language of the report"),
            "invalid_choice": _("Choose one of the options in the list"),
        },
    )
