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
    register_field("story", "status", _("status"), choices(Story.Status.choices))
    register_stories_vocabulary()


def register_stories_vocabulary() -> None:
    """Youth Voices stories (youth/stories.py)."""
    from gdpa.audit.formatters import choices, country
    from gdpa.audit.registry import register_values

    from .models import Story

    register_action("story.create", _("Youth Voices story written"))
    register_action("story.update", _("Youth Voices story changed"))
    register_action("story.submit", _("Youth Voices story submitted for moderation"))
    register_action("story.publish", _("Youth Voices story published"))
    register_action("story.request_changes", _("Changes to a Youth Voices story requested"))
    register_action("story.reject", _("Youth Voices story rejected"))
    register_action("story.take_down", _("Youth Voices story taken down"))
    register_field("youth.story", "title", _("title"))
    register_field("youth.story", "summary", _("summary"))
    register_field("youth.story", "language", _("language of the story"))
    register_field("youth.story", "sector", _("sector"))
    register_field("youth.story", "country", _("country"), country)
    register_field("youth.story", "photo_alt", _("photo description"))
    register_field("youth.story", "video_url", _("video link"))
    register_field("youth.story", "photo", _("photo"), formatters.boolean)
    register_field("youth.story", "status", _("status"), choices(Story.Status.choices))
    register_field("youth.story", "moderation_comment", _("moderator's comment"))
    register_values(
        "notify.outboundemail",
        "kind",
        [
            ("story_published", _("Youth Voices story published")),
            ("story_changes", _("Changes to a Youth Voices story requested")),
            ("story_rejected", _("Youth Voices story rejected")),
        ],
    )
