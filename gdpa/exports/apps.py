from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """CSV and XLSX exports of what the apps register: streamed when small, built by Celery
    and fetched through an expiring link when large; every export is audit-logged."""

    name = "gdpa.exports"
    label = "exports"
    verbose_name = _("Exports")
