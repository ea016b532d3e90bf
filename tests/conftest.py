import contextlib
import datetime
import os
import shutil
import time
from contextlib import contextmanager

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.mfa.utils import is_mfa_enabled
from django.core.cache import cache
from django.core.signals import setting_changed
from django.test import Client, override_settings
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from alliance import services as alliance_services
from alliance.models import AllianceSession, Membership, Organization
from gdpa.accounts.middleware import activity_cache_key
from gdpa.cache import UNREACHABLE
from gdpa.http import kept_pages
from gdpa.http.kept_pages import AdvanceOnCommit
from tests import factories, zeal_scope

zeal_scope.count_each_row_alone()
zeal_scope.count_each_task_alone()

REQUIRE_SERVICES = os.environ.get("GDPA_REQUIRE_SERVICES") == "1"
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    """Browser tests need Chromium; in CI (GDPA_REQUIRE_SERVICES=1) they must run."""
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM) or REQUIRE_SERVICES:
        return
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _every_tenant():
    """Test code (factories, module-wide worlds, assertions on ``Membership.objects``)
    reads every tenant; requests through the test client still run in the asker's scope
    (the middleware enters its own), so views meet the tenant safety net in the whole
    suite. tests/alliance/test_tenant_scopes.py runs code as a worker would, unscoped."""
    with scopes_disabled():
        yield


def _drawn(assert_queries):
    """pytest-django's query assertion with kept pages switched off inside: a test that
    pins a page's queries pins what drawing it costs (gdpa/http/kept_pages.py), not the
    few queries of answering it again; tests/gdpa/test_kept_pages.py pins those."""

    @contextmanager
    def measure(*args, **kwargs):
        with override_settings(KEPT_PAGE_SECONDS=0), assert_queries(*args, **kwargs) as captured:
            yield captured

    return measure


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries):
    return _drawn(django_assert_num_queries)


@pytest.fixture
def django_assert_max_num_queries(django_assert_max_num_queries):
    return _drawn(django_assert_max_num_queries)


def _settings_changed(*, setting, **kwargs) -> None:
    # A test changing a setting may change what pages show: forget every kept page. (A
    # changed CACHES brings its own cache and counters; one that does not answer keeps
    # nothing.)
    if setting != "CACHES":
        with contextlib.suppress(*UNREACHABLE):
            kept_pages.advance([kept_pages.EVERYTHING])


setting_changed.connect(_settings_changed, dispatch_uid="tests.kept_pages.settings")


@pytest.fixture
def django_capture_on_commit_callbacks(django_capture_on_commit_callbacks):
    """pytest-django's, leaving out the kept pages' counters that every write advances on
    commit (gdpa/http/kept_pages.py): tests count the work a transaction enqueues. With
    ``execute=True`` those run too."""

    @contextmanager
    def capture(**kwargs):
        shown = []
        with django_capture_on_commit_callbacks(**kwargs) as callbacks:
            yield shown
        shown.extend(c for c in callbacks if not isinstance(c, AdvanceOnCommit))

    return capture


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate limits and kept pages live in the cache (what kept views read, in the
    process), the language in the thread: each test starts afresh."""
    cache.clear()
    kept_pages.forget_learnt()
    translation.activate("en")
    yield
    translation.deactivate()
    cache.clear()


def record_sign_in(client: Client, user, *, second_factor: bool) -> None:
    """Write what allauth records in the session when a person signs in."""
    session = client.session
    records = [{"method": "password", "at": time.time(), "email": user.email}]
    if second_factor:
        records.append({"method": "mfa", "at": time.time(), "type": "totp"})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    # As at a real sign-in, the session's activity counts as just recorded (no extra
    # queries on the first page; tests/gdpa/test_authentication.py signs in for real).
    cache.set(activity_cache_key(session.session_key), 1, 300)


_force_login = Client.force_login


@pytest.fixture(autouse=True)
def _sign_in_like_allauth(monkeypatch):
    """``client.force_login`` signs in as allauth would: people with two-factor
    authentication pass their second factor too. ``password_only_login`` does not."""

    def force_login(self, user, backend=None):
        _force_login(self, user, backend)
        record_sign_in(self, user, second_factor=is_mfa_enabled(user))

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def password_only_login(client):
    """Sign in with the password alone (the second factor not passed in this session)."""

    def _login(user):
        _force_login(client, user)
        record_sign_in(client, user, second_factor=False)
        return client

    return _login


@pytest.fixture
def staff(db):
    return factories.make_staff()


@pytest.fixture
def staff_without_mfa(db):
    return factories.make_staff(with_mfa=False)


@pytest.fixture
def diaspora_org(db, staff):
    leader = factories.make_user(full_name="Diaspora Leader")
    return factories.make_organization(
        admin=leader, name="Fiji Diaspora Network", verified_by=staff
    )


@pytest.fixture
def leader(diaspora_org):
    return Membership.objects.get(organization=diaspora_org, role=Membership.Role.ADMIN).user


@pytest.fixture
def member(staff, diaspora_org):
    return factories.add_member(staff=staff, organization=diaspora_org)


@pytest.fixture
def government(staff):
    return factories.make_government(staff=staff, country="FJ")


@pytest.fixture
def focal_point(staff, government):
    return factories.add_member(
        staff=staff, organization=government, role=Membership.Role.FOCAL_POINT
    )


@pytest.fixture
def other_org(db, staff):
    """Another tenant, with its own admin."""
    admin = factories.make_user(full_name="Other Admin")
    return factories.make_organization(
        admin=admin, name="Peruvian Network Spain", country="ES", verified_by=staff
    )


@pytest.fixture
def outsider(other_org):
    return Membership.objects.get(organization=other_org).user


@pytest.fixture
def partner(db, staff):
    admin = factories.make_user(full_name="Partner Person")
    factories.make_organization(
        admin=admin, kind=Organization.Kind.ACADEMIA, name="Diaspora Institute", verified_by=staff
    )
    return admin


@pytest.fixture
def signed_in(client):
    """Sign a user in and return the client (no two-factor step)."""

    def _sign_in(user):
        client.force_login(user)
        return client

    return _sign_in


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def make_session(staff):
    def _make(**overrides):
        start = timezone.now() + datetime.timedelta(days=10)
        fields = {
            "title": "Health and Well-being working group",
            "kind": AllianceSession.Kind.WORKING_GROUP,
            "time_zone": "Pacific/Fiji",
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=2),
            "format": AllianceSession.Format.HYBRID,
            "join_url": "https://meet.example.org/gdpa-health",
            "venue": "IOM Suva office",
            "status": AllianceSession.Status.SCHEDULED,
            "agenda": [{"title": "Opening", "speaker": "IOM", "duration_minutes": 10}],
        }
        fields.update(overrides)
        return alliance_services.session_create(actor=staff, **fields)

    return _make


@pytest.fixture
def scheduled(make_session):
    return make_session()
