"""Headers, cookies, session lifetime, request ids and the security log (docs/security.md)."""

import datetime
import json
import logging
import re
from pathlib import Path

import pytest
from allauth.account import signals as account_signals
from allauth.account.models import EmailAddress
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse

from gdpa.accounts.models import User
from gdpa.http.request_id import RequestIdLogFilter, RequestIdMiddleware
from gdpa.http.security_log import log_event
from tests import factories
from tests.gdpa.test_kernel_defaults import PRODUCTION_ENV, run_python

ROOT = Path(__file__).resolve().parents[2]
#: What a deployment sets (.env.example): production settings with the proxy trusted.
DEPLOYMENT_ENV = {
    **PRODUCTION_ENV,
    "TRUSTED_PROXY": "1",
    "CSRF_TRUSTED_ORIGINS": "https://gdpa.example.org",
    "SITE_URL": "https://gdpa.example.org",
}
#: The defaults of gdpa/settings/base.py (the test settings turn them off).
LIFETIMES = {
    "SESSION_IDLE_TIMEOUT": 30 * 60,
    "SESSION_STAFF_IDLE_TIMEOUT": 15 * 60,
    "SESSION_ABSOLUTE_LIFETIME": 12 * 60 * 60,
}
START = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)


def production_settings(*names: str) -> dict:
    """The values ``gdpa.settings.production`` computes, read in a fresh interpreter."""
    code = (
        "import json, gdpa.settings.production as s\n"
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}))\n"
    )
    result = run_python(code, **DEPLOYMENT_ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


# --- Content-Security-Policy and the other headers -------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/account/login/", "/no-such-page/"])
def test_every_page_carries_a_strict_content_security_policy(client, url):
    policy = directives(client.get(url))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    header = client.get(url).headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


@pytest.mark.django_db
def test_signed_in_pages_and_htmx_regions_carry_the_policy_too(client, member, diaspora_org):
    client.force_login(member)
    page = client.get(reverse("alliance:organization", args=[diaspora_org.pk]))
    region = client.get(
        reverse("alliance:organization", args=[diaspora_org.pk]), headers={"HX-Request": "true"}
    )
    assert directives(page)["script-src"] == ["'self'"]
    assert directives(region)["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_browser_features_the_portal_never_uses_are_switched_off(client):
    header = client.get("/").headers["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in header.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "bluetooth"):
        assert features[feature] == "()", feature


@pytest.mark.django_db
def test_other_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_production_sends_hsts_for_at_least_a_year(client, db):
    values = production_settings(
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"
    )
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    with override_settings(**values):
        response = client.get("/", secure=True)
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


#: Web pages only: e-mail bodies are read in mail clients (inline styles are how e-mail is
#: styled) and the PDF templates are read by WeasyPrint, never by a browser.
_NOT_WEB = re.compile(r"/email/|reports/report\.html$|trainings/certificate\.html$|_pdf\.html$")
#: Template comments say what is not allowed; only the markup counts.
_COMMENTS = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}|<!--.*?-->", re.S)
_FORBIDDEN = {
    "inline script": re.compile(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>"),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "hx-on (htmx eval)": re.compile(r"\shx-on[:-]", re.I),
    "js: value (htmx eval)": re.compile(r"hx-(vals|vars|headers)\s*=\s*[\"']\s*js:", re.I),
}


def _web_templates():
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        if ".venv" in folder.parts:
            continue
        for path in folder.rglob("*.html"):
            if not _NOT_WEB.search(path.as_posix()):
                yield path


def test_no_template_needs_what_the_policy_refuses():
    found = []
    for path in _web_templates():
        text = _COMMENTS.sub("", path.read_text())
        for what, pattern in _FORBIDDEN.items():
            if pattern.search(text):
                found.append(f"{path.relative_to(ROOT)}: {what}")
    assert found == []
    assert len(list(_web_templates())) > 50  # the scan did look at the templates


def test_htmx_is_told_not_to_inject_styles_or_eval():
    base = (ROOT / "templates" / "base.html").read_text()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", base)[1])
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["responseHandling"]  # the error handling configured beside it stays


# --- Cookies and check --deploy --------------------------------------------------------


def test_manage_py_check_deploy_is_clean_with_production_settings():
    result = run_python(
        "import sys\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'DEBUG'])\n",
        DJANGO_SETTINGS_MODULE="gdpa.settings.production",
        **DEPLOYMENT_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


COOKIE_SETTINGS = (
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_AGE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_PATH",
    "CSRF_COOKIE_DOMAIN",
    "LANGUAGE_COOKIE_SECURE",
    "SESSION_ABSOLUTE_LIFETIME",
)


@pytest.mark.django_db
def test_production_cookies_are_host_prefixed_secure_httponly_and_lax(client):
    values = production_settings(*COOKIE_SETTINGS)
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert values["SESSION_COOKIE_AGE"] == values.pop("SESSION_ABSOLUTE_LIFETIME")
    user = factories.make_user()
    with override_settings(**values, SECURE_SSL_REDIRECT=False):
        client.get(reverse("account_login"), secure=True)  # sets the CSRF cookie
        response = client.post(
            reverse("account_login"),
            {"login": user.email, "password": factories.PASSWORD},
            secure=True,
        )
    assert response.status_code == 302
    session = response.cookies[values["SESSION_COOKIE_NAME"]]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax" and session["path"] == "/" and not session["domain"]
    csrf = client.cookies[values["CSRF_COOKIE_NAME"]]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    assert csrf["path"] == "/" and not csrf["domain"]


# --- Session lifetime ------------------------------------------------------------------


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)

    def at(**delta):
        time_machine.move_to(START + datetime.timedelta(**delta), tick=False)

    return at


def _signed_in(response) -> bool:
    return response.wsgi_request.user.is_authenticated


def _notices(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_lifetimes_tested_here_are_the_defaults():
    assert production_settings(*LIFETIMES) == LIFETIMES


@pytest.mark.django_db
@override_settings(**LIFETIMES)
def test_thirty_minutes_without_activity_signs_out_with_a_reason(client, member, clock):
    client.force_login(member)
    clock(minutes=29)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    clock(minutes=59)  # 30 min since the last request: still in
    assert client.get(reverse("portal:dashboard")).status_code == 200
    clock(minutes=90)  # 31 min since the last request
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("account_login") + "?next=%2Fdashboard%2F"
    page = client.get(response.url)
    assert not _signed_in(page)
    assert "signed out after 30 minutes without activity" in page.content.decode()


@pytest.mark.django_db
@override_settings(**LIFETIMES)
def test_twelve_hours_after_sign_in_the_session_ends_however_active(client, member, clock):
    client.force_login(member)
    for quarter in range(1, 49):
        clock(minutes=15 * quarter)
        assert client.get(reverse("portal:dashboard")).status_code == 200, quarter
    clock(hours=12, minutes=1)
    response = client.get(reverse("portal:dashboard"), follow=True)
    assert not _signed_in(response)
    assert "you signed in more than 12 hours ago" in response.content.decode()


@pytest.mark.django_db
@override_settings(**LIFETIMES)
def test_staff_are_signed_out_after_fifteen_minutes_others_are_not(client, staff, member, clock):
    client.force_login(staff)
    clock(minutes=14)
    assert client.get(reverse("alliance:verification_queue")).status_code == 200
    clock(minutes=30)
    response = client.get(reverse("alliance:verification_queue"), follow=True)
    assert not _signed_in(response)
    assert "signed out after 15 minutes without activity" in response.content.decode()

    client.force_login(member)
    clock(minutes=50)
    assert client.get(reverse("portal:dashboard")).status_code == 200


@pytest.mark.django_db
@override_settings(**LIFETIMES)
def test_an_expired_htmx_request_sends_the_whole_page_to_sign_in(client, member, clock):
    client.force_login(member)
    clock(minutes=31)
    response = client.post(
        reverse("accounts:language"),
        {"language": "fr"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/dashboard/?tab=2"},
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == (
        reverse("account_login") + "?next=%2Fdashboard%2F%3Ftab%3D2"
    )
    member.refresh_from_db()
    assert member.preferred_language != "fr"  # the request did nothing
    assert any("without activity" in notice for notice in _notices(response))
    assert not _signed_in(client.get(reverse("portal:dashboard")))


@pytest.mark.django_db
@override_settings(**LIFETIMES)
def test_an_expired_form_post_changes_nothing(client, member, clock):
    client.force_login(member)
    clock(minutes=31)
    response = client.post(reverse("accounts:language"), {"language": "es", "next": "/"})
    assert response.url == reverse("account_login")
    member.refresh_from_db()
    assert member.preferred_language != "es"


@pytest.mark.django_db
def test_after_signing_out_the_old_session_cookie_is_worthless(client, member, settings):
    client.force_login(member)
    old = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("account_logout"))
    client.cookies[settings.SESSION_COOKIE_NAME] = old
    assert not _signed_in(client.get(reverse("portal:dashboard")))


# --- Request ids -----------------------------------------------------------------------


@pytest.mark.django_db
def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("trusted", "incoming", "kept"),
    [
        (False, "abc123def456", False),  # anyone could claim any id
        (True, "abc123def456", True),  # the proxy's id, shared with its access log
        (True, "bad id\nevent=login", False),  # could forge a log line
        (True, "x" * 65, False),
    ],
)
def test_an_incoming_request_id_is_kept_only_from_the_trusted_proxy(
    client, trusted, incoming, kept
):
    with override_settings(TRUSTED_PROXY=trusted):
        response = client.get("/", headers={"X-Request-ID": incoming})
    assert (response.headers["X-Request-ID"] == incoming) is kept


# --- The security log ------------------------------------------------------------------


def security_events(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "gdpa.security"]


def one_event(caplog, event: str) -> logging.LogRecord:
    found = [r for r in security_events(caplog) if r.security_event == event]
    assert len(found) == 1, [r.getMessage() for r in security_events(caplog)]
    return found[0]


@pytest.mark.django_db
def test_a_sign_in_is_logged_with_user_ip_and_request_id(client, caplog):
    user = factories.make_user()
    caplog.set_level(logging.INFO, logger="gdpa.security")
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": factories.PASSWORD}
    )
    record = one_event(caplog, "login")
    assert record.user_id == user.pk
    assert record.client_ip == "127.0.0.1"
    assert record.request_id == response.headers["X-Request-ID"]
    message = record.getMessage()
    assert f"user={user.pk}" in message and f"request_id={record.request_id}" in message
    assert user.email not in message


@pytest.mark.django_db
def test_a_failed_sign_in_names_the_account_not_the_address(client, caplog):
    user = factories.make_user(email="minister.office@gov.example.org")
    caplog.set_level(logging.INFO, logger="gdpa.security")
    client.post(reverse("account_login"), {"login": user.email, "password": "Wrong-guess-123"})
    record = one_event(caplog, "login_failed")
    assert record.levelno == logging.WARNING
    assert record.user_id == user.pk
    assert "minister.office" not in record.getMessage()
    assert "Wrong-guess-123" not in record.getMessage()


@pytest.mark.django_db
def test_a_failed_sign_in_for_no_account_logs_only_the_domain(client, caplog):
    caplog.set_level(logging.INFO, logger="gdpa.security")
    client.post(reverse("account_login"), {"login": "nobody@ministry.example", "password": "x1"})
    record = one_event(caplog, "login_failed")
    assert record.user_id is None
    assert record.security_fields["email_domain"] == "ministry.example"
    assert "nobody" not in record.getMessage()


@pytest.mark.django_db
def test_the_client_ip_follows_the_configured_proxy_count(client, caplog):
    user = factories.make_user()
    caplog.set_level(logging.INFO, logger="gdpa.security")
    spoofed = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    client.post(reverse("account_login"), {"login": user.email, "password": "x"}, headers=spoofed)
    with override_settings(TRUSTED_PROXY_COUNT=1):
        client.post(
            reverse("account_login"), {"login": user.email, "password": "y"}, headers=spoofed
        )
    first, second = [r.client_ip for r in security_events(caplog)]
    assert first == "127.0.0.1"  # no proxy configured: the header is the client's claim
    assert second == "203.0.113.9"  # the address the one trusted proxy saw


@pytest.mark.django_db
def test_sign_out_and_password_change_are_logged(client, caplog):
    user = factories.make_user()
    client.force_login(user)
    caplog.set_level(logging.INFO, logger="gdpa.security")
    new_password = "another long passphrase 42"
    client.post(
        reverse("account_change_password"),
        {"oldpassword": factories.PASSWORD, "password1": new_password, "password2": new_password},
    )
    client.post(reverse("account_logout"))
    assert one_event(caplog, "password_changed").user_id == user.pk
    assert one_event(caplog, "logout").user_id == user.pk
    assert all(new_password not in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
@override_settings(**LIFETIMES)
def test_an_expired_session_is_logged_with_its_reason(client, member, clock, caplog):
    client.force_login(member)
    caplog.set_level(logging.INFO, logger="gdpa.security")
    for quarter in range(1, 50):  # active all day: the absolute lifetime ends it
        clock(minutes=15 * quarter)
        client.get(reverse("portal:dashboard"))
    client.get(reverse("portal:dashboard"))
    assert one_event(caplog, "session_expired").security_fields["reason"] == "absolute"
    assert one_event(caplog, "logout").security_fields["reason"] == "session_absolute"


@pytest.mark.django_db
def test_two_factor_changes_are_logged(rf, caplog):
    user = factories.make_user()
    request = rf.post("/")
    request.user, request.session = user, SessionStore()
    caplog.set_level(logging.INFO, logger="gdpa.security")
    authenticator = Authenticator(user=user, type=Authenticator.Type.TOTP)
    for signal in ("authenticator_added", "authenticator_removed", "authenticator_reset"):
        getattr(mfa_signals, signal).send(
            sender=Authenticator, request=request, user=user, authenticator=authenticator
        )
    for event in ("mfa_added", "mfa_removed", "mfa_reset"):
        record = one_event(caplog, event)
        assert record.user_id == user.pk
        assert record.security_fields["authenticator"] == "totp"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("signal", "event"),
    [
        ("password_reset", "password_reset"),
        ("password_set", "password_set"),
        ("email_added", "email_added"),
        ("email_changed", "email_changed"),
        ("email_removed", "email_removed"),
        ("user_signed_up", "signup"),
    ],
)
def test_credential_changes_from_allauth_are_logged_without_the_address(rf, caplog, signal, event):
    user = factories.make_user(email="focal.point@gov.example.org")
    request = rf.post("/")
    request.user, request.session = user, SessionStore()
    caplog.set_level(logging.INFO, logger="gdpa.security")
    address = EmailAddress(user=user, email=user.email)
    getattr(account_signals, signal).send(
        sender=User,
        request=request,
        user=user,
        email_address=address,
        from_email_address=address,
        to_email_address=address,
    )
    record = one_event(caplog, event)
    assert record.user_id == user.pk
    assert "focal.point" not in record.getMessage()


@pytest.mark.django_db
def test_another_tenants_object_is_a_404_that_is_logged(client, member, other_org, caplog):
    client.force_login(member)
    caplog.set_level(logging.INFO, logger="gdpa.security")
    response = client.get(reverse("alliance:organization", args=[other_org.pk]))
    assert response.status_code == 404
    record = one_event(caplog, "access_refused")
    assert record.user_id == member.pk
    assert record.security_fields["status"] == "404"
    assert record.security_fields["route"] == "alliance/organizations/<int:pk>/"
    assert record.security_fields["object"] == f"pk:{other_org.pk}"


@pytest.mark.django_db
def test_a_staff_page_refused_to_a_member_is_logged(client, member, caplog):
    client.force_login(member)
    caplog.set_level(logging.INFO, logger="gdpa.security")
    assert client.get(reverse("alliance:verification_queue")).status_code == 404
    assert one_event(caplog, "access_refused").user_id == member.pk


@pytest.mark.django_db
def test_permission_denied_is_logged(client, member, diaspora_org, caplog):
    client.force_login(member)
    caplog.set_level(logging.INFO, logger="gdpa.security")
    response = client.post(
        reverse("alliance:invitation_send", args=[diaspora_org.pk]), {"email": "a@example.org"}
    )
    assert response.status_code == 403
    record = one_event(caplog, "access_refused")
    assert record.security_fields["reason"] == "permission_denied"
    assert "a@example.org" not in record.getMessage()


@pytest.mark.django_db
def test_an_unknown_address_is_not_a_security_event(client, member, caplog):
    client.force_login(member)
    caplog.set_level(logging.INFO, logger="gdpa.security")
    caplog.clear()  # the sign-in itself
    assert client.get("/no-such-page/").status_code == 404
    assert security_events(caplog) == []


@pytest.mark.django_db
def test_a_token_in_the_address_is_never_logged(client, member, caplog):
    caplog.set_level(logging.INFO, logger="gdpa.security")
    client.force_login(member)
    token = "s3cr3t-calendar-token-value"
    response = client.get(reverse("alliance:calendar_feed", args=[token]))
    assert response.status_code == 404
    record = one_event(caplog, "access_refused")
    assert token not in record.getMessage()
    assert record.security_fields["route"] == "alliance/calendar/<str:token>.ics"


def test_every_log_line_written_during_a_request_carries_its_id(rf, settings):
    console = settings.LOGGING["handlers"]["console"]
    assert "request_id" in console["filters"]
    assert "%(request_id)s" in settings.LOGGING["formatters"][console["formatter"]]["format"]
    seen = []

    class Remember(logging.Handler):
        def emit(self, record):
            seen.append(record.request_id)

    handler = Remember()
    handler.addFilter(RequestIdLogFilter())
    logger = logging.getLogger("gdpa.test_request_id")
    logger.addHandler(handler)
    try:

        def view(request):
            logger.warning("inside")
            return HttpResponse()

        response = RequestIdMiddleware(view)(rf.get("/"))
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)
    assert seen == [response.headers["X-Request-ID"], "-"]


def test_a_logged_value_cannot_forge_a_log_line(caplog):
    caplog.set_level(logging.INFO, logger="gdpa.security")
    log_event(None, "login_failed", email_domain="evil.example\nevent=login user=1")
    (record,) = security_events(caplog)
    assert "\n" not in record.getMessage()
    assert record.getMessage().count("event=") == 1


def test_permission_modules_refuse_with_access_refused_not_a_bare_404():
    """A bare ``Http404`` in a permissions module answers the same page but escapes the
    security log's record of refused access."""
    import ast
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in Path(settings.BASE_DIR).rglob("permissions.py"):
        if ".venv" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(target, ast.Name) and target.id == "Http404":
                    offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
    assert offenders == []
