"""Plumbing shared by the benchmarks: logging, local ports, the guards that keep a
benchmark on 127.0.0.1 and on databases made for it (they are flushed), Django set up for
a benchmark process, signed-in sessions, gunicorn started as production runs it, locust
run headless against it, and the results printed and written."""

import contextlib
import csv
import json
import os
import platform
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_database(database_url: str) -> None:
    """Refuse anything but a local PostgreSQL database whose name says it is for benchmarks."""
    import environ

    db = environ.Env.db_url_config(database_url)
    if not db["ENGINE"].endswith("postgresql"):
        sys.exit("DATABASE_URL must point to PostgreSQL.")
    if (db.get("HOST") or "") not in LOCAL_HOSTS:
        sys.exit("DATABASE_URL must be on 127.0.0.1.")
    if "bench" not in db["NAME"]:
        sys.exit("Refusing to flush a database whose name does not contain 'bench'.")


def check_targets(database_url: str, redis_url: str) -> None:
    """``check_database``, and a dedicated Redis database on 127.0.0.1."""
    check_database(database_url)
    redis = urlsplit(redis_url)
    if redis.hostname not in LOCAL_HOSTS:
        sys.exit("REDIS_URL must be on 127.0.0.1.")
    if redis.path.strip("/") in ("", "0"):
        sys.exit("Use a dedicated Redis database for the benchmark (e.g. /14), not db 0.")


def targets(
    default_database_url: str, default_redis_url: str, *, redis: bool = True
) -> tuple[str, str]:
    """``DATABASE_URL`` and ``REDIS_URL`` from the environment, else the defaults, checked
    (``check_targets``; ``check_database`` only, when the run needs no ``redis``)."""
    database_url = os.environ.get("DATABASE_URL", default_database_url)
    redis_url = os.environ.get("REDIS_URL", default_redis_url)
    if redis:
        check_targets(database_url, redis_url)
    else:
        check_database(database_url)
    return database_url, redis_url


