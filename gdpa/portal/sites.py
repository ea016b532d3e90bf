"""The Sites entry follows ``SITE_URL``: allauth's e-mails name the portal from it."""

from urllib.parse import urlsplit

from django.apps import apps as global_apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router

SITE_NAME = "GDPA Portal"


def site_sync(*, using: str = DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    """Set the current Site's domain from ``SITE_URL`` (run after every ``migrate``).

    Django creates the row as "example.com", which password-reset and confirmation e-mails
    would otherwise show.
    """
    try:
        Site = apps.get_model("sites", "Site")
    except LookupError:
        return
    if not router.allow_migrate_model(using, Site):
        return
    domain = urlsplit(settings.SITE_URL).netloc or "127.0.0.1:8000"
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": SITE_NAME}
    )
    from django.contrib.sites.models import SITE_CACHE

    SITE_CACHE.clear()
