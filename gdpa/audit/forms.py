from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from . import registry
from .models import AuditEntry


class AuditFilterForm(forms.Form):
    """The audit log's filter: by person, kind of action, kind of object and dates.

    The action is chosen from the registered actions; a value that is not one of them is
    taken as a prefix ("session." for every session action), so links made by hand work.
    Django's CharField already refuses NUL characters, which PostgreSQL cannot take in text.
    """

    actor = forms.CharField(
        label=_("Name or e-mail address"),
        required=False,
        max_length=AuditEntry._meta.get_field("actor_label").max_length,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=AuditEntry._meta.get_field("action").max_length,
    )
    target_type = forms.TypedChoiceField(
        label=_("Object"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a kind of object from the list")},
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the first day like 2026-11-29")},
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the last day like 2026-11-30")},
    )

    def __init__(self, *args, target_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        known = registry.action_choices()
        value = (self.data.get("action") or "").strip() if self.is_bound else ""
        extra = [(value, value)] if value and value not in dict(known) else []
        self.fields["action"].widget = forms.Select(
            choices=[("", _("All actions")), *extra, *known]
        )
        self.fields["target_type"].choices = [
            ("", _("All objects")),
            *sorted(
                ((ct.pk, str(ct.name).capitalize()) for ct in target_types),
                key=lambda c: c[1].lower(),
            ),
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date must be on or after the start date."))
        return data


def target_types_in_use() -> list[ContentType]:
    ids = AuditEntry.objects.order_by().values_list("target_type", flat=True).distinct()
    return list(ContentType.objects.filter(pk__in=ids))