def create_database(database_url: str) -> None:
    import environ
    import psycopg
    from psycopg import sql

    db = environ.Env.db_url_config(database_url)
    with psycopg.connect(
        host=db["HOST"],
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            log(f"created database {db['NAME']}")


def across_tenants() -> None:
    """Benchmarks build and read data for every tenant, as a management command does: switch
    the tenant safety net (alliance/tenancy.py) off for the rest of this process's main
    thread. Pages served by gunicorn still get their scope from the middleware."""
    from django_scopes.state import state

    state.set({"_enabled": False})


def django_env(
    database_url: str, settings: str = "gdpa.settings.local", **extra: str
) -> dict[str, str]:
    """The environment a benchmark runs Django in: the ``settings`` module, DEBUG off (as
    production), the database at ``database_url``, warnings only in the logs, and ``extra``
    (a broker, a mail server, ...)."""
    return {
        "DJANGO_SETTINGS_MODULE": settings,
        "DEBUG": "False",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def setup_django(
    database_url: str | None = None, settings: str = "gdpa.settings.local", **extra: str
) -> dict[str, str]:
    """Set Django up in this benchmark process, for every tenant (``across_tenants``), and
    return the environment for the processes it starts.

    With ``database_url``, ``django_env(database_url, settings, **extra)`` goes into
    ``os.environ`` first, where the workers, servers and children started afterwards find
    it. Without, the environment is taken as it is: a benchmark's child process inherits
    its parent's."""
    if database_url is not None:
        os.environ.update(django_env(database_url, settings, **extra))
    import django

    django.setup()
    across_tenants()
    return dict(os.environ)


def signed_in_session(user) -> str:
    """A session of ``user`` as a sign-in with the second factor leaves it (as
    ``tests/conftest.py`` records it); returns the session key."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return session.session_key


def start_gunicorn(
    port: int,
    log_dir,
    *,
    workers: int = 4,
    app: str = "bench.warm_wsgi",
    log_name: str = "gunicorn.log",
    extra_args: tuple[str, ...] = (),
    wait_seconds: float = 240,
):
    """gunicorn (sync workers) on 127.0.0.1:``port`` in its own process group (``stop``
    ends it with its workers), run as production runs it: the app loaded once before the
    workers fork (``--preload``; ``bench.warm_wsgi`` also imports every view) and database
    connections kept between requests (``CONN_MAX_AGE=60``, the production settings'
    default; Django's default of 0 opened a PostgreSQL backend per request). Waits up to
    ``wait_seconds`` for ``/health/``: a shared machine can be slow to boot workers."""
    root = Path(__file__).resolve().parent.parent
    out = open(Path(log_dir) / log_name, "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(  # noqa: S603 - our own venv executable
        [
            str(Path(sys.executable).parent / "gunicorn"),
            app,
            "--preload",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            # The first request of a worker may be slow on a busy machine; not measured.
            "--timeout",
            "180",
            *extra_args,
        ],
        cwd=root,
        stdout=out,
        stderr=subprocess.STDOUT,
        env={**os.environ, "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60")},
        start_new_session=True,
    )
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if _answers(port):
            return process
        time.sleep(0.5)
    stop(process)
    raise RuntimeError(f"gunicorn did not answer in {wait_seconds:.0f} s; see {log_name}")


def _answers(port: int) -> bool:
    """Whether a server on 127.0.0.1:``port`` answers ``/health/`` with 200 (False while
    nothing listens there yet)."""
    import http.client

    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/health/")
        return conn.getresponse().status == 200
    except OSError:
        return False


def stop(process) -> None:
    """Stop gunicorn and its workers (its process group)."""
    import signal

    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# locust -----------------------------------------------------------------------------------


def run_locust(
    locustfile: Path, port: int, users: int, seconds: int, out: Path, *, env: dict, timeout: float
) -> None:
    """locust headless with ``locustfile``: ``users`` users, all started at once, for
    ``seconds`` against 127.0.0.1:``port``; its figures go to ``out``_stats.csv."""
    subprocess.run(  # noqa: S603 - our own venv executable
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(locustfile),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(out),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        check=False,
        timeout=timeout,
    )


def _number(value: str) -> float:
    """A locust percentile; "N/A" (no request of that name finished) as 0."""
    return float(value) if value != "N/A" else 0.0


def read_locust_stats(prefix: Path) -> dict:
    """Requests, failures, p50/p95/p99 and requests per second by name, from the CSV of
    ``run_locust``; a name requested other than by GET carries its method."""
    figures = {}
    with open(f"{prefix}_stats.csv") as f:
        for row in csv.DictReader(f):
            name = row["Name"] if row["Type"] in ("", "GET") else f"{row['Name']} ({row['Type']})"
            figures[name] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "p99_ms": _number(row["99%"]),
                "rps": round(float(row["Requests/s"]), 1),
            }
    return figures


# Results ----------------------------------------------------------------------------------


def machine(*, with_platform: bool = True) -> dict:
    """The cores, Python and (``with_platform``) operating system a run is measured on."""
    facts = {"cpus": os.cpu_count(), "python": platform.python_version()}
    if with_platform:
        facts["platform"] = platform.platform()
    return facts


def results_head(**fields) -> dict:
    """The start of a benchmark's results: the date, the ``machine()``, then ``fields``
    (which may give their own ``machine``)."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **fields,
    }


def write_results(results: dict, problems: list[str], json_path: Path | None, **verdict) -> None:
    """``results`` with their ``problems`` and ``verdict`` (``exactly_once=...``, say):
    printed as JSON, written to ``json_path`` too when given; each problem logged."""
    results["problems"] = problems
    results.update(verdict)
    print(json.dumps(results, indent=2))
    if json_path:
        json_path.write_text(json.dumps(results, indent=2) + "\n")
    for line in problems:
        log(f"PROBLEM: {line}")
