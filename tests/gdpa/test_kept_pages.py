"""Kept pages (gdpa/http/kept_pages.py): a page asked for again is answered without being
drawn, for the same person only, and never after anything it shows has changed."""

import datetime
import inspect
import threading

import pytest
import time_machine
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from alliance import services
from alliance.models import AllianceSession
from gdpa import cache as shared
from gdpa.http import kept_pages
from gdpa.http.kept_pages import KeptPagesMiddleware, classify, kept_page
from tests import factories


def invite(staff, session, *users):
    services.session_invite(actor=staff, session=session, emails=[u.email for u in users])


@pytest.fixture
def session_page(client, staff, scheduled, focal_point):
    invite(staff, scheduled, focal_point)
    client.force_login(focal_point)
    return reverse("alliance:session", args=[scheduled.pk])


def queries_for(client, url):
    """The answer and its number of queries, kept pages left on (the suite's
    ``django_assert_*_num_queries`` switch them off to measure drawing)."""
    with CaptureQueriesContext(connection) as counted:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(counted)


def test_a_page_asked_for_again_is_answered_as_it_was_drawn_without_drawing_it(
    client, session_page
):
    client.get(session_page)  # learns what the page reads
    first, drawn = queries_for(client, session_page)
    again, kept = queries_for(client, session_page)
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Cache-Control"] == first["Cache-Control"]  # still private, no-store
    # Only the session, the account and the tenant scope are read again.
    assert kept < drawn and kept <= 4


def test_a_change_shows_on_the_next_request_whatever_path_wrote_it(client, session_page, scheduled):
    client.get(session_page)
    client.get(session_page)
    # A bulk update, which sends no signal, from outside any view.
    AllianceSession.objects.filter(pk=scheduled.pk).update(title="Climate Action, renamed")
    assert "Climate Action, renamed" in client.get(session_page).content.decode()


def test_a_page_is_never_answered_to_someone_else(client, staff, scheduled, focal_point):
    other = factories.make_user(email="second@example.org", full_name="Ana Second")
    factories.add_member(
        staff=staff, organization=focal_point.memberships.get().organization, user=other
    )
    invite(staff, scheduled, focal_point, other)
    url = reverse("portal:dashboard")
    client.force_login(focal_point)
    for _ in range(3):
        client.get(url)
    client.force_login(other)
    body = client.get(url).content.decode()
    assert "Ana Second" in body
    assert focal_point.full_name not in body


