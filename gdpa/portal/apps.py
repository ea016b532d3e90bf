from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public home page, the role-aware dashboard and the navigation."""

    name = "gdpa.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from .registry import NavLink, register_nav_link

        register_nav_link(
            NavLink("home", _("About the alliance"), "portal:home", order=0, public=True)
        )
        register_nav_link(NavLink("dashboard", _("Dashboard"), "portal:dashboard", order=10))
