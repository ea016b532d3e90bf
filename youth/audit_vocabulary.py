"""What the youth app's audit entries mean in words (see gdpa/audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from gdpa.audit import formatters
from gdpa.audit.registry import register_action, register_field


def register_audit_vocabulary() -> None:
    register_action("youth_profile.create", _("Joined youth participation"))
    register_action("youth_profile.consent_withdrawn", _("Youth consent withdrawn"))
    register_field("youth_profile", "consent_version", _("consent text version"))
    register_field("youth_profile", "consent_at", _("consent given"), formatters.datetime)
    register_field("youth_profile", "withdrawn_at", _("consent withdrawn"), formatters.datetime)
