from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People: the custom user, their language, time zone and roles."""

    name = "gdpa.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from .signals import record_second_factor_on_activation

        authenticator_added.connect(
            record_second_factor_on_activation, dispatch_uid="gdpa_record_second_factor"
        )
