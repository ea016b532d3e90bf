"""E-mails about alliance sessions: written per participant in their language and zone
(what they share rendered once per language and zone), in batches claimed with SKIP
LOCKED, by tasks enqueued once the transaction commits.

The participant rows are the source of truth: a task whose message was never published
or was lost is driven again by ``sweeps.session_mail_sweep``."""

from zoneinfo import ZoneInfo

from django.core import signing
from django.db import transaction
from django.urls import reverse

from gdpa.notify.dispatch import enqueue_on_commit as enqueue_task_on_commit
from gdpa.notify.models import OutboundEmail
from gdpa.notify.rendering import SharedRender
from gdpa.notify.services import email_build, emails_queue_many

from .. import calendar
from ..models import (
    Participant,
)

BATCH = 200


RSVP_SALT = "alliance.rsvp"


#: At most this many tasks render one session's e-mails side by side.
MAX_PARALLEL_TASKS = 4


def enqueue_session_task(task_name: str, session_id: int, rows: int = 1) -> None:
    """Enqueue the task once per batch of work, up to MAX_PARALLEL_TASKS copies.

    The copies claim disjoint batches (SKIP LOCKED) so every worker process can render;
    a copy that finds nothing left simply returns. A broker that cannot take the message
    is logged, not raised: the data is saved and the sweep sends the e-mails later.
    """
    from .. import tasks

    task = getattr(tasks, task_name)
    enqueue_task_on_commit(task, session_id, copies=copies_for(rows))


def copies_for(rows: int) -> int:
    """One task per batch of work, at most MAX_PARALLEL_TASKS."""
    return max(1, min(MAX_PARALLEL_TASKS, -(-rows // BATCH)))


def rsvp_link_token(participant: Participant, answer: str) -> str:
    return signing.dumps(
        {"p": participant.pk, "n": participant.link_nonce, "a": answer},
        salt=RSVP_SALT,
        compress=True,
    )


def _recipient(participant: Participant) -> tuple[str, str, object]:
    user = participant.user
    if user is not None:
        return user.preferred_language, user.time_zone or "UTC", user
    # A guest (no account): the language staff chose when inviting, else the session's.
    language = participant.language or participant.session.language
    return language, participant.session.time_zone, None


def session_email(
    participant: Participant,
    *,
    kind: str,
    template: str,
    renderer: SharedRender,
    extra=None,
    ics=False,
    rsvp_links=False,
) -> OutboundEmail:
    """The (unsaved) e-mail to one participant, in their language and zone.

    What every participant of the session shares (the session, its page, ``extra``) is
    rendered once per language and zone by ``renderer``; with ``rsvp_links`` (for a
    template that prints ``links``), the participant's own answer links are filled in.
    """
    language, zone, user = _recipient(participant)
    session = participant.session
    context = {
        "session": session,
        "has_account": participant.user_id is not None,
        "session_zone": ZoneInfo(session.time_zone),
        "url": reverse("alliance:session", args=[session.pk]),
        **(extra or {}),
    }
    slots = {}
    if rsvp_links:
        slots["links"] = {
            answer: reverse("alliance:rsvp_link", args=[rsvp_link_token(participant, answer)])
            for answer in ("accepted", "tentative", "declined")
        }
    rendered = renderer.render(
        template=template,
        context=context,
        slots=slots,
        language=language,
        time_zone=zone,
    )
    attachment = (
        ("session.ics", calendar.session_ics(session, participant).decode(), "text/calendar")
        if ics
        else None
    )
    return email_build(
        to=participant.email,
        kind=kind,
        language=language,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        user=user,
        attachment=attachment,
    )


def render_batches(queryset, mark: dict, render) -> int:
    """Claim rows in batches (skip-locked), write an e-mail for each, mark them, commit.

    ``render(row, renderer)`` returns the row's unsaved e-mail or None; one
    ``SharedRender`` serves the whole run. Queries per batch do not grow with its size:
    the claim, the suppression lookup, one INSERT and one UPDATE."""
    renderer = SharedRender()
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                queryset.select_for_update(skip_locked=True, of=("self",)).select_related(
                    "session", "user"
                )[:BATCH]
            )
            if not rows:
                return total
            emails = []
            for row in rows:
                email = render(row, renderer)
                if email is not None:
                    emails.append(email)
                for field, value in mark.items():
                    setattr(row, field, value(row) if callable(value) else value)
            type(rows[0]).objects.bulk_update(rows, list(mark))
            emails_queue_many(emails)
            total += len(rows)
