from django import forms
from django.utils.translation import gettext_lazy as _

from .registry import rules


class RetentionFilterForm(forms.Form):
    """The retention log's filter: runs where one rule deleted something or failed, or
    only runs where a rule failed."""

    rule = forms.ChoiceField(
        label=_("Rule"),
        required=False,
        error_messages={"invalid_choice": _("Choose a rule from the list")},
    )
    failed = forms.BooleanField(
        label=_("Only runs where a rule failed"),
        required=False,
        error_messages={"invalid": _("Tick the box or leave it empty")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [
            ("", _("All rules")),
            *((rule.key, rule.label) for rule in rules()),
        ]