def test_after_signing_out_the_kept_page_is_not_answered(client, session_page):
    client.get(session_page)
    client.get(session_page)
    client.post(reverse("account_logout"))
    response = client.get(session_page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_page_in_another_language_is_drawn_in_it(client, session_page, focal_point):
    client.get(session_page)
    english = client.get(session_page).content.decode()
    focal_point.preferred_language = "fr"
    focal_point.save(update_fields=["preferred_language"])
    french = client.get(session_page).content.decode()
    assert french != english
    assert 'lang="fr"' in french


def test_a_message_waiting_is_shown_not_a_kept_page(client, session_page):
    client.get(session_page)
    client.get(session_page)
    # A message left by an action (the messages cookie is set on its redirect).
    request = RequestFactory().get("/")
    request.session = client.session
    storage = messages.storage.default_storage(request)
    storage.add(messages.SUCCESS, "Your answer was saved.")
    response = HttpResponse()
    storage.update(response)
    client.cookies.update(response.cookies)
    assert "Your answer was saved." in client.get(session_page).content.decode()


def test_what_changes_with_time_alone_shows_within_the_kept_seconds(
    client, session_page, scheduled, monkeypatch
):
    client.get(session_page)
    client.get(session_page)
    # A change the counters did not see (as when Redis lost it): kept until it expires.
    monkeypatch.setattr(kept_pages, "advance", lambda tables: None)
    AllianceSession.objects.filter(pk=scheduled.pk).update(title="Gender and Youth, renamed")
    assert "Gender and Youth, renamed" not in client.get(session_page).content.decode()
    later = timezone.now() + datetime.timedelta(seconds=settings.KEPT_PAGE_SECONDS + 1)
    with time_machine.travel(later):
        assert "Gender and Youth, renamed" in client.get(session_page).content.decode()


def test_the_catalogue_is_forgotten_with_its_kept_list(
    client, staff, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    url = reverse("trainings:catalogue")
    client.get(url)
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):  # the list forgets on commit
        factories.make_offering(
            staff=staff,
            programme=factories.make_programme(staff=staff, title="Diaspora bonds 101"),
        )
    assert "Diaspora bonds 101" in client.get(url).content.decode()


def test_nothing_is_kept_while_the_cache_answers_from_process_memory(
    client, session_page, monkeypatch
):
    client.get(session_page)
    monkeypatch.setattr(cache, "reachable", False, raising=False)
    _, first = queries_for(client, session_page)
    _, second = queries_for(client, session_page)
    assert second == first > 4


def test_finding_redis_again_forgets_what_was_kept_before_the_outage(monkeypatch):
    cache = shared.ResilientRedisCache("redis://127.0.0.1:1/0", {})
    advanced = []
    monkeypatch.setattr(cache, "_advance_in_redis", advanced.extend)
    cache._retry_at = 1.0  # lost a while ago, time to ask again
    monkeypatch.setattr(
        shared.RedisCache, "get", lambda self, key, default=None, version=None: "found"
    )
    assert cache.get("anything") == "found"
    assert cache.reachable
    assert advanced == [shared.OUTAGES]


@pytest.mark.parametrize(
    ("drawing", "drawn"), [("reads", 2), ("writes", 3), ("reads unquoted SQL", 3)]
)
def test_a_page_is_kept_only_when_what_it_read_and_wrote_is_known(db, member, drawing, drawn):
    """Three requests: the first learns what the page reads, the second keeps it, the
    third is answered from it; unless drawing the page wrote something, or read with SQL
    whose tables cannot be named."""
    times = []

    @kept_page
    def view(request):
        times.append(1)
        get_user_model().objects.count()
        if drawing == "writes":
            factories.make_user(email=f"seen{len(times)}@example.org")
        if drawing == "reads unquoted SQL":
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM accounts_user")
        return HttpResponse("<p>seen</p>")

    middleware = KeptPagesMiddleware(
        lambda request: middleware.process_view(request, view, (), {}) or view(request)
    )
    for _ in range(3):
        request = RequestFactory().get("/seen/")
        request.user, request.session = member, SessionStore()
        assert middleware(request).content == b"<p>seen</p>"
    assert len(times) == drawn


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            'SELECT "a"."id" FROM "a" INNER JOIN "b" ON ("a"."b_id" = "b"."id")',
            ("read", {"a", "b"}),
        ),
        ('(SELECT "x" FROM "a") UNION (SELECT "x" FROM "c")', ("read", {"a", "c"})),
        ('SELECT 1 FROM "django_session" WHERE "session_key" = %s', ("read", set())),
        ('SELECT "a"."id" FROM "a" FOR UPDATE OF "a"', ("read", {"a"})),
        ('INSERT INTO "a" ("x") SELECT "x" FROM "b"', ("write", {"a"})),
        ('INSERT OR IGNORE INTO "a" ("x") VALUES (%s)', ("write", {"a"})),
        ('UPDATE "a" SET "x" = 1 WHERE "id" IN (SELECT "id" FROM "b")', ("write", {"a"})),
        ('DELETE FROM "a" WHERE "id" = %s', ("write", {"a"})),
        ('TRUNCATE "a", "b"', ("write", {kept_pages.EVERYTHING})),
        ("SELECT id FROM alliance_participant", ("read", {kept_pages.UNNAMED})),
        ("SELECT 1", ("read", set())),
        ('UPDATE "notify_outboundemail" SET "status" = %s', ("write", set())),
        ('SELECT "id" FROM "notify_outboundemail"', ("read", {"notify_outboundemail", "?"})),
        ('UPDATE "django_session" SET "session_data" = %s', ("write", set())),
        ("WITH t AS (DELETE FROM x RETURNING 1) SELECT 1", ("write", {kept_pages.EVERYTHING})),
        ('SAVEPOINT "s1"', ("neutral", set())),
        ('RELEASE SAVEPOINT "s1"', ("neutral", set())),
    ],
)
def test_statements_are_read_as_reads_and_writes_of_their_tables(sql, expected):
    kind, tables = classify(sql)
    assert (kind, set(tables)) == expected


def test_every_connection_is_watched(db):
    connection.ensure_connection()
    assert kept_pages.watch in connection.execute_wrappers


def test_no_middleware_after_it_decides_in_process_view():
    """Kept pages answer in process_view, which skips the process_view of every middleware
    listed after them: only CSRF's may be there (it decides nothing for a GET)."""
    listed = settings.MIDDLEWARE[
        settings.MIDDLEWARE.index(kept_pages.__name__ + ".KeptPagesMiddleware") + 1 :
    ]
    deciding = {
        path
        for path in listed
        if inspect.isclass(cls := import_string(path)) and hasattr(cls, "process_view")
    }
    assert deciding == {"django.middleware.csrf.CsrfViewMiddleware"}


