"""What the youth app's audit entries mean in words (see gdpa/audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from gdpa.audit import formatters
from gdpa.audit.formatters import choices
from gdpa.audit.registry import register_action, register_field

from .models import Story


def register_audit_vocabulary() -> None:
    register_action("youth_profile.create", _("Joined youth participation"))
    register_action("youth_profile.consent_withdrawn", _("Youth consent withdrawn"))
    register_field("youth_profile", "consent_version", _("consent text version"))
    register_field("youth_profile", "consent_at", _("consent given"), formatters.datetime)
    register_field("youth_profile", "withdrawn_at", _("consent withdrawn"), formatters.datetime)
    register_action("youth_profile.public_consent_given", _("Consent to public display given"))
    register_action(
        "youth_profile.public_consent_withdrawn", _("Consent to public display withdrawn")
    )
    register_field(
        "youth_profile", "public_consent_version", _("public display consent text version")
    )
    register_field(
        "youth_profile",
        "public_consent_at",
        _("consent to public display given"),
        formatters.datetime,
    )
    register_action("youth_settings.update", _("Youth age range changed"))
    register_field("youth_settings", "min_age", _("youngest age"))
    register_field("youth_settings", "max_age", _("oldest age"))
    register_action("story.taken_down", _("Youth Voices story taken down"))
    register_field("story", "status", _("status"), choices(Story.Status.choices))
