"""The session engine: Django's database sessions, read with SQL compiled once.

Every request of a signed-in person reads its session row; through the ORM that read cost
about as much CPU as the page's own smallest query (gdpa/prepared.py). Writes, expiry and
sign-out are Django's ``db`` engine unchanged.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import router
from django.utils import timezone

from gdpa.prepared import FAR_PAST, PreparedRead

_LIVE_SESSION = PreparedRead(
    "accounts.session",
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now),
    "gdpa-prepared-read-marker",
    FAR_PAST,
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The session's row if it has not expired; as Django's: no row forgets the key."""
        found = _LIVE_SESSION.rows(
            self.session_key, timezone.now(), using=router.db_for_read(Session)
        )
        if not found:
            self._session_key = None
            return None
        return found[0]