@override_settings(KEPT_PAGE_SECONDS=0)
def test_nothing_is_kept_when_switched_off(client, session_page):
    client.get(session_page)
    _, first = queries_for(client, session_page)
    _, second = queries_for(client, session_page)
    assert second == first > 4


@pytest.mark.django_db(transaction=True)
@override_settings(KEPT_PAGES_SEE_UNCOMMITTED=False)  # as in production
def test_a_page_drawn_before_a_write_commits_is_not_answered_after_it(
    client, staff, make_session, focal_point
):
    """The race the advance on commit closes: a page drawn from the rows before a write
    commits is kept with the counter the write's statement already advanced."""
    if connection.vendor != "postgresql":
        pytest.skip("an open transaction beside a reader is a PostgreSQL matter; CI runs it")
    session = make_session()
    invite(staff, session, focal_point)
    client.force_login(focal_point)
    url = reverse("alliance:session", args=[session.pk])
    client.get(url)
    client.get(url)
    written, commit = threading.Event(), threading.Event()

    def write():
        try:
            with transaction.atomic():
                AllianceSession.objects.filter(pk=session.pk).update(title="Renamed at last")
                written.set()
                assert commit.wait(10)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    assert written.wait(10)
    assert "Renamed at last" not in client.get(url).content.decode()  # not committed yet
    commit.set()
    writer.join(10)
    assert "Renamed at last" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_transaction_advances_once_on_commit_for_what_it_kept(staff):
    """One callback per transaction; a write rolled back with its savepoint takes its
    callback with it, and the next write registers another."""

    def registered():
        return [
            callback.tables
            for _, callback, _ in connection.run_on_commit
            if isinstance(callback, kept_pages.AdvanceOnCommit)
        ]

    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            factories.make_programme(staff=staff)
            assert len(registered()) == 1
            raise RuntimeError("rolled back")
        assert registered() == []
        factories.make_user(email="after@example.org")
        factories.make_user(email="again@example.org")
        # The account and its address, each once; nothing of the programme rolled back.
        assert registered() == [{"accounts_user", "account_emailaddress"}]


def _kept_url_names(patterns=None, namespace="") -> set[str]:
    from django.urls import get_resolver

    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _kept_url_names(pattern.url_patterns, inner)
        elif getattr(pattern.callback, "kept_page", False):
            names.add(namespace + pattern.name)
    return names


def test_every_kept_view_is_answered_kept_the_third_time(client, staff, scheduled, focal_point):
    """Each ``@kept_page`` view, for someone who may see it: the first request learns what
    it reads, the second keeps it, the third is answered from it (3-4 queries: the
    session, the account, the memberships). A page that silently stops being kept (a
    query whose tables cannot be named, a write on GET) fails here."""
    invite(staff, scheduled, focal_point)
    offering = factories.make_offering(staff=staff)
    youth_participant = factories.make_youth_participant()
    asked = {
        "portal:home": (None, []),
        "portal:dashboard": (focal_point, []),
        "alliance:my_sessions": (focal_point, []),
        "alliance:session": (focal_point, [scheduled.pk]),
        "trainings:catalogue": (focal_point, []),
        "trainings:offering": (focal_point, [offering.pk]),
        "youth:showcase": (youth_participant, []),
        "alliance:staff_organizations": (staff, []),
        "alliance:staff_people": (staff, []),
    }
    assert _kept_url_names() == asked.keys()
    for name, (person, args) in asked.items():
        client.logout()
        if person is not None:
            client.force_login(person)
        url = reverse(name, args=args)
        client.get(url)
        drawn, drawing = queries_for(client, url)
        kept, queries = queries_for(client, url)
        assert kept.content == drawn.content, name
        assert queries < drawing and queries <= 4, name


def test_a_staff_page_kept_is_refused_once_the_staff_role_is_gone(client, staff):
    """Authority is decided again as soon as the rows it rests on change: the staff role
    comes from the secretariat membership, whose table the kept page read."""
    from alliance.models import Membership

    client.force_login(staff)
    url = reverse("alliance:staff_people")
    for _ in range(3):
        assert client.get(url).status_code == 200
    Membership.objects.filter(user=staff).delete()
    assert client.get(url).status_code in (403, 404)
