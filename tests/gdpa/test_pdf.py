"""The shared PDF helper (gdpa/pdf.py): WeasyPrint may load only the portal's own static
files and data: URIs, never the network or a file outside static."""

import socket

import pytest
from django.conf import settings
from django.test import override_settings
from weasyprint.formatting_structure.boxes import TextBox

from gdpa.pdf import StaticOnlyFetcher, render_document, render_pdf

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
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [("django.template.loaders.locmem.Loader", {"page.html": PAGE})],
        },
    }
]


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
    import base64

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
def test_render_pdf_gives_pdf_bytes(no_network):
    assert render_pdf("page.html", {}, base_url=BASE).startswith(b"%PDF-")
