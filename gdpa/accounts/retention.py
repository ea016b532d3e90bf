"""Retention of accounts: stale unverified sign-ups (see gdpa/retention/registry.py)."""

from django.db import router
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _

from gdpa.retention.registry import RetentionRule, register_rule

#: What an account that never did anything owns: deleting these with it loses nothing.
#: Anything else that would cascade (a membership, a youth profile, an enrollment, an
#: RSVP...) means the account took part in something, and it is kept.
_DISPOSABLE = {
    "accounts.user",
    "account.emailaddress",
    "account.emailconfirmation",
    "usersessions.usersession",
    "accounts.user_groups",
    "accounts.user_user_permissions",
}


def _only_disposable(user) -> bool:
    collector = Collector(using=router.db_for_write(type(user)))
    try:
        collector.collect([user])
    except (ProtectedError, RestrictedError):
        return False
    for model, objs in collector.data.items():
        if objs and model._meta.label_lower not in _DISPOSABLE:
            return False
    for qs in collector.fast_deletes:
        if qs.model._meta.label_lower not in _DISPOSABLE and qs.exists():
            return False
    return True


def stale_unverified_accounts(cutoff):
    """Accounts that signed up before ``cutoff``, never confirmed an address and never
    signed in; no staff or admin account."""
    from .models import User

    return (
        User.objects.filter(
            date_joined__lt=cutoff,
            last_login__isnull=True,
            is_staff=False,
            is_superuser=False,
        )
        .exclude(emailaddress__verified=True)
        .order_by("pk")
    )


def _forget_finished_emails(user) -> None:
    """The account's finished e-mails (its confirmation messages) go with it instead of
    keeping its address for the e-mail rows' own period; one still to be sent, and one that
    caused a suppression, stay (the suppression list belongs to the address)."""
    from gdpa.notify.models import OutboundEmail, RecipientAddress

    OutboundEmail.objects.filter(user=user).exclude(
        status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING]
    ).exclude(pk__in=RecipientAddress.objects.filter(cause__isnull=False).values("cause")).delete()


def purge_unverified_accounts(now, cutoff) -> int:
    deleted = 0
    # Locked until the rule commits: a membership (or anything else pointing at the account)
    # written meanwhile waits for the lock, and the collector below sees what committed.
    candidates = stale_unverified_accounts(cutoff).select_for_update(skip_locked=True)
    for user in candidates.iterator(chunk_size=200):
        if _only_disposable(user):
            _forget_finished_emails(user)
            user.delete()
            deleted += 1
    return deleted


def register_retention_rules() -> None:
    register_rule(
        RetentionRule(
            key="unverified_accounts",
            label=_("Unverified accounts"),
            period_setting="unverified_accounts",
            default_days=30,
            purge=purge_unverified_accounts,
            keeps=_(
                "Accounts that confirmed an address, ever signed in, are staff, or have "
                "anything of their own (a membership, a profile, an enrollment, a reply)."
            ),
        )
    )
