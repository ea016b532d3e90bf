"""What runs background work for real: real ``celery -A gdpa worker`` processes (``Worker``,
for every benchmark and test that starts one), an SMTP sink that records every message it
accepts, and, for the fault experiments (bench/faults.py) and their tests
(tests/integration/test_faults.py), a redis-server of the harness's own and the periodic
sweeps run as beat would run them after a fault."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path

from bench.common import create_database, free_port, log, setup_django

ROOT = Path(__file__).resolve().parent.parent
REDIS_SERVER = shutil.which("redis-server")


def wait_until(condition, timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.05)


# Redis -------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of the harness's own on 127.0.0.1 (a free port unless ``port`` is
    given), a child of this process, without persistence: a stop loses every queued task
    message, as a crashed Redis without AOF would."""

    def __init__(self, port: int | None = None, db: int = 0, log: Path | None = None) -> None:
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/{db}"
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        logfile = ("--logfile", str(self.log)) if self.log else ()
        self.process = subprocess.Popen(  # noqa: S603 - the Debian binary, fixed arguments
            [
                *(REDIS_SERVER or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", *logfile),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self.answers, 20, f"redis-server on port {self.port} starting")

    def answers(self) -> bool:
        """Whether our redis-server accepts connections; RuntimeError once it has exited
        (another server holds the port, say)."""
        if self.process.poll() is not None:
            raise RuntimeError(f"redis-server on port {self.port} exited: is the port taken?")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return True
        return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushall()


# SMTP sink ---------------------------------------------------------------------------------


class SinkHandler:
    """Records every delivered message per recipient, with subject, language and time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        #: (unix time, recipient, subject, Content-Language, has text/calendar part)
        self.records: list[tuple[float, str, str, str, bool]] = []
        self.with_ics = 0
        self.without_ics = 0
        self._parser = BytesHeaderParser(policy=default_policy)

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        content = envelope.original_content or envelope.content
        headers = self._parser.parsebytes(content)
        subject = " ".join(str(headers.get("Subject", "")).split())
        language = str(headers.get("Content-Language", ""))
        has_ics = b"text/calendar" in content
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.records.append((now, rcpt.lower(), subject, language, has_ics))
                if has_ics:
                    self.with_ics += 1
                else:
                    self.without_ics += 1
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[tuple[float, str, str, str, bool]]:
        with self.lock:
            return list(self.records)

    def count(self, address: str | None = None) -> int:
        """Messages that arrived for ``address`` (lower case), or for anyone."""
        with self.lock:
            return sum(1 for record in self.records if address in (None, record[1]))

    def count_of(self, email) -> int:
        """How many times the message of this ``OutboundEmail`` row arrived."""
        key = (email.to_email.lower(), " ".join(email.subject.split()))
        with self.lock:
            return sum(1 for record in self.records if (record[1], record[2]) == key)


def start_sink(handler=None):
    """An SMTP server (aiosmtpd) on a free port of 127.0.0.1 in this process, whose
    messages go to ``handler`` (a new ``SinkHandler`` unless given):
    (controller, handler, port)."""
    from aiosmtpd.controller import Controller

    handler = handler if handler is not None else SinkHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler, port


def setup_with_sink(database_url: str, redis_url: str, settings: str, handler=None, **extra):
    """What the e-mail benchmarks run on: an SMTP sink (``start_sink``), the database
    created if missing, and Django set up (``setup_django``) with the broker at
    ``redis_url``, the sink as its mail server and ``extra``. Returns (controller, handler,
    environment for the workers)."""
    controller, handler, port = start_sink(handler)
    log(f"SMTP sink on 127.0.0.1:{port}")
    create_database(database_url)
    env = setup_django(
        database_url,
        settings,
        REDIS_URL=redis_url,
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        **extra,
    )
    return controller, handler, env


# Celery workers ----------------------------------------------------------------------------


class Worker:
    """``celery -A gdpa worker`` on ``queues``, in its own process group so a SIGKILL takes
    the pool's children with it (as an out-of-memory kill or a lost machine). Its log goes
    to ``log_dir/<name>.log``; a worker that does not answer in time says why. Without
    ``heartbeat`` it sends no event heartbeats over the broker."""

    def __init__(
        self,
        name: str,
        env: dict,
        log_dir: Path,
        *,
        queues: str = "default,heavy",
        pool: str = "prefork",
        concurrency: int = 2,
        heartbeat: bool = True,
    ) -> None:
        self.name = f"{name}@{socket.gethostname()}"
        self.log_path = Path(log_dir) / f"{name}.log"
        with self.log_path.open("w") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
                [
                    *(sys.executable, "-m", "celery", "-A", "gdpa", "worker", "-Q", queues),
                    *("--pool", pool, "--concurrency", str(concurrency), "-n", self.name),
                    *(() if heartbeat else ("--without-heartbeat",)),
                    *("--without-gossip", "--without-mingle", "--loglevel", "WARNING"),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 150) -> "Worker":
        from gdpa.celery import app

        def answers() -> bool:
            self.check()
            return bool(app.control.ping(destination=[self.name], timeout=1))

        try:
            wait_until(answers, timeout, f"worker {self.name} answering")
        except TimeoutError as error:
            raise TimeoutError(f"{error}; its log:\n{self.log_tail()}") from None
        return self

    def check(self) -> None:
        """RuntimeError, with the end of its log, once the worker has exited."""
        if self.process.poll() is not None:
            raise RuntimeError(
                f"worker {self.name} exited with {self.process.returncode}; its log:\n"
                f"{self.log_tail()}"
            )

    def log_tail(self) -> str:
        return self.log_path.read_text()[-3000:]

    def consume(self, queue: str) -> None:
        """Start consuming ``queue`` too (a stand-by worker taking over)."""
        from gdpa.celery import app

        if not app.control.add_consumer(queue, destination=[self.name], reply=True, timeout=10):
            raise RuntimeError(f"worker {self.name} did not take queue {queue}")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Warm shutdown (SIGTERM); SIGKILL to the group after 30 s."""
        stop_all([self])


def wait_all_ready(workers: list[Worker], timeout: float = 150) -> float:
    """Wait until every one of ``workers`` (started together) answers; the seconds it took."""
    started = time.monotonic()
    for worker in workers:
        worker.wait_ready(timeout)
    return time.monotonic() - started


def stop_all(workers: list[Worker], timeout: float = 30) -> None:
    """Warm shutdown of ``workers`` together (SIGTERM to each); SIGKILL to the group of any
    still running after ``timeout`` seconds."""
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.terminate()
    deadline = time.monotonic() + timeout
    for worker in workers:
        try:
            worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"worker {worker.name} did not stop in {timeout:.0f} s; killing its group")
            worker.kill()


# Beat --------------------------------------------------------------------------------------


def sweep_as_beat(after: datetime) -> None:
    """What the periodic e-mail sweeps do once their grace periods have passed since
    ``after`` (a kill, an outage).

    Rather than wait an hour, the sweeps are called with their clock set past the grace
    periods counted from ``after``: work younger than that is left alone, as it would be
    by the real beat."""
    from alliance.services.sweeps import GRACE, session_mail_sweep
    from gdpa.notify.delivery import emails_sweep
    from gdpa.notify.services import STALE_QUEUED_AFTER, STALE_SENDING_AFTER

    emails_sweep(now=after + max(STALE_QUEUED_AFTER, STALE_SENDING_AFTER) + timedelta(seconds=1))
    session_mail_sweep(now=after + GRACE + timedelta(seconds=1))
