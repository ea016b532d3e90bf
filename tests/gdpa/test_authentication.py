"""Authentication hardening (issue 12): e-mail verification, rate limits behind the proxy
count, account lockout, reauthentication, password rules, sessions and disabled accounts.

Rate limits count in Django's cache. The test settings use LocMem, which is shared within
the one test process, so the counts behave as Redis does in production across workers;
``test_production_counts_rate_limits_in_redis`` checks production uses Redis.
"""

import datetime
import hashlib
import os
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit as allauth_ratelimit
from allauth.usersessions.models import UserSession
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from gdpa.accounts.checks import rate_limit_cache
from gdpa.accounts.devices import describe_user_agent
from gdpa.accounts.models import User
from gdpa.accounts.passwords import SAMPLE_FILE, sha1_in_sorted_file
from gdpa.accounts.services import account_disable
from gdpa.audit.models import AuditEntry
from gdpa.http.client_ip import client_ip
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
LOGIN_PAUSED = "Too many failed sign-in attempts"


def sign_in(client: Client, email: str, password: str = factories.PASSWORD, **headers):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, headers=headers
    )


def signed_in_user(client: Client):
    return client.get(reverse("portal:dashboard")).wsgi_request.user


def fail_sign_ins(client: Client, email: str, times: int, **headers) -> None:
    for _ in range(times):
        response = sign_in(client, email, "wrong-password-123", **headers)
        assert response.status_code == 200
        assert not response.wsgi_request.user.is_authenticated


@pytest.fixture
def later(monkeypatch):
    """The rate limits' clock, frozen when the test starts and moved forward by some seconds
    (no sleeping in tests; a slow machine does not eat into the windows)."""
    start = time.time()

    def _later(seconds: float) -> None:
        fake = types.SimpleNamespace(
            time=lambda: start + seconds, monotonic=time.monotonic, sleep=time.sleep
        )
        monkeypatch.setattr(allauth_ratelimit, "time", fake)

    _later(0)
    return _later


# Mandatory e-mail verification ---------------------------------------------------------


def test_sign_up_does_not_sign_in_before_the_address_is_confirmed(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "full_name": "Sione Vaka",
                "email": "sione@example.org",
                "password1": "four unrelated words here",
                "password2": "four unrelated words here",
                "time_zone": "Pacific/Fiji",
            },
        )
    assert response.url == reverse("account_email_verification_sent")
    assert not signed_in_user(client).is_authenticated
    assert "Confirm" in mail.outbox[-1].subject
    assert not EmailAddress.objects.get(email="sione@example.org").verified


