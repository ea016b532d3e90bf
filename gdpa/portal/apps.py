from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public home page, the role-aware dashboard and the navigation."""

    name = "gdpa.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from gdpa.http import kept_pages

        from .registry import NavLink, register_nav_link
        from .sites import site_sync

        kept_pages.connect()

        # After the sites app has created its row, name it after SITE_URL.
        post_migrate.connect(
            site_sync, sender=apps.get_app_config("sites"), dispatch_uid="gdpa.portal.site_sync"
        )

        register_nav_link(
            NavLink("home", _("About the alliance"), "portal:home", order=0, public=True)
        )
        register_nav_link(NavLink("dashboard", _("Dashboard"), "portal:dashboard", order=10))
