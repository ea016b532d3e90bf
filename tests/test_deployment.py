"""The docker compose path and production settings agree with each other."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
PRODUCTION = (ROOT / "gdpa" / "settings" / "production.py").read_text()
BASE = (ROOT / "gdpa" / "settings" / "base.py").read_text()
README = (ROOT / "README.md").read_text()

#: Variables production reads without a default: the deployment must provide each one.
REQUIRED = sorted(set(re.findall(r'env(?:\.\w+)?\("([A-Z_]+)"\)', PRODUCTION)))
REAL_LOOKING = {
    "SECRET_KEY": "k" * 20 + "A1!b2@C3#d4$E5%f6^G7&h8*I9(j0)KlMnOpQrStUv",
    "ALLOWED_HOSTS": "gdpa.example.org",
    "DATABASE_URL": "postgres://gdpa:secret@db.example.org:5432/gdpa",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "EMAIL_URL": "smtp+tls://user:pass@smtp.example.org:587",
    "MFA_ENCRYPTION_KEY": "x6TUaLqAS1gq1d7c4mU6yGm1c8g0TnPp2oMXyQ3tVyw=",
}


def service_env(name: str) -> dict:
    service = COMPOSE["services"][name]
    env = dict(service.get("environment", {}))
    return env


def env_file_keys() -> set[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}


def test_compose_has_every_service_of_the_stack():
    assert set(COMPOSE["services"]) == {
        "postgres",
        "redis",
        "web",
        "worker",
        "worker-heavy",
        "beat",
    }


def test_app_services_get_every_variable_production_requires():
    assert sorted(REAL_LOOKING) == REQUIRED, "update REAL_LOOKING and the README"
    for name in ("web", "worker", "worker-heavy", "beat"):
        provided = set(service_env(name)) | env_file_keys()
        assert set(REQUIRED) <= provided, f"{name} lacks {set(REQUIRED) - provided}"
        assert service_env(name)["DJANGO_SETTINGS_MODULE"] == "gdpa.settings.production"


def test_compose_urls_point_at_the_compose_services():
    env = service_env("web")
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    postgres = COMPOSE["services"]["postgres"]["environment"]
    assert f"{postgres['POSTGRES_USER']}:" in env["DATABASE_URL"]
    assert env["DATABASE_URL"].endswith("/" + postgres["POSTGRES_DB"])


#: Task names of the portal's own apps (Celery's built-in tasks are not routed by us).
PROJECT_TASKS = ("gdpa.", "alliance.", "youth.", "trainings.")


def worker_commands() -> dict[str, list[str]]:
    """Every way this repository starts workers: compose (one worker per queue) and
    ``make worker``."""
    make = re.search(r"^\t.*celery -A gdpa worker.*$", (ROOT / "Makefile").read_text(), re.M)
    assert make, "the Makefile has no worker target"
    compose = [
        service["command"]
        for service in COMPOSE["services"].values()
        if "celery -A gdpa worker" in str(service.get("command", ""))
    ]
    return {"docker-compose workers": compose, "make worker": [make[0]]}


def task_queues(routes) -> dict[str, str]:
    """The queue each registered task of the portal is published to under ``routes``."""
    from celery.app.routes import Router, prepare

    from gdpa.celery import app

    app.loader.import_default_modules()
    router = Router(prepare(routes), app.amqp.Queues({}), create_missing=True, app=app)
    names = sorted(name for name in app.tasks if name.startswith(PROJECT_TASKS))
    assert len(names) >= 3, f"the portal's tasks were not discovered: {names}"
    return {name: router.route({}, name)["queue"].name for name in names}


def unconsumed(routes, *commands: str) -> dict[str, str]:
    """Tasks whose queue none of the workers started by ``commands`` consumes."""
    listed = set()
    for command in commands:
        match = re.search(r"-Q\s+([\w,.-]+)", command)
        assert match, f"the worker command names no queues: {command}"
        listed |= set(match[1].split(","))
    return {task: queue for task, queue in task_queues(routes).items() if queue not in listed}


def test_worker_consumes_every_queue_the_settings_route_to(settings):
    routes = getattr(settings, "CELERY_TASK_ROUTES", None)
    for where, commands in worker_commands().items():
        missing = unconsumed(routes, *commands)
        assert not missing, f"{where} does not consume the queue of {missing}"
    assert "DatabaseScheduler" in COMPOSE["services"]["beat"]["command"]


def test_pdfs_and_e_mails_never_share_a_compose_worker(settings):
    queues = task_queues(settings.CELERY_TASK_ROUTES)
    for task in (
        "alliance.tasks.build_recommendation_report",
        "trainings.tasks.build_certificate_pdf",
        "gdpa.results.tasks.build_donor_report",
        "gdpa.exports.tasks.build_export",
    ):
        assert queues[task] == "heavy", task
    assert queues["gdpa.notify.tasks.send_email"] == "default"
    mail_worker = re.search(r"-Q\s+(\S+)", COMPOSE["services"]["worker"]["command"])
    assert mail_worker[1].split(",") == ["default"]


def test_a_task_routed_to_a_queue_no_worker_consumes_is_caught():
    """The check above can fail: route the alliance tasks to a queue nobody listens to."""
    missing = unconsumed(
        {"alliance.tasks.*": {"queue": "mail"}}, "celery -A gdpa worker -Q default"
    )
    assert missing and set(missing.values()) == {"mail"}
    assert all(task.startswith("alliance.tasks.") for task in missing)
    assert not unconsumed({"alliance.tasks.*": {"queue": "mail"}}, "celery worker -Q default,mail")


def test_every_task_that_builds_a_pdf_runs_on_the_heavy_queue(settings):
    """A long PDF never holds up e-mails and reminders on the default queue."""
    queues = task_queues(settings.CELERY_TASK_ROUTES)
    for task in (
        "alliance.tasks.build_recommendation_report",
        "gdpa.results.tasks.build_donor_report",
        "trainings.tasks.build_certificate_pdf",
    ):
        assert queues[task] == "heavy", task
    assert queues["alliance.tasks.send_session_invitations"] == "default"


def test_every_periodic_task_exists(settings):
    from gdpa.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name} names an unknown task"


def test_web_is_healthy_when_ready_and_workers_wait_for_it():
    """Compose asks /ready/ (database, cache, broker), not just /health/, with a Host
    header Django accepts under the deployment's ALLOWED_HOSTS; the worker and beat start
    after web (which runs the migrations) is healthy."""
    check = " ".join(COMPOSE["services"]["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/ready/" in check and "/health/" not in check
    first_allowed = subprocess.run(
        ["sh", "-c", 'printf %s "${ALLOWED_HOSTS%%,*}"'],  # noqa: S607 - what the check runs
        env={"ALLOWED_HOSTS": "gdpa.example.org,portal.example.org"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert first_allowed == "gdpa.example.org"
    # Compose turns "$$" into "$": the container's shell expands what the line above ran.
    assert '-H "Host: $${ALLOWED_HOSTS%%,*}"' in check
    assert "ping" in " ".join(COMPOSE["services"]["worker"]["healthcheck"]["test"])
    for name in ("worker", "beat"):
        needs = COMPOSE["services"][name]["depends_on"]
        assert {service: need["condition"] for service, need in needs.items()} == {
            "postgres": "service_healthy",
            "redis": "service_healthy",
            "web": "service_healthy",
        }


def test_media_is_on_a_volume():
    assert "media" in COMPOSE["volumes"]
    assert any(v.startswith("media:") for v in COMPOSE["services"]["web"]["volumes"])


def test_web_is_reachable_only_through_the_trusted_proxy():
    """Gunicorn trusts X-Forwarded-Proto (TRUSTED_PROXY=1), so only the host's proxy may reach it."""
    assert COMPOSE["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]
    assert "TRUSTED_PROXY=1" in (ROOT / ".env.example").read_text().splitlines()


@pytest.mark.skipif(
    not shutil.which("docker-compose") and os.environ.get("GDPA_REQUIRE_SERVICES") != "1",
    reason="docker-compose is not installed (CI installs it and runs this)",
)
def test_docker_compose_accepts_the_file(tmp_path):
    """The compose file passes the compose schema (no engine needed)."""
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = subprocess.run(
        ["docker-compose", "config", "-q"],  # noqa: S607
        cwd=tmp_path,
        env={**os.environ, "POSTGRES_PASSWORD": "x"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_readme_documents_every_variable_and_the_compose_command():
    settings_text = BASE + PRODUCTION
    for variable in set(REQUIRED) | set(re.findall(r'env(?:\.\w+)?\("([A-Z_]+)"', settings_text)):
        assert f"`{variable}`" in README, f"README's configuration table lacks {variable}"
    assert "docker compose up" in README


def test_check_deploy_reports_no_issues_with_production_settings():
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in REAL_LOOKING and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
        },
        **REAL_LOOKING,
        "DJANGO_SETTINGS_MODULE": "gdpa.settings.production",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