def test_an_unconfirmed_account_cannot_sign_in(client, django_capture_on_commit_callbacks):
    user = factories.make_user()
    EmailAddress.objects.filter(user=user).update(verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(client, user.email)
    assert response.url == reverse("account_email_verification_sent")
    assert not signed_in_user(client).is_authenticated
    assert mail.outbox[-1].to == [user.email]  # a new confirmation link


def test_a_new_address_counts_only_once_confirmed(client):
    user = factories.make_user(email="old@example.org")
    EmailAddress.objects.create(user=user, email="new@example.org", verified=False)
    # Not a way in, and not the main address, until its confirmation link is followed.
    sign_in(client, "new@example.org")
    assert not signed_in_user(client).is_authenticated
    client.force_login(user)
    _reauthenticated_now(client, user)
    client.post(reverse("account_email"), {"action_primary": "", "email": "new@example.org"})
    user.refresh_from_db()
    assert user.email == "old@example.org"
    assert EmailAddress.objects.get(email="old@example.org").primary


# Client IP behind the proxies -----------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),  # no proxy trusted: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),  # the client's own entry ignored
        (2, "198.51.100.66, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "192.0.2.1"),  # fewer hops than proxies: the direct peer
        (1, "not-an-address", "192.0.2.1"),
        (1, "[2001:db8::5]:4431", "2001:db8::5"),
    ],
)
def test_client_ip_is_the_hop_the_outermost_trusted_proxy_wrote(count, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_ip(request) == expected


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_a_forged_forwarded_for_does_not_escape_the_lockout(client):
    user = factories.make_user()
    for n in range(5):  # every attempt claims another address
        sign_in(client, user.email, "wrong-password-123", x_forwarded_for=f"203.0.113.{n}")
    response = sign_in(client, user.email, x_forwarded_for="198.51.100.7")
    assert LOGIN_PAUSED in response.content.decode()
    assert not signed_in_user(client).is_authenticated


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_each_client_is_counted_apart(client):
    user = factories.make_user()
    fail_sign_ins(client, user.email, 5, x_forwarded_for="203.0.113.9")
    refused = sign_in(client, user.email, x_forwarded_for="203.0.113.9")
    assert LOGIN_PAUSED in refused.content.decode()
    # The minister's office, elsewhere, still signs in with the right password.
    office = Client()
    response = sign_in(office, user.email, x_forwarded_for="198.51.100.20")
    assert response.status_code == 302
    assert signed_in_user(office) == user


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_one_ip_failing_for_many_addresses_is_stopped():
    client = Client()
    emails = [factories.make_user().email for _ in range(11)]
    for email in emails[:10]:
        fail_sign_ins(client, email, 1, x_forwarded_for="203.0.113.9")
    response = sign_in(client, emails[10], x_forwarded_for="203.0.113.9")
    assert LOGIN_PAUSED in response.content.decode()
    assert sign_in(Client(), emails[10], x_forwarded_for="198.51.100.20").status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_sessions_record_the_client_behind_the_proxy(client):
    user = factories.make_user()
    sign_in(client, user.email, x_forwarded_for="198.51.100.66, 203.0.113.9")
    assert UserSession.objects.get(user=user).ip == "203.0.113.9"


# Account lockout ------------------------------------------------------------------------


def test_five_failures_lock_the_address_even_against_the_right_password(client, later):
    user = factories.make_user()
    fail_sign_ins(client, user.email, 5)
    response = sign_in(client, user.email)
    page = response.content.decode()
    assert LOGIN_PAUSED in page
    assert "paused for 5 minutes, even with the right" in page
    assert not signed_in_user(client).is_authenticated
    later(299)
    assert LOGIN_PAUSED in sign_in(client, user.email).content.decode()
    later(301)
    assert sign_in(client, user.email).status_code == 302
    assert signed_in_user(client) == user


def test_four_failures_do_not_lock(client):
    user = factories.make_user()
    fail_sign_ins(client, user.email, 4)
    assert sign_in(client, user.email).status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_failures_from_many_places_reach_the_address_ceiling(
    client, django_capture_on_commit_callbacks
):
    user = factories.make_user()
    owner = Client()  # the owner's browser, which signed in last week
    sign_in(owner, user.email, x_forwarded_for="192.0.2.50")
    owner.post(reverse("account_logout"))
    for n in range(6):  # 6 x 5 = 30 failures, none of the IPs locked out of the others
        fail_sign_ins(Client(), user.email, 5, x_forwarded_for=f"203.0.113.{n}")
    response = sign_in(client, user.email, x_forwarded_for="198.51.100.20")
    assert "too many failed sign-in attempts from several places" in response.content.decode()
    assert not signed_in_user(client).is_authenticated
    # The owner's own browser is not held by the ceiling, wherever it signs in from.
    assert sign_in(owner, user.email, x_forwarded_for="198.51.100.99").status_code == 302
    assert signed_in_user(owner) == user
    # A forged or foreign "known browser" cookie does not help.
    client.cookies["gdpa_known"] = owner.cookies["gdpa_known"].value[:-2] + "xx"
    response = sign_in(client, user.email, x_forwarded_for="198.51.100.20")
    assert "from several places" in response.content.decode()
    # Resetting the password (which needs the mailbox) lifts the lock at once.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_reset_password"),
            {"email": user.email},
            headers={"x-forwarded-for": "198.51.100.20"},
        )
    link = next(line for line in mail.outbox[-1].body.split() if "/password/reset/key/" in line)
    form_url = client.get(link, headers={"x-forwarded-for": "198.51.100.20"}).url
    client.post(
        form_url,
        {"password1": "a brand new passphrase", "password2": "a brand new passphrase"},
        headers={"x-forwarded-for": "198.51.100.20"},
    )
    response = sign_in(
        client, user.email, "a brand new passphrase", x_forwarded_for="198.51.100.20"
    )
    assert response.status_code == 302
    assert signed_in_user(client) == user


