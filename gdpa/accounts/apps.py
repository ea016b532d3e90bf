from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People: the custom user, their language, time zone and roles."""

    name = "gdpa.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
