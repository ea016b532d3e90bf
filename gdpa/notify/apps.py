from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """Outgoing e-mail: every message is a row first, sent by a task, visible to staff."""

    name = "gdpa.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import personal_data

        personal_data.register()
        from allauth.account.signals import email_confirmed
        from anymail.signals import tracking

        from gdpa.accounts.permissions import acting_as_staff
        from gdpa.accounts.roles import IOM_STAFF
        from gdpa.portal.registry import (
            STAFF_RECORDS,
            NavLink,
            Panel,
            ProfileSection,
            register_nav_link,
            register_panel,
            register_profile_section,
        )

        from . import receivers
        from .selectors import failed_count, own_address_suppression

        def failed_context(request) -> dict:
            if not acting_as_staff(request.user):
                return {"hidden": True}
            return {"failed": failed_count()}

        register_nav_link(
            NavLink(
                "outbox",
                _("Sent e-mails"),
                "notify:outbox",
                frozenset({IOM_STAFF}),
                61,
                group=STAFF_RECORDS,
            )
        )
        register_panel(
            Panel(
                "failed-email",
                "notify/panels/failed.html",
                frozenset({IOM_STAFF}),
                failed_context,
                order=7,
            )
        )

        def own_suppression_context(request) -> dict:
            row = own_address_suppression(request.user)
            return {
                "hidden": row is None,
                "suppression": row,
                "contact_email": settings.CONTACT_EMAIL,
            }

        # The person's own notice: e-mail to their address is suppressed (bouncing or
        # marked as spam), on the dashboard and on the profile page.
        register_panel(
            Panel(
                "email-suppressed",
                "notify/panels/own_suppression.html",
                frozenset(),
                own_suppression_context,
                order=1,
            )
        )
        register_profile_section(
            ProfileSection(
                "email-suppressed",
                "notify/profile/own_suppression.html",
                context=own_suppression_context,
                order=5,
            )
        )
        tracking.connect(receivers.on_tracking, dispatch_uid="gdpa.notify.tracking")
        email_confirmed.connect(
            receivers.on_email_confirmed, dispatch_uid="gdpa.notify.email_confirmed"
        )

        from .audit_vocabulary import register_audit_vocabulary

        register_audit_vocabulary()

        from .retention import register_retention_rules

        register_retention_rules()
