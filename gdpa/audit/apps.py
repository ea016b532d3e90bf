from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Who changed what, when: the audit log of writes, visible to IOM staff."""

    name = "gdpa.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from . import personal_data

        personal_data.register()
        from gdpa.accounts.roles import IOM_STAFF
        from gdpa.portal.registry import STAFF_RECORDS, NavLink, register_nav_link

        register_nav_link(
            NavLink(
                "audit",
                _("Audit log"),
                "audit:log",
                frozenset({IOM_STAFF}),
                60,
                group=STAFF_RECORDS,
            )
        )