# Other rate limits --------------------------------------------------------------------------


def test_sign_ups_from_one_ip_are_limited(client):
    for n in range(20):
        client.post(reverse("account_signup"), {"email": f"new{n}@example.org"})
    response = client.post(reverse("account_signup"), {"email": "new20@example.org"})
    assert response.status_code == 429
    assert "Too many attempts in a short time" in response.content.decode()


def test_password_reset_mails_per_address_are_limited(client, django_capture_on_commit_callbacks):
    user = factories.make_user()
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("account_reset_password"), {"email": user.email})
        assert response.status_code == 302
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 429
    assert len(mail.outbox) == sent == 5


def test_sending_the_confirmation_again_waits_three_minutes(
    client, later, django_capture_on_commit_callbacks
):
    user = factories.make_user()
    address = EmailAddress.objects.create(user=user, email="second@example.org")
    client.force_login(user)
    _reauthenticated_now(client, user)

    def resend():
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("account_email"), {"action_send": "", "email": address.email})
        return [m for m in mail.outbox if m.to == [address.email]]

    assert len(resend()) == 1
    assert len(resend()) == 1
    later(181)
    assert len(resend()) == 2


def test_production_counts_rate_limits_in_redis():
    from tests.test_deployment import REAL_LOOKING

    env = {
        **{k: v for k, v in os.environ.items() if k not in REAL_LOOKING},
        **REAL_LOOKING,
        "TRUSTED_PROXY": "1",
        "DJANGO_SETTINGS_MODULE": "gdpa.settings.production",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.TRUSTED_PROXY_COUNT)"
    )
    result = subprocess.run(  # noqa: S603 (the test's own interpreter and code)
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == ["gdpa.cache.ResilientRedisCache", "1"], result.stderr


def test_deploy_check_warns_about_a_per_process_cache():
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    with override_settings(CACHES=locmem):
        assert [w.id for w in rate_limit_cache(None)] == ["gdpa.W101"]
    with override_settings(CACHES=redis):
        assert rate_limit_cache(None) == []


# Reauthentication -------------------------------------------------------------------------


def _signed_in_long_ago(client: Client, user, seconds: int = 3600) -> None:
    session = client.session
    for record in session[AUTHENTICATION_METHODS_SESSION_KEY]:
        record["at"] -= seconds
    session.save()


def _reauthenticated_now(client: Client, user) -> None:
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY].append(
        {"method": "password", "at": time.time(), "reauthenticated": True}
    )
    session.save()


def test_adding_an_address_asks_for_the_password_again(client):
    user = factories.make_user()
    client.force_login(user)
    _signed_in_long_ago(client, user)
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "added@example.org"}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="added@example.org").exists()
    # The right password lets the change through (allauth replays the suspended request).
    response = client.post(response.url, {"password": factories.PASSWORD}, follow=True)
    assert EmailAddress.objects.filter(email="added@example.org", user=user).exists()


def test_a_reauthentication_older_than_five_minutes_is_asked_again(client):
    user = factories.make_user()
    client.force_login(user)
    _reauthenticated_now(client, user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY][-1]["at"] -= 301
    session.save()
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "added@example.org"}
    )
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="added@example.org").exists()


def test_turning_on_two_factor_asks_for_the_password_again(client):
    user = factories.make_user()
    client.force_login(user)
    _signed_in_long_ago(client, user)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    _reauthenticated_now(client, user)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_turning_off_two_factor_asks_for_the_password_again(client, staff):
    from allauth.mfa.models import Authenticator

    client.force_login(staff)
    _signed_in_long_ago(client, staff)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    recovery = client.get(reverse("mfa_view_recovery_codes"))
    assert recovery.url.startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()


def test_changing_the_password_needs_the_current_one(client):
    user = factories.make_user()
    client.force_login(user)
    _signed_in_long_ago(client, user)
    new = "a brand new passphrase"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-my-password", "password1": new, "password2": new},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(factories.PASSWORD)
    client.post(
        reverse("account_change_password"),
        {"oldpassword": factories.PASSWORD, "password1": new, "password2": new},
    )
    user.refresh_from_db()
    assert user.check_password(new)


