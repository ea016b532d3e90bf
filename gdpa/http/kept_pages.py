"""Whole pages kept for the person who asked, forgotten by any write to what they read.

The main pages of every role cost 6 to 14 ms of CPU to draw for one person (template
nodes, translations, building queries: docs/benchmarks.md), most of it the same from one
request to the next. A view marked ``@kept_page`` is answered from the shared cache when
the same person (the same session, with the same contents) asks for the same address, in
the same language and time zone, with the same htmx headers, and nothing it was drawn from
has changed since:

- **What it was drawn from** is recorded while the request runs: every database table a
  query read (``FROM``/``JOIN`` in the SQL any query sends, the ORM's or raw), and every
  cache ``Generation`` it read (the catalogue's kept lists, the directory's totals).
- **What changed** is counted per table: every statement that writes (through any
  connection, in the web processes and in the workers) advances its table's counter in
  the shared cache when its transaction commits (one round trip per transaction, for
  every table it wrote). A page is kept with the counters it saw before it was drawn, and
  is answered again only while every one of them is unchanged: a page drawn while a write
  was not yet committed was drawn from the rows before it, and its counter moves on
  commit. So a write shows on the next request of everyone who sees it, whatever path
  made it: a view, a task, the admin, a management command, a bulk ``update()``. (The
  tables in ``NOT_WATCHED``, written for every e-mail sent, advance nothing; a page that
  reads one is never kept.)
- **Time** changes pages too (a session starting, an enrollment window closing): a page is
  kept at most ``KEPT_PAGE_SECONDS``.

A page is kept only when it was a plain success: a ``GET`` answered 200 with HTML, setting
no cookie (a new session, a new CSRF cookie, messages read; the CSRF cookie sent again to
renew it is sent again from a kept page too), having written nothing while it was drawn (a
view that records something when it is seen is drawn every time it does), with no message
waiting to be shown, and having read nothing whose table cannot be named (SQL not written by
the ORM, or a ``NOT_WATCHED`` table). The session's contents are part of the key, so
signing out, the second factor, or anything else kept in the session makes another key;
the session table is therefore not counted as read (every session's "last seen" is
written there, which would otherwise forget everyone's pages).

Where this does not hold, nothing is kept:

- ``KEPT_PAGE_SECONDS`` is 0 (the default without ``REDIS_URL``: the counters must be
  shared by every process, and a process-local cache is not).
- Redis is away: the cache then answers from each process's memory (gdpa/cache.py), where
  one process's writes are not seen by the others. Each process that loses Redis and finds
  it again advances ``gdpa.cache.OUTAGES``, on which every kept page depends, so nothing
  kept before an outage is answered after it.

Why not a library: django-cacheops invalidates through the ORM's signals, which the
portal's prepared SQL writes (gdpa/prepared.py) and bulk updates bypass, and needs each
view's models listed by hand; django-cachalot keeps query results, while the time of these
pages is in drawing them, not in their queries.
"""

import functools
import hashlib
import json
import re
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from gdpa.cache import OUTAGES, advance_counters, counters_read

#: The counter every kept page depends on; statements whose tables cannot be named (and
#: settings changed in tests: tests/conftest.py) advance it.
EVERYTHING = "*"
#: Tables read on every request whose contents are part of the key instead: no page depends
#: on their counters, so their writes (each session's "last seen") advance none.
IN_THE_KEY = frozenset({"django_session"})
#: Tables written for every e-mail sent (claimed, then marked sent: 20,000 writes in a
#: fan-out of 10,000) that no kept page shows: their writes advance no counter, which would
#: cost the workers a quarter more CPU per message (docs/benchmarks.md), and a page that
#: reads one is never kept.
NOT_WATCHED = frozenset({"notify_outboundemail"})
#: Read by a statement naming a table without quotes (SQL not written by the ORM), or one in
#: ``NOT_WATCHED``: what it read cannot be counted, so a page that sends one is never kept.
UNNAMED = "?"
#: The counters each kept view's pages have read, learned in this process: read with the
#: kept page before the view runs, so a page drawn is kept with the counters it started from.
_known: dict[str, frozenset] = {}

