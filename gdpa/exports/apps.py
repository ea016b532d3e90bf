from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """CSV and XLSX exports of what the apps register: streamed when small, built by Celery
    and fetched through an expiring link when large; every export is audit-logged."""

    name = "gdpa.exports"
    label = "exports"
    verbose_name = _("Exports")

    def ready(self) -> None:
        from . import personal_data

        personal_data.register()
        from gdpa.accounts.roles import IOM_STAFF
        from gdpa.portal.registry import STAFF_RECORDS, NavLink, register_nav_link

        register_nav_link(
            NavLink(
                "exports",
                _("Exports"),
                "exports:index",
                frozenset({IOM_STAFF}),
                62,
                group=STAFF_RECORDS,
            )
        )

        from .audit_vocabulary import register_audit_vocabulary

        register_audit_vocabulary()

        from .retention import register_retention_rules

        register_retention_rules()
