"""What the outbox's audit entries and e-mail kinds mean in words (see gdpa/audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from gdpa.audit import formatters
from gdpa.audit.registry import register_action, register_field, register_values

#: The e-mail kinds of this app's ``AppConfig`` and of django-allauth (its template names).
EMAIL_KINDS = [
    ("email_confirmation", _("Confirm an e-mail address")),
    ("email_confirmation_signup", _("Confirm the address of a new account")),
    ("password_reset_key", _("Reset a password")),
    ("unknown_account", _("Password reset for an unknown address")),
    ("account_already_exists", _("Account already exists")),
    ("password_changed", _("Password changed")),
    ("password_set", _("Password set")),
    ("email_changed", _("E-mail address changed")),
    ("email_confirm", _("E-mail address confirmed")),
    ("email_deleted", _("E-mail address removed")),
    ("login_code", _("Sign-in code")),
    ("totp_activated", _("Authenticator app added")),
    ("totp_deactivated", _("Authenticator app removed")),
    ("recovery_codes_generated", _("Recovery codes generated")),
    ("webauthn_added", _("Security key added")),
    ("webauthn_removed", _("Security key removed")),
]


def register_audit_vocabulary() -> None:
    from .models import OutboundEmail, RecipientAddress

    register_action("email.resend", _("Failed e-mail resent"))
    # Reported by the provider's tracking webhook (gdpa/notify/deliverability.py).
    register_action("email.bounced", _("E-mail bounced"))
    register_action("email.complained", _("E-mail marked as spam"))
    register_action("email.failed", _("E-mail rejected by the provider"))
    register_action("email.address_suppressed", _("E-mail to an address suppressed"))
    register_action("email.suppression_lifted", _("Suppression of an address lifted"))
    register_action("email.address_confirmed", _("Bouncing address confirmed by its owner"))
    register_field(
        "notify.recipientaddress",
        "reason",
        _("reason"),
        formatters.choices(RecipientAddress.Reason.choices),
    )
    register_field("notify.recipientaddress", "hard_bounces", _("hard bounces"))
    register_field("email", "status", _("status"), formatters.choices(OutboundEmail.Status.choices))
    register_field("email", "attempts", _("attempts"))
    register_field("email", "last_error", _("last error"))
    register_values("notify.outboundemail", "kind", EMAIL_KINDS)
