"""Who is invited to a session (audiences and addresses) and the invitation e-mails."""

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gdpa.accounts.roles import YOUTH, users_with_role
from gdpa.audit.services import audit_record

from ..models import (
    AllianceSession,
    Membership,
    Organization,
    Participant,
)
from .session_mail import (
    enqueue_session_task,
    render_batches,
    session_email,
)


def _parse_emails(raw: Iterable[str]) -> list[str]:
    emails, bad = [], []
    for address in raw:
        address = address.strip().lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
        else:
            emails.append(address)
    if bad:
        raise ValidationError(
            {
                "emails": _("These are not valid e-mail addresses: %(list)s")
                % {"list": ", ".join(bad[:10])}
            }
        )
    return emails


def audience_users(
    *, member_states=(), org_kinds=(), sectors=(), countries=(), include_youth=False
):
    """Accounts in the chosen audience (a queryset, resolved in the database)."""
    User = get_user_model()
    audience = Q(pk__in=[])
    if member_states:
        audience |= Q(
            memberships__role__in=[Membership.Role.FOCAL_POINT, Membership.Role.ADMIN],
            memberships__organization__kind=Organization.Kind.GOVERNMENT,
            memberships__organization__status=Organization.Status.VERIFIED,
            memberships__organization__member_state__in=member_states,
        )
    if org_kinds or sectors or countries:
        orgs = Organization.objects.filter(status=Organization.Status.VERIFIED)
        if org_kinds:
            orgs = orgs.filter(kind__in=org_kinds)
        if sectors:
            orgs = orgs.filter(sectors__in=sectors)
        if countries:
            orgs = orgs.filter(country__in=countries)
        audience |= Q(memberships__organization__in=orgs.values("pk"))
    if include_youth:
        audience |= Q(pk__in=users_with_role(YOUTH))
    return User.objects.filter(audience, is_active=True).distinct()


@transaction.atomic
def session_invite(
    *,
    actor,
    session: AllianceSession,
    member_states=(),
    org_kinds=(),
    sectors=(),
    countries=(),
    include_youth: bool = False,
    emails: Iterable[str] = (),
    users: Iterable = (),
    guest_language: str = "",
) -> int:
    """Add the audience to the session and e-mail each new invitee once (by a task).

    Addresses without an account are written to in ``guest_language`` (default: the
    session's language); account holders get their own language. ``users``: accounts
    chosen one by one (the staff member directory's selection), active ones only.
    """
    if session.status != AllianceSession.Status.SCHEDULED or session.starts_at <= timezone.now():
        raise ValidationError(_("Invitations go out for scheduled sessions that have not started."))
    addresses = _parse_emails(emails)
    audience = audience_users(
        member_states=member_states,
        org_kinds=org_kinds,
        sectors=sectors,
        countries=countries,
        include_youth=include_youth,
    )
    by_email = {u.email.lower(): u.pk for u in audience.only("pk", "email")}
    for user in users:
        if user.is_active:
            by_email[user.email.lower()] = user.pk
    if addresses:
        # An address stands for an account only once the account has confirmed it
        # (case-insensitively: accounts keep the case their owners typed).
        confirmed = EmailAddress.objects.annotate(address=Lower("email")).filter(
            address__in=addresses, verified=True, user__is_active=True
        )
        for address, user_id in confirmed.values_list("address", "user_id"):
            by_email[address] = user_id
        for address in addresses:
            by_email.setdefault(address, None)
    if not by_email:
        raise ValidationError(
            _("Nobody matches this audience. Choose at least one group or address.")
        )
    guest_language = guest_language or session.language
    if guest_language not in dict(settings.LANGUAGES):
        raise ValidationError({"guest_language": _("Choose one of the portal's languages.")})
    existing = set(session.participants.values_list("email", flat=True))
    new = [
        Participant(
            session=session,
            email=email,
            user_id=user_id,
            invited_by=actor,
            language="" if user_id else guest_language,
        )
        for email, user_id in by_email.items()
        if email not in existing
    ]
    Participant.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    audit_record(
        actor=actor,
        action="session.invite",
        target=session,
        after={"invited": len(new), "already_invited": len(by_email) - len(new)},
    )
    enqueue_session_task("send_session_invitations", session.pk, rows=len(new))
    return len(new)


def invitations_pending():
    """Participants whose invitation e-mail was never written (any session)."""
    return Participant.objects.filter(
        invitation_sent_at__isnull=True, session__status=AllianceSession.Status.SCHEDULED
    )


def session_invitations_send(*, session_id: int) -> int:
    """E-mail every participant not yet invited (safe to run twice or concurrently)."""
    pending = invitations_pending().filter(session_id=session_id).order_by("pk")
    # The invitation carries the session as it is now, so the person is also up to date
    # with its calendar sequence: no change notice is owed for changes made before it.
    return render_batches(
        pending,
        {"invitation_sent_at": timezone.now(), "notified_sequence": lambda p: p.session.sequence},
        lambda p, renderer: session_email(
            p,
            kind="session_invitation",
            template="alliance/email/session_invitation",
            renderer=renderer,
            ics=True,
            rsvp_links=True,
        ),
    )
