from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People: the custom user, their language, time zone and roles."""

    name = "gdpa.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import personal_data

        personal_data.register()
        from allauth.mfa.signals import authenticator_added

        from . import (
            checks,  # noqa: F401  (registers the system checks)
            security_events,
            sessions,
        )
        from .audit_vocabulary import register_audit_vocabulary

        register_audit_vocabulary()

        from .retention import register_retention_rules

        register_retention_rules()

        from allauth.account.signals import user_logged_in

        from .signals import record_second_factor_on_activation, session_activity_recorded_at_login

        # allauth.usersessions records the session at sign-in; the activity middleware
        # need not write it again on the next page.
        user_logged_in.connect(
            session_activity_recorded_at_login, dispatch_uid="gdpa_session_activity_login"
        )
        authenticator_added.connect(
            record_second_factor_on_activation, dispatch_uid="gdpa_record_second_factor"
        )
        security_events.connect()
        sessions.connect()
