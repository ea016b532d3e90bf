"""What the retention audit entries mean in words (see gdpa/audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from gdpa.audit.registry import register_action, register_field


def register_audit_vocabulary() -> None:
    register_action("retention.apply", _("Retention rules applied"))
    register_field("retention", "deleted", _("deleted"))
    register_field("retention", "failed_rules", _("rules that failed"))