_TABLE = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+"([^"]+)"', re.IGNORECASE)
_FIRST_WORD = re.compile(r"[\s(]*([A-Za-z]+)")
#: What follows FROM or JOIN when it is not a quoted table or a subquery.
_UNQUOTED_SOURCE = re.compile(r'\b(?:FROM|JOIN)\s+(?!["(])', re.IGNORECASE)
_WRITE_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
#: Statements that neither read nor write rows.
_NEUTRAL = frozenset(
    {"SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET", "SHOW", "PRAGMA", "RESET"}
)


def counter(table: str) -> str:
    """The cache key of a table's write counter."""
    return f"gdpa:kept:{table}"


@functools.lru_cache(maxsize=1024)
def classify(sql: str) -> tuple[str, frozenset[str]]:
    """``("read" | "write" | "neutral", tables)`` for one statement. A write names the
    table it writes (none for one in ``NOT_WATCHED`` or ``IN_THE_KEY``); one whose table
    cannot be named writes ``EVERYTHING``. Kept per SQL text (the values are parameters),
    so the classification costs a dictionary lookup after the first time."""
    first = _FIRST_WORD.match(sql)
    word = first.group(1).upper() if first else ""
    if word in _NEUTRAL:
        return "neutral", frozenset()
    if word in ("SELECT", "EXPLAIN") or (word == "WITH" and not _WRITE_WORD.search(sql)):
        tables = set(_TABLE.findall(sql)) - IN_THE_KEY
        if _UNQUOTED_SOURCE.search(sql) or tables & NOT_WATCHED:
            tables.add(UNNAMED)
        return "read", frozenset(tables)
    written = _TABLE.search(sql) if word in ("INSERT", "UPDATE", "DELETE") else None
    table = written.group(1) if written else EVERYTHING
    return "write", frozenset() if table in NOT_WATCHED | IN_THE_KEY else frozenset({table})


@dataclass
class _Drawing:
    """What the request being answered has read and whether it wrote."""

    tables: set = field(default_factory=set)
    wrote: bool = False


_drawing: ContextVar[_Drawing | None] = ContextVar("gdpa_kept_drawing", default=None)


def advance(tables) -> None:
    """Advance the counters of ``tables``: every page kept from them is forgotten."""
    advance_counters(counter(table) for table in tables)


@dataclass
class AdvanceOnCommit:
    """The ``on_commit`` callback that advances the counters of the tables a transaction
    wrote: one per transaction, each write adding its table (a class of its own so tests
    that count a transaction's callbacks can leave it out)."""

    tables: set

    def __call__(self) -> None:
        advance(self.tables)


def _advance_on_commit(connection, tables) -> None:
    # The transaction's callback, while it is still to run: Django drops a callback when a
    # savepoint around its registration rolls back, and every write made since then was
    # inside that savepoint too, so adding to a callback still registered loses nothing.
    for _, callback, _ in connection.run_on_commit:
        if isinstance(callback, AdvanceOnCommit):
            callback.tables |= tables
            return
    transaction.on_commit(AdvanceOnCommit(set(tables)), using=connection.alias)


def watch(execute, sql, params, many, context):
    """A database execute wrapper (installed on every connection): records what the
    request being drawn reads, and advances the counters of what any statement writes."""
    kind, tables = classify(sql)
    drawing = _drawing.get()
    if kind == "read":
        if drawing is not None:
            drawing.tables |= tables
        return execute(sql, params, many, context)
    if kind == "neutral":
        return execute(sql, params, many, context)
    result = execute(sql, params, many, context)
    if drawing is not None:
        drawing.wrote = True
    if not tables:  # NOT_WATCHED, IN_THE_KEY
        return result
    connection = context["connection"]
    if not connection.in_atomic_block:
        advance(tables)  # committed already
        return result
    # When the transaction commits: a page drawn before then, from the rows before the
    # write, was kept with the counter as it is now, and is not answered after the commit.
    _advance_on_commit(connection, tables)
    if settings.KEPT_PAGES_SEE_UNCOMMITTED:
        advance(tables)
    return result


def _install(sender, connection, **kwargs) -> None:
    if watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch)


