from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """Retention: what the portal deletes by itself after a configurable period, from the
    rules each app registers, with a log of what went."""

    name = "gdpa.retention"
    label = "retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        from gdpa.accounts.roles import IOM_STAFF
        from gdpa.portal.registry import STAFF_RECORDS, NavLink, register_nav_link

        register_nav_link(
            NavLink(
                "retention",
                _("Retention"),
                "retention:log",
                frozenset({IOM_STAFF}),
                63,
                group=STAFF_RECORDS,
            )
        )

        from .audit_vocabulary import register_audit_vocabulary

        register_audit_vocabulary()
