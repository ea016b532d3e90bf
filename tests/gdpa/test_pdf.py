"""The shared PDF helper (gdpa/pdf.py): WeasyPrint may load only the portal's own static
files and data: URIs, never the network or a file outside static."""

import base64
import io
import os
import signal
import socket
import threading
import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.test import override_settings
from PIL import Image
from weasyprint.formatting_structure.boxes import TextBox

from gdpa import pdf
from gdpa.pdf import (
    PdfLayoutFailed,
    PdfMemoryExceeded,
    StaticOnlyFetcher,
    render_document,
    render_pdf,
)

BASE = "https://portal.example.org"
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4"
    "DwABBAEAHnOcQAAAAABJRU5ErkJggg=="
)
PAGE = f"""{{% load static %}}<html><body>
<p>Hello PDF</p>
<img src="{{% static 'img/logo.svg' %}}" alt="LOGO-NOT-LOADED">
<img src="{PIXEL}" alt="DATA-NOT-LOADED">
<img src="http://example.org/tracker.png" alt="HTTP-REFUSED">
<img src="{{{{ outside }}}}" alt="FILE-REFUSED">
<img src="/static/../../../etc/passwd" alt="TRAVERSAL-REFUSED">
</body></html>"""


def templates_with(extra: dict) -> list:
    return [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {"page.html": PAGE, **extra})
                ],
            },
        }
    ]


TEMPLATES = templates_with({})


