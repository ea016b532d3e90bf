"""What the privacy audit entries mean in words (see gdpa/audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from gdpa.audit.registry import register_action, register_field, register_value


def register_audit_vocabulary() -> None:
    register_action("privacy.erasure_request", _("Erasure requested"))
    register_action("privacy.erasure_refuse", _("Erasure refused"))
    register_action("privacy.erasure_done", _("Erasure request carried out"))
    register_action("privacy.erase", _("Personal data erased"))
    register_field("privacy", "status", _("status"))
    register_field("privacy", "reason", _("reason"))
    register_field("privacy", "records", _("records anonymized or deleted"))
    register_value(
        "notify.outboundemail", "kind", "privacy_erasure_done", _("Personal data erased")
    )
    register_value(
        "notify.outboundemail", "kind", "privacy_erasure_refused", _("Erasure request refused")
    )
