"""The alliance's periodic sweep: session e-mails that were never written are driven again.

The participant rows are the source of truth for session mail: ``invitation_sent_at``,
``notified_sequence`` (below the session's ``sequence``: a change notice is owed) and
``summary_sent_at``. A task message that was never published (the broker was down at
commit) or was lost leaves those rows pending; this sweep finds the sessions that have
such rows and enqueues their task again. The tasks claim rows with SKIP LOCKED and mark
them in the same transaction as their e-mails, so a sweep that runs twice, or while the
original task is still running, sends nothing twice.
"""

import logging
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from gdpa.notify.dispatch import publish_each

from .attendance import summaries_pending
from .session_invitations import invitations_pending
from .session_mail import copies_for
from .sessions import change_notices_pending

logger = logging.getLogger(__name__)

#: Work younger than this may still be on its way through the broker: leave it alone.
GRACE = timedelta(minutes=10)
#: Summaries are not chased for sessions whose summary was published longer ago.
SUMMARY_WINDOW = timedelta(days=30)


def _rows_per_session(queryset) -> list[tuple[int, int]]:
    return list(
        queryset.order_by()
        .values("session_id")
        .annotate(rows=Count("pk"))
        .order_by("session_id")
        .values_list("session_id", "rows")
    )


def session_mail_sweep(*, now=None) -> dict[str, int]:
    """Enqueue the session tasks whose work is still pending after ``GRACE``.

    Returns, per task, how many sessions were driven again.
    """
    from .. import tasks

    now = now or timezone.now()
    cutoff = now - GRACE
    pending = {
        tasks.send_session_invitations: invitations_pending().filter(
            invited_at__lt=cutoff, session__starts_at__gt=now
        ),
        tasks.notify_session_change: change_notices_pending().filter(
            session__updated_at__lt=cutoff, session__ends_at__gt=now
        ),
        tasks.send_session_summary: summaries_pending().filter(
            session__summary_published_at__lt=cutoff,
            session__summary_published_at__gt=now - SUMMARY_WINDOW,
        ),
    }
    driven = {}
    for task, queryset in pending.items():
        rows = _rows_per_session(queryset)
        for session_id, count in rows:
            logger.info(
                "Sweep: %d participants of session %s still pending for %s; enqueuing it again.",
                count,
                session_id,
                task.name,
            )
        calls = [(session_id,) for session_id, count in rows for _ in range(copies_for(count))]
        publish_each(task, calls)
        driven[task.name] = len(rows)
    return driven
