"""Private calendar feeds: one secret address per person, revocable."""

from django.db import transaction

from ..models import (
    CalendarFeed,
)
from ..models.sessions import new_secret


def calendar_feed_get(*, user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_reset(*, user) -> CalendarFeed:
    """Revoke the old private address and make a new one."""
    feed = calendar_feed_get(user=user)
    feed.token = new_secret()
    feed.save(update_fields=["token", "created_at"])
    return feed