# Passwords ----------------------------------------------------------------------------------


def _sha1(text: str):
    return hashlib.sha1(text.encode(), usedforsecurity=False)  # the breached lists' format


@pytest.mark.parametrize("length", [12, 64, 128, 256])
def test_long_passwords_work_for_sign_up_and_sign_in(
    client, length, django_capture_on_commit_callbacks
):
    password = ("horse battery staple correct " * 10)[:length]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "full_name": "Long Password",
                "email": "long@example.org",
                "password1": password,
                "password2": password,
                "time_zone": "UTC",
            },
        )
    user = User.objects.get(email="long@example.org")
    EmailAddress.objects.filter(user=user).update(verified=True)
    assert sign_in(client, user.email, password).status_code == 302
    assert signed_in_user(client) == user


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short phras", "too short"),  # 12 characters needed
        ("x" * 257, "too long"),
        ("1234567890123", "too common"),
        ("startfinding", "too common"),
        ("qwertyuiop123", "data breach"),  # in the bundled breached sample
        ("Welcome2024!", "data breach"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, message):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert message in " ".join(refused.value.messages)


def test_a_breached_password_is_refused_at_sign_up(client):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Breached",
            "email": "breached@example.org",
            "password1": "Welcome2024!",
            "password2": "Welcome2024!",
            "time_zone": "UTC",
        },
    )
    assert "appeared in a data breach" in response.content.decode()
    assert not User.objects.filter(email="breached@example.org").exists()


def test_the_configured_breached_list_is_used(tmp_path):
    phrase = "only in the operator's list"
    hashes = sorted(
        [_sha1(phrase).hexdigest().upper()]
        + [_sha1(str(n)).hexdigest().upper() for n in range(1000)]
    )
    path = tmp_path / "pwned.txt"
    path.write_text("".join(f"{h}:{n + 1}\r\n" for n, h in enumerate(hashes)))
    validate_password(phrase)  # not in the bundled sample
    with override_settings(BREACHED_PASSWORDS_FILE=str(path)):
        with pytest.raises(ValidationError):
            validate_password(phrase)
        validate_password("a different phrase entirely")
    missing = str(tmp_path / "missing.txt")
    with override_settings(BREACHED_PASSWORDS_FILE=missing), pytest.raises(ImproperlyConfigured):
        validate_password("a different phrase entirely")


def test_every_hash_of_a_sorted_file_is_found_and_no_other(tmp_path):
    hashes = sorted(_sha1(str(n)).hexdigest().upper() for n in range(500))
    path = tmp_path / "plain.txt"
    path.write_text("\n".join(hashes[::2]) + "\n")  # without counts, as some mirrors ship it
    for n, digest in enumerate(hashes):
        assert sha1_in_sorted_file(path, digest.lower()) == (n % 2 == 0)
    sample = [line.split(":")[0] for line in SAMPLE_FILE.read_text().split()]
    assert sample == sorted(sample)
    assert all(sha1_in_sorted_file(SAMPLE_FILE, digest) for digest in sample)


# Sessions -----------------------------------------------------------------------------------

#: The portal's database store and Django's cached one: an ended session must be gone
#: from a cache too, or it would still sign the browser in.
SESSION_ENGINES = pytest.mark.parametrize(
    "session_engine",
    ["gdpa.accounts.session_store", "django.contrib.sessions.backends.cached_db"],
)


@SESSION_ENGINES
def test_people_see_their_sessions_and_end_the_others(settings, session_engine):
    settings.SESSION_ENGINE = session_engine
    user = factories.make_user()
    other = factories.make_user()
    laptop, phone, elsewhere = Client(), Client(), Client()
    sign_in(laptop, user.email, user_agent=FIREFOX)
    sign_in(phone, user.email, user_agent=SAFARI)
    sign_in(elsewhere, other.email, user_agent=FIREFOX)

    page = laptop.get(reverse("usersessions_list"), HTTP_USER_AGENT=FIREFOX)
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 signed-in sessions" in html
    assert "Firefox on Windows" in html and "Safari on iPhone" in html
    assert "This browser" in html
    assert "127.0.0.1" in html
    assert "Last seen" in html

    response = laptop.post(reverse("usersessions_list"), HTTP_USER_AGENT=FIREFOX, follow=True)
    assert "signed out of all your other sessions" in response.content.decode()
    assert not signed_in_user(phone).is_authenticated
    assert signed_in_user(laptop) == user
    assert signed_in_user(elsewhere) == other  # someone else's sessions are untouched
    remaining = UserSession.objects.filter(user=user).values_list("session_key", flat=True)
    assert list(remaining) == [laptop.session.session_key]


