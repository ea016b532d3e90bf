"""Plumbing shared by the benchmarks: logging, local ports, and the guards that keep a
benchmark on 127.0.0.1 and on databases made for it (they are flushed)."""

import socket
import sys
import time
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
