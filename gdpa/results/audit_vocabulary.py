"""What the donor reports' audit entries mean in words (see gdpa/audit/registry.py)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gdpa.audit import formatters
from gdpa.audit.registry import register_action, register_field


def register_audit_vocabulary() -> None:
    for code, label in {
        "donor_report.request": _("Donor progress report asked for"),
        "donor_report.build": _("Donor progress report built"),
        "donor_report.fail": _("Donor progress report could not be built"),
    }.items():
        register_action(code, label)
    for name, label, formatter in [
        ("period_start", _("period from"), formatters.date),
        ("period_end", _("period until"), formatters.date),
        ("language", _("language"), formatters.choices(settings.LANGUAGES)),
        ("pages", _("pages"), None),
        ("error", _("error"), None),
    ]:
        register_field("donor_report", name, label, formatter)
