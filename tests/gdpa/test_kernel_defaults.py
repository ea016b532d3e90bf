"""Defaults that must fail closed: entry points, the secret key, the proxy header, demo data."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from gdpa.accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 20 + "A1!b2@C3#d4$E5%f6^G7&h8*I9(j0)KlMnOpQrStUv"
PRODUCTION_ENV = {
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "gdpa.example.org",
    "DATABASE_URL": "postgres://gdpa:secret@db.example.org:5432/gdpa",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "EMAIL_URL": "smtp+tls://user:pass@smtp.example.org:587",
    "MFA_ENCRYPTION_KEY": "x6TUaLqAS1gq1d7c4mU6yGm1c8g0TnPp2oMXyQ3tVyw=",
}


def run_python(code: str, **env_overrides) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with only the given Django variables set (the
    browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is the suite's, never a deployment's)."""
    test_only = {"DJANGO_SETTINGS_MODULE", "TRUSTED_PROXY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in test_only}
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    return subprocess.run(  # noqa: S603 - the test's own code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


# 14. Servers and workers default to production; only manage.py defaults to local. ----------


@pytest.mark.parametrize("module", ["gdpa.wsgi", "gdpa.asgi", "gdpa.celery"])
def test_server_and_worker_entry_points_default_to_production_settings(module):
    code = (
        "import os, sys\n"
        f"try:\n    import {module}\nexcept Exception as error:\n"
        "    print(type(error).__name__, error, file=sys.stderr)\n"
        "print(os.environ['DJANGO_SETTINGS_MODULE'])\n"
    )
    result = run_python(code, **PRODUCTION_ENV)
    assert result.stdout.strip() == "gdpa.settings.production", result.stderr


@pytest.mark.parametrize("module", ["gdpa.wsgi", "gdpa.asgi"])
def test_a_server_without_a_secret_key_refuses_to_start(module):
    env = {**PRODUCTION_ENV, "SECRET_KEY": None}
    result = run_python(f"import {module}", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_manage_py_still_defaults_to_local_settings():
    text = (ROOT / "manage.py").read_text()
    assert 'setdefault("DJANGO_SETTINGS_MODULE", "gdpa.settings.local")' in text


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (None, "missing"),
        ("", "empty"),
        ("short-but-random-8Hq2", "short"),
        ("dev-only-insecure-key-change-me", "the development key"),
        ("a" * 60, "one repeated character"),
    ],
)
def test_production_settings_refuse_a_weak_secret_key(key, reason):
    result = run_python("import gdpa.settings.production", **{**PRODUCTION_ENV, "SECRET_KEY": key})
    assert result.returncode != 0, f"a {reason} SECRET_KEY was accepted"
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_settings_accept_a_real_secret_key():
    result = run_python(
        "import gdpa.settings.production as s;"
        "print(s.DEBUG, len(s.SECRET_KEY), s.LANGUAGE_COOKIE_SECURE)",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", str(len(STRONG_KEY)), "True"]


def test_the_image_runs_production_settings_unless_told_otherwise():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^ENV DJANGO_SETTINGS_MODULE=gdpa\.settings\.production\b", dockerfile, re.M)
    # Build steps that need a settings module name one explicitly.
    for line in dockerfile.splitlines():
        if "manage.py" in line:
            assert "DJANGO_SETTINGS_MODULE=" in line, line


def test_make_starts_local_workers_with_local_settings():
    makefile = (ROOT / "Makefile").read_text()
    for line in makefile.splitlines():
        if re.search(r"\b(celery|gunicorn)\b", line) and not line.lstrip().startswith("#"):
            assert "DJANGO_SETTINGS_MODULE=gdpa.settings.local" in line, line


# 16. The forwarded-protocol header is trusted only behind a configured proxy. --------------


@pytest.mark.parametrize(
    ("trusted_proxy", "expected"),
    [(None, "None"), ("0", "None"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https')")],
)
def test_proxy_ssl_header_is_trusted_only_when_a_proxy_is_configured(trusted_proxy, expected):
    result = run_python(
        "import gdpa.settings.production as s; print(repr(s.SECURE_PROXY_SSL_HEADER))",
        **PRODUCTION_ENV,
        TRUSTED_PROXY=trusted_proxy,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    ("header", "secure"), [(None, False), (("HTTP_X_FORWARDED_PROTO", "https"), True)]
)
def test_a_forwarded_https_header_counts_only_when_trusted(rf, header, secure):
    request = rf.get("/", HTTP_X_FORWARDED_PROTO="https")
    with override_settings(SECURE_PROXY_SSL_HEADER=header):
        assert request.is_secure() is secure


# 15. Demo data (a staff login with a known password) only on development instances. --------


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_without_debug():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert not User.objects.exists()


@pytest.mark.django_db
def test_seed_demo_runs_with_debug_or_the_explicit_flag():
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert User.objects.filter(email="staff@gdpa.example.org").exists()
    users = User.objects.count()
    with override_settings(DEBUG=False):
        call_command(
            "seed_demo",
            "--i-know-this-is-not-production",
            stdout=open(os.devnull, "w"),  # noqa: SIM115
        )
    assert User.objects.count() == users