def document_text(document) -> str:
    return " ".join(
        box.text
        for page in document.pages
        for box in page._page_box.descendants(placeholders=True)
        if isinstance(box, TextBox)
    )


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise AssertionError(f"network access to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/tracker.png",
        "https://example.org/static/img/logo.svg",  # another host's "static"
        "file:///etc/passwd",
        f"file://{settings.BASE_DIR}/static/img/logo.svg",  # even static, not by file://
        f"{BASE}/static/../../../etc/passwd",
        f"{BASE}/static/%2e%2e/%2e%2e/etc/passwd",
        f"{BASE}/media/certificates/someone.pdf",
        "ftp://example.org/file",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files_and_data(url, no_network):
    with pytest.raises(ValueError):
        StaticOnlyFetcher(BASE).fetch(url)
    assert not no_network


def test_the_fetcher_reads_the_portals_static_files_from_disk(no_network):
    response = StaticOnlyFetcher(BASE).fetch(f"{BASE}/static/img/logo.svg")
    assert response.read() == (settings.BASE_DIR / "static/img/logo.svg").read_bytes()
    assert response.content_type == "image/svg+xml"
    assert StaticOnlyFetcher(BASE).fetch(PIXEL).read().startswith(b"\x89PNG")
    assert not no_network


@override_settings(TEMPLATES=TEMPLATES, STATIC_URL="/static/")
def test_a_page_loads_its_static_image_but_no_remote_or_local_file(no_network, tmp_path):
    outside = tmp_path / "secret.png"  # a real image, readable, but outside static
    outside.write_bytes(base64.b64decode(PIXEL.split(",", 1)[1]))
    document = render_document("page.html", {"outside": outside.as_uri()}, base_url=BASE)
    text = document_text(document)
    assert "Hello PDF" in text
    # An image that cannot be loaded is replaced by its alt text.
    assert "LOGO-NOT-LOADED" not in text
    assert "DATA-NOT-LOADED" not in text
    for refused in ("HTTP-REFUSED", "FILE-REFUSED", "TRAVERSAL-REFUSED"):
        assert refused in text
    assert not no_network, "the renderer tried to reach the network"


@override_settings(TEMPLATES=TEMPLATES)
def test_render_pdf_gives_pdf_bytes_and_pages(no_network):
    rendered = render_pdf("page.html", {}, base_url=BASE)
    assert rendered.content.startswith(b"%PDF-") and rendered.pages == 1


# The memory limit ----------------------------------------------------------------------------


def big_image_page() -> str:
    """A page whose 4000 x 4000 image is a few kilobytes as PNG but 48 MB decoded."""
    png = io.BytesIO()
    Image.new("RGB", (4000, 4000), (200, 10, 10)).save(png, "PNG", compress_level=1)
    src = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    return f'<html><body><p>Heavy</p><img src="{src}" style="width: 10cm"></body></html>'


def test_a_document_needing_more_memory_than_the_limit_is_stopped_and_this_process_lives_on():
    """The decoded image does not fit in 16 MB: the renderer (a child process) is stopped,
    whether Pillow raises MemoryError or a C library crashes on the failed allocation; the
    worker carries on and builds the next PDF."""
    with override_settings(TEMPLATES=templates_with({"heavy.html": big_image_page()})):
        with override_settings(PDF_MEMORY_LIMIT_MB=16), pytest.raises(PdfMemoryExceeded) as stop:
            render_pdf("heavy.html", {}, base_url=BASE)
        assert stop.value.limit_mb == 16
        # The same document fits in the default limit: the limit is what stopped it.
        assert settings.PDF_MEMORY_LIMIT_MB == 768
        assert render_pdf("heavy.html", {}, base_url=BASE).pages == 1
        assert render_pdf("page.html", {}, base_url=BASE).content.startswith(b"%PDF-")


def test_a_renderer_that_allocates_past_the_limit_gets_memory_error_not_the_worker(monkeypatch):
    def hog(html, *, base_url):
        return bytearray(64 * 1024 * 1024)  # four times the limit below

    monkeypatch.setattr(pdf, "layout", hog)  # the child is a fork: it inherits the patch
    with (
        override_settings(TEMPLATES=TEMPLATES, PDF_MEMORY_LIMIT_MB=16),
        pytest.raises(PdfMemoryExceeded),
    ):
        render_pdf("page.html", {}, base_url=BASE)
    assert len(hog("", base_url=BASE)) == 64 * 1024 * 1024  # no limit here, in the worker


@override_settings(TEMPLATES=TEMPLATES)
def test_a_layout_error_in_the_renderer_reaches_the_caller_by_name(monkeypatch):
    def broken(html, *, base_url):
        raise ValueError("no such counter style")

    monkeypatch.setattr(pdf, "layout", broken)
    with pytest.raises(PdfLayoutFailed, match=r"^ValueError: no such counter style$"):
        render_pdf("page.html", {}, base_url=BASE)


@override_settings(TEMPLATES=TEMPLATES)
def test_a_soft_time_limit_while_rendering_stops_the_renderer_too(monkeypatch):
    """Celery's soft time limit interrupts the worker while it waits for the child: the
    child is killed, so no renderer keeps running after its task gave up."""
    children = []
    real_fork = os.fork

    def recording_fork():
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    def too_slow(html, *, base_url):
        time.sleep(120)

    def soft_limit(signum, frame):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(pdf.os, "fork", recording_fork)
    monkeypatch.setattr(pdf, "layout", too_slow)
    previous = signal.signal(signal.SIGUSR1, soft_limit)  # Celery's soft limit is SIGUSR1
    timer = threading.Timer(1, os.kill, (os.getpid(), signal.SIGUSR1))
    try:
        timer.start()
        with pytest.raises(SoftTimeLimitExceeded):
            render_pdf("page.html", {}, base_url=BASE)
    finally:
        timer.cancel()
        signal.signal(signal.SIGUSR1, previous)
    [child] = children
    with pytest.raises(ProcessLookupError):  # killed and reaped
        os.kill(child, 0)


def process_state(pid: int) -> str:
    """ "Z" for a process that died and awaits its reaper, "gone" once reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"


def test_a_worker_killed_at_its_hard_time_limit_takes_its_renderer_along(monkeypatch):
    """Celery's hard limit kills the worker process outright (SIGKILL): its renderer is
    killed by the kernel too, instead of rendering on for nobody."""

    def too_slow(html, *, base_url):
        time.sleep(120)

    monkeypatch.setattr(pdf, "layout", too_slow)
    read_end, write_end = os.pipe()
    worker = os.fork()
    if worker == 0:  # the "worker": report the renderer's pid, then render
        real_fork = os.fork

        def telling_fork():
            pid = real_fork()
            if pid:
                os.write(write_end, str(pid).encode())
            return pid

        pdf.os.fork = telling_fork
        try:
            pdf.render_in_child("<p>x</p>", base_url=BASE, options={}, limit_mb=768)
        finally:
            os._exit(0)
    renderer = int(os.read(read_end, 32))
    os.kill(worker, signal.SIGKILL)
    os.waitpid(worker, 0)
    deadline = time.monotonic() + 30
    while process_state(renderer) not in ("Z", "gone") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_state(renderer) in ("Z", "gone")
