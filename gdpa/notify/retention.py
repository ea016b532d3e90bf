"""Retention of outgoing e-mail rows (see gdpa/retention/registry.py).

Their bodies go much earlier (``OutboundEmail``'s docstring); this rule deletes the rows
themselves (recipient, kind, subject, status). The suppression list (``RecipientAddress``)
is kept whatever its age: it is what stops mail to an address that bounced."""

from django.utils.translation import gettext_lazy as _

from gdpa.retention.registry import RetentionRule, register_rule


def purge_sent_emails(now, cutoff) -> int:
    from .models import OutboundEmail, RecipientAddress

    done = OutboundEmail.Status
    stale = (
        OutboundEmail.objects.filter(created_at__lt=cutoff)
        .filter(status__in=[done.SENT, done.BOUNCED, done.COMPLAINED, done.SUPPRESSED, done.FAILED])
        .exclude(status=done.FAILED, bodies_cleared_at__isnull=True)  # still resendable
        .exclude(
            pk__in=RecipientAddress.objects.filter(
                suppressed_at__isnull=False, cause__isnull=False
            ).values("cause")
        )
    )
    deleted, _per_model = stale.delete()
    return deleted


def register_retention_rules() -> None:
    register_rule(
        RetentionRule(
            key="sent_emails",
            label=_("Outgoing e-mail records"),
            period_setting="sent_emails",
            default_days=365,
            purge=purge_sent_emails,
            keeps=_(
                "E-mails still queued or resendable, the e-mail that caused a suppression, "
                "and the suppression list itself."
            ),
        )
    )