def test_a_session_past_its_expiry_no_longer_signs_in(client):
    """The session row is read with the server's clock (gdpa/accounts/session_store.py):
    past its expiry date it is not read, whatever is still in the row."""
    user = factories.make_user()
    sign_in(client, user.email)
    row = Session.objects.filter(session_key=client.session.session_key)
    row.update(expire_date=timezone.now() + datetime.timedelta(seconds=30))
    assert client.get(reverse("account_email")).status_code == 200
    row.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("account_email"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_last_seen_is_kept_at_most_every_five_minutes(client):
    from django.core.cache import cache

    from gdpa.accounts.middleware import activity_cache_key

    user = factories.make_user()
    sign_in(client, user.email, user_agent=FIREFOX)
    row = UserSession.objects.get(user=user)
    client.get(reverse("portal:dashboard"), HTTP_USER_AGENT=SAFARI)
    assert UserSession.objects.get(pk=row.pk).user_agent == FIREFOX  # within the interval
    cache.delete(activity_cache_key(client.session.session_key))  # five minutes later
    client.get(reverse("portal:dashboard"), HTTP_USER_AGENT=SAFARI)
    seen = UserSession.objects.get(pk=row.pk)
    assert seen.user_agent == SAFARI
    assert seen.last_seen_at > row.last_seen_at


def test_device_names_are_readable():
    assert describe_user_agent(FIREFOX) == "Firefox on Windows"
    assert describe_user_agent(SAFARI) == "Safari on iPhone"
    edge = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0"
    assert describe_user_agent(edge) == "Edge on Windows"
    assert describe_user_agent("curl/8.5") == "Unknown browser"


@SESSION_ENGINES
def test_disabling_an_account_ends_all_its_sessions(staff, settings, session_engine):
    settings.SESSION_ENGINE = session_engine
    user = factories.make_user()
    laptop, phone = Client(), Client()
    sign_in(laptop, user.email)
    sign_in(phone, user.email)
    assert UserSession.objects.filter(user=user).count() == 2

    ended = account_disable(actor=staff, user=user, reason="Left the ministry")

    assert ended == 2
    assert not signed_in_user(laptop).is_authenticated
    assert not signed_in_user(phone).is_authenticated
    assert not UserSession.objects.filter(user=user).exists()
    user.refresh_from_db()
    assert not user.is_active
    entry = AuditEntry.objects.get(action="account.disable")
    assert entry.actor == staff
    assert entry.after == {"is_active": False, "reason": "Left the ministry", "sessions_ended": 2}
    # A disabled account cannot sign in again.
    sign_in(laptop, user.email)
    assert not signed_in_user(laptop).is_authenticated


@pytest.fixture
def admin_client(staff):
    User.objects.filter(pk=staff.pk).update(is_staff=True, is_superuser=True)
    staff.refresh_from_db()
    client = Client()
    client.force_login(staff)
    return client


def test_the_admin_action_disables_and_ends_sessions(admin_client, staff):
    user = factories.make_user()
    browser = Client()
    sign_in(browser, user.email)
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "disable_accounts", "_selected_action": [user.pk]},
        follow=True,
    )
    assert "1 account disabled" in response.content.decode()
    assert not signed_in_user(browser).is_authenticated
    assert AuditEntry.objects.filter(action="account.disable", actor=staff).count() == 1


def test_unticking_active_in_the_admin_ends_sessions(admin_client):
    user = factories.make_user()
    browser = Client()
    sign_in(browser, user.email)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"is_active", "groups", "user_permissions"}
    }
    data.update({"last_login_0": "", "date_joined_0": "", "country_of_residence": ""})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert not user.is_active
    assert not signed_in_user(browser).is_authenticated
