"""Answers to session invitations: from the page or from single-use e-mailed links."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    AllianceSession,
    Participant,
    Reminder,
)
from ..models.sessions import new_secret
from .reminders import reminders_for
from .session_mail import RSVP_SALT

RSVP_LINK_LIFETIME = timedelta(days=60)


def accepted_count(session: AllianceSession) -> int:
    return session.participants.filter(rsvp=Participant.Rsvp.ACCEPTED).count()


@transaction.atomic
def rsvp_set(*, participant: Participant, answer: str, user=None) -> Participant:
    """Accept, decline or answer tentatively. Capacity holds under concurrent answers.

    ``user``: the signed-in person answering; an invitation found by their confirmed
    address is linked to their account here (reading the page never writes)."""
    if answer not in (
        Participant.Rsvp.ACCEPTED,
        Participant.Rsvp.TENTATIVE,
        Participant.Rsvp.DECLINED,
    ):
        raise ValidationError(_("Choose accept, tentative or decline."))
    # Lock the session row: concurrent answers to the same session queue up here.
    session = AllianceSession.objects.select_for_update().get(pk=participant.session_id)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if user is not None:
        link_participant(participant, user)
    if not session.is_open_for_rsvp:
        raise ValidationError(_("Answers are closed: the session has started or is not scheduled."))
    if (
        answer == Participant.Rsvp.ACCEPTED
        and participant.rsvp != Participant.Rsvp.ACCEPTED
        and session.capacity is not None
        and accepted_count(session) >= session.capacity
    ):
        raise ValidationError(
            _("The session is full. You may answer “tentative” to stay informed.")
        )
    was_going = participant.is_going
    participant.rsvp = answer
    participant.responded_at = timezone.now()
    participant.save(update_fields=["rsvp", "responded_at"])
    # Only people going have reminders waiting (here and ``reminders_reschedule`` keep it
    # so): a change between accept and tentative keeps them, even one due and not yet sent.
    if was_going and not participant.is_going:
        participant.reminders.filter(sent_at__isnull=True).delete()
    elif participant.is_going and not was_going:
        Reminder.objects.bulk_create(
            reminders_for(participant, session, timezone.now()), ignore_conflicts=True
        )
    participant.session = session
    return participant


def _link_data(token: str, *, lock: bool) -> tuple[Participant, str]:
    try:
        data = signing.loads(token, salt=RSVP_SALT, max_age=RSVP_LINK_LIFETIME.total_seconds())
    except signing.SignatureExpired as exc:
        raise ValidationError(_("This link has expired. Answer from the session page.")) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This link is not valid.")) from exc
    qs = Participant.objects.select_related("session")
    participant = (
        (qs.select_for_update(of=("self",)) if lock else qs).filter(pk=data.get("p")).first()
    )
    if participant is None or participant.link_nonce != data.get("n"):
        raise ValidationError(
            _("This link has already been used. You can change your answer on the session page.")
        )
    if data.get("a") not in Participant.Rsvp.values:
        raise ValidationError(_("This link is not valid."))
    return participant, data["a"]


def rsvp_link_peek(*, token: str) -> tuple[Participant, str]:
    """The invitation and answer an e-mailed link stands for, without applying it."""
    return _link_data(token, lock=False)


@transaction.atomic
def rsvp_from_link(*, token: str) -> Participant:
    """Apply an answer from an e-mailed link; each link works once."""
    participant, answer = _link_data(token, lock=True)
    participant = rsvp_set(participant=participant, answer=answer)
    participant.link_nonce = new_secret()
    participant.save(update_fields=["link_nonce"])
    return participant


def link_participant(participant: Participant, user) -> Participant:
    """Attach an invitation sent to an address to the account that has confirmed that
    address; an invitation already linked to someone stays theirs."""
    if participant.user_id is None and (
        EmailAddress.objects.filter(
            user=user, verified=True, email__iexact=participant.email
        ).exists()
    ):
        participant.user = user
        participant.save(update_fields=["user"])
    return participant
