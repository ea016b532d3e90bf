from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """A person's data rights: download everything held about them, ask for erasure.

    Built from the handlers each app registers (gdpa/privacy/registry.py)."""

    name = "gdpa.privacy"
    label = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from gdpa.accounts.roles import IOM_STAFF
        from gdpa.portal.registry import (
            STAFF_RECORDS,
            NavLink,
            ProfileSection,
            register_nav_link,
            register_profile_section,
        )

        from . import personal_data
        from .audit_vocabulary import register_audit_vocabulary

        register_nav_link(
            NavLink(
                "erasure-requests",
                _("Erasure requests"),
                "privacy:staff_requests",
                frozenset({IOM_STAFF}),
                75,
                group=STAFF_RECORDS,
            )
        )
        register_profile_section(
            ProfileSection("personal-data", "privacy/profile_section.html", order=90)
        )
        personal_data.register()
        register_audit_vocabulary()
