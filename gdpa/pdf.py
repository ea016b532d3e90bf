"""PDF rendering with WeasyPrint, shared by every app.

A Django template becomes a PDF. The only resources the document may load are the
portal's own static files (read from disk through the staticfiles finders or
``STATIC_ROOT``, never over the network) and ``data:`` URIs: an address typed into a
certificate or a report can neither reach the network nor read a file outside static.
Fonts come from the system (the image installs DejaVu), never from a CDN.

Every PDF is laid out and written in a child process forked for it, with its address
space limited to what the worker already uses plus ``PDF_MEMORY_LIMIT_MB``. The template
is rendered in the worker (it may read the database); the child gets the HTML string and
sends back only the PDF bytes and the page count, and never touches the database. A
document that needs more memory ends the child alone: a Python ``MemoryError``, or a C
library (Pango, cairo, Pillow) that crashes when an allocation fails. The worker then
raises ``PdfMemoryExceeded``, which each service turns into the document's "failed"
status with a message saying what to ask for instead. The same path serves Celery
workers and the in-process mode with no broker.
"""

import contextlib
import ctypes
import logging
import mimetypes
import os
import posixpath
import resource
import signal
import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils._os import safe_join
from django.utils.translation import gettext
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher narrowed to ``data:`` URIs and the portal's static files.

    A static file is addressed as the page would address it (``{% static %}`` resolved
    against ``base_url``) and read from disk. Anything else raises, which WeasyPrint
    reports as a warning and renders without the resource.
    """

    def __init__(self, base_url: str):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        static = urlsplit(urljoin(base_url.rstrip("/") + "/", settings.STATIC_URL))
        self._static_origin = (static.scheme, static.netloc)
        self._static_path = static.path if static.path.endswith("/") else static.path + "/"

    def fetch(self, url, headers=None):
        if url.lower().startswith("data:"):
            return super().fetch(url, headers)
        path = self.static_file(url)
        if path is None:
            raise ValueError(f"Only the portal's static files may be loaded, not {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def static_file(self, url: str) -> Path | None:
        """The file on disk behind a static URL, or ``None`` for anything else."""
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self._static_origin or not parts.path.startswith(
            self._static_path
        ):
            return None
        name = posixpath.normpath(unquote(parts.path[len(self._static_path) :]))
        if name.startswith(("/", "..")) or name == ".":
            return None
        try:
            collected = Path(safe_join(settings.STATIC_ROOT, name))
        except SuspiciousFileOperation:
            return None
        if collected.is_file():
            return collected
        found = finders.find(name)
        return Path(found) if found else None


class PdfMemoryExceeded(Exception):
    """Rendering needed more memory than ``PDF_MEMORY_LIMIT_MB``: the renderer was stopped."""

    def __init__(self, limit_mb: int):
        super().__init__(f"the renderer needed more than {limit_mb} MB of memory")
        self.limit_mb = limit_mb


class PdfLayoutFailed(Exception):
    """The layout raised in the child; the message names the original exception."""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def layout(html: str, *, base_url: str) -> Document:
    """Lay out an HTML string in this process, loading static files only."""
    return HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher(base_url)).render()


def render_document(template_name: str, context: dict, *, base_url: str) -> Document:
    """The laid-out document (its pages hold the text boxes tests can read), in this
    process and without the memory limit: for tests and benchmarks, not for workers."""
    return layout(render_to_string(template_name, context), base_url=base_url)


def render_pdf(
    template_name: str, context: dict, *, base_url: str, options: dict | None = None
) -> RenderedPdf:
    """Render ``template_name`` with ``context`` to a PDF, laid out and written in a
    memory-limited child process (``PDF_MEMORY_LIMIT_MB``); relative URLs resolve against
    ``base_url`` (the portal's address, ``SITE_URL``) and ``options`` go to WeasyPrint's
    ``write_pdf``. Raises ``PdfMemoryExceeded`` when the document needs more memory, and
    whatever the layout raised otherwise."""
    html = render_to_string(template_name, context)
    return render_in_child(
        html, base_url=base_url, options=options or {}, limit_mb=settings.PDF_MEMORY_LIMIT_MB
    )


def build_failure_message(exc: BaseException, *, seconds: int, instead: str) -> str:
    """Why a report's PDF could not be built, as its page shows it (active language).

    The time limit (``seconds``, the task's soft limit) and the memory limit are about the
    report's size: the message says so and what to ask for ``instead``. Anything else is
    the error itself, for the administrators.
    """
    if isinstance(exc, SoftTimeLimitExceeded):
        return gettext(
            "The report took longer than %(seconds)s seconds to build, the most one PDF "
            "may take. %(instead)s"
        ) % {"seconds": seconds, "instead": instead}
    if isinstance(exc, PdfMemoryExceeded):
        return gettext(
            "The report needed more than %(megabytes)s MB of memory to build, the most one "
            "PDF may use. %(instead)s If it must cover all of it, the portal's "
            "administrators can raise PDF_MEMORY_LIMIT_MB."
        ) % {"megabytes": exc.limit_mb, "instead": instead}
    detail = str(exc) if isinstance(exc, PdfLayoutFailed) else f"{type(exc).__name__}: {exc}"
    return detail[:300]


# What the child sends back: a one-byte kind, then the pages and the PDF, or the error text.
_DONE, _MEMORY, _ERROR = b"D", b"M", b"E"


def render_in_child(html: str, *, base_url: str, options: dict, limit_mb: int) -> RenderedPdf:
    """Lay out and write ``html`` in a forked child whose address space may grow by at
    most ``limit_mb``. The child is killed if this process is interrupted while it waits
    (a Celery soft time limit), so no renderer outlives its task."""
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(
            html,
            base_url=base_url,
            options=options,
            limit_mb=limit_mb,
            parent=parent,
            write_end=write_end,
        )
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as answer:
            payload = answer.read()
        _, status = os.waitpid(pid, 0)
    except BaseException:
        # Interrupted (a soft time limit): end the child; it may already have been reaped.
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        raise
    if os.WIFSIGNALED(status):
        # A C library that cannot allocate crashes (SIGSEGV, SIGABRT); the kernel's
        # out-of-memory killer sends SIGKILL. Under the limit, all mean the same.
        logger.warning(
            "The PDF renderer died with signal %s under its %s MB limit.",
            signal.Signals(os.WTERMSIG(status)).name,
            limit_mb,
        )
        raise PdfMemoryExceeded(limit_mb)
    if os.waitstatus_to_exitcode(status) != 0:  # the answer may be cut short: not used
        raise RuntimeError(
            f"The PDF renderer stopped with exit status {os.waitstatus_to_exitcode(status)}"
        )
    kind, body = payload[:1], payload[1:]
    if kind == _MEMORY:
        raise PdfMemoryExceeded(limit_mb)
    if kind == _ERROR:
        raise PdfLayoutFailed(body.decode(errors="replace"))
    (pages,) = struct.unpack("!I", body[:4])
    return RenderedPdf(content=body[4:], pages=pages)


def _address_space() -> int:
    """This process's virtual memory size in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


#: prctl(2): the signal the kernel sends this process when its parent dies.
PR_SET_PDEATHSIG = 1


def _child(html: str, *, base_url: str, options: dict, limit_mb: int, parent: int, write_end: int):
    """Render under the limit, write the answer, and leave with ``os._exit``: no atexit
    handler, no database connection closed on the parent's behalf, no test teardown.
    Killed with its parent (a Celery hard time limit kills the worker process)."""
    status = 1
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            return
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        budget = _address_space() + limit_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            budget = min(budget, hard)
        resource.setrlimit(resource.RLIMIT_AS, (budget, hard))
        try:
            document = layout(html, base_url=base_url)
            answer = _DONE + struct.pack("!I", len(document.pages)) + document.write_pdf(**options)
        except MemoryError:
            answer = _MEMORY
        except Exception as exc:
            logger.exception("The PDF could not be laid out.")
            answer = _ERROR + f"{type(exc).__name__}: {exc}".encode()
        with os.fdopen(write_end, "wb") as out:
            out.write(answer)
        status = 0
    finally:
        os._exit(status)
