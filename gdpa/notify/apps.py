from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """Outgoing e-mail: every message is a row first, sent by a task, visible to staff."""

    name = "gdpa.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from gdpa.accounts.permissions import acting_as_staff
        from gdpa.accounts.roles import IOM_STAFF
        from gdpa.portal.registry import (
            STAFF_RECORDS,
            NavLink,
            Panel,
            register_nav_link,
            register_panel,
        )

        from .selectors import failed_count

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

        from .audit_vocabulary import register_audit_vocabulary

        register_audit_vocabulary()
