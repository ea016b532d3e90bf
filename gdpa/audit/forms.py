from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


class AuditFilterForm(forms.Form):
    """The audit log's filter. Django's CharField already refuses NUL characters, which
    PostgreSQL cannot take in text; the length is the column's."""

    action = forms.CharField(
        label=_("Action starts with"),
        required=False,
        max_length=AuditEntry._meta.get_field("action").max_length,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
