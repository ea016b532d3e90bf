"""What the accounts' audit entries mean in words (see gdpa/audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from gdpa.audit.registry import register_action, register_field


def register_audit_vocabulary() -> None:
    register_action("account.disable", _("Account disabled"))
    register_field("account", "is_active", _("active"))
    register_field("account", "reason", _("reason"))
    register_field("account", "sessions_ended", _("sessions ended"))