def connect() -> None:
    """Watch every database connection; called once from ``PortalConfig.ready``."""
    connection_created.connect(_install, dispatch_uid="gdpa.kept_pages.install")


def forget_learnt() -> None:
    """Forget what kept views were learnt to read (for tests that start afresh)."""
    _known.clear()


def kept_page(view):
    """Mark a view whose ``GET`` answers may be kept (see the module's docstring): its page
    must depend only on the database, the session, the address, the language, the time
    zone, the htmx headers and the time."""
    view.kept_page = True
    return view


def _enabled() -> bool:
    return bool(settings.KEPT_PAGE_SECONDS) and getattr(cache, "reachable", True)


def _key(request) -> str:
    session = request.session
    identity = (
        request.get_full_path(),
        request.user.pk,
        session.session_key,
        json.dumps(dict(session.items()), sort_keys=True, default=str),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME),
        translation.get_language(),
        timezone.get_current_timezone_name(),
        sorted((k.lower(), v) for k, v in request.headers.items() if k.lower().startswith("hx-")),
    )
    return "gdpa:kept-page:" + hashlib.sha256(repr(identity).encode()).hexdigest()


def _only_renews_csrf(request, response) -> bool:
    """Whether the only cookie the answer sets is the CSRF cookie the request came with
    (Django sends it again with every form, to renew its expiry)."""
    name = settings.CSRF_COOKIE_NAME
    return not response.cookies or (
        response.cookies.keys() == {name}
        and response.cookies[name].value == request.COOKIES.get(name)
    )


class KeptPagesMiddleware:
    """Answers ``@kept_page`` views from the shared cache, and keeps their answers.

    Listed before the session and authentication middleware so that everything the request
    reads is recorded; it answers in ``process_view``, after every middleware has let the
    request through (sign-in, session lifetime, second factor, tenant scope)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        drawing = _Drawing()
        token = _drawing.set(drawing)
        generations = counters_read.set({})
        try:
            response = self.get_response(request)
            plan = getattr(request, "_kept_plan", None)
            if plan is not None:
                self._keep(plan, drawing, counters_read.get(), request, response)
            return response
        finally:
            counters_read.reset(generations)
            _drawing.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            request.method != "GET"
            or not getattr(view_func, "kept_page", False)
            or not _enabled()
            or CookieStorage.cookie_name in request.COOKIES
        ):
            return None
        key, view = _key(request), f"{view_func.__module__}.{view_func.__qualname__}"
        known = _known.get(view, frozenset())
        # One round trip: the kept page, and the counters of what the view reads.
        asked = {counter(EVERYTHING), OUTAGES, *known}
        found = cache.get_many([key, *asked])
        entry = found.pop(key, None)
        if entry is not None and (unasked := entry["counters"].keys() - asked):
            found.update(cache.get_many(list(unasked)))  # kept by a process that knew more
            asked |= unasked
        if entry is not None and all(
            found.get(name) == seen for name, seen in entry["counters"].items()
        ):
            response = HttpResponse(entry["content"])
            for header, value in entry["headers"]:
                response[header] = value
            if entry["csrf"]:
                get_token(request)  # the CSRF cookie's expiry is renewed, as when drawn
            return response
        request._kept_plan = (key, view, known, {name: found.get(name) for name in asked})
        return None

    @staticmethod
    def _keep(plan, drawing, generations, request, response) -> None:
        key, view, known, before = plan
        read = {counter(table) for table in drawing.tables} | generations.keys()
        if not read <= known:
            # Drawn from something whose counter was not read before it was drawn: learn
            # it, keep the page next time.
            _known[view] = known | read
            return
        if (
            UNNAMED in drawing.tables
            or response.status_code != 200
            or response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or not _only_renews_csrf(request, response)
            or drawing.wrote
            or any(value != before[name] for name, value in generations.items())
            or not _enabled()
        ):
            return
        counters = {name: before[name] for name in read | {counter(EVERYTHING), OUTAGES}}
        cache.set(
            key,
            {
                "counters": counters,
                "headers": list(response.items()),
                "content": response.content,
                "csrf": settings.CSRF_COOKIE_NAME in response.cookies,
            },
            settings.KEPT_PAGE_SECONDS,
        )
