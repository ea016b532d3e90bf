from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """Outgoing e-mail: every message is a row first, sent by a task, visible to staff."""

    name = "gdpa.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from gdpa.accounts.roles import IOM_STAFF
        from gdpa.portal.registry import STAFF_RECORDS, NavLink, register_nav_link

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

        from .audit_vocabulary import register_audit_vocabulary

        register_audit_vocabulary()
