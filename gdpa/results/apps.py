from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    """The results dashboard of the project's two outcomes and the donor progress report,
    assembled from the indicators the apps register (gdpa/results/registry.py)."""

    name = "gdpa.results"
    label = "results"
    verbose_name = _("Results")

    def ready(self) -> None:
        from . import personal_data

        personal_data.register()
        from gdpa.accounts.roles import IOM_STAFF
        from gdpa.portal.registry import STAFF_RECORDS, NavLink, register_nav_link

        from .audit_vocabulary import register_audit_vocabulary

        register_nav_link(
            NavLink(
                "results",
                _("Results"),
                "results:dashboard",
                frozenset({IOM_STAFF}),
                55,
                group=STAFF_RECORDS,
            )
        )
        register_audit_vocabulary()

        from .retention import register_retention_rules

        register_retention_rules()
