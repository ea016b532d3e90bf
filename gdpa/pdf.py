"""PDF rendering with WeasyPrint, shared by every app.

A Django template becomes a PDF. The only resources the document may load are the
portal's own static files (read from disk through the staticfiles finders or
``STATIC_ROOT``, never over the network) and ``data:`` URIs: an address typed into a
certificate or a report can neither reach the network nor read a file outside static.
Fonts come from the system (the image installs DejaVu), never from a CDN.
"""

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils._os import safe_join
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse


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


def render_document(template_name: str, context: dict, *, base_url: str) -> Document:
    """The laid-out document (its pages hold the text boxes tests can read)."""
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher(base_url)).render()


def render_pdf(template_name: str, context: dict, *, base_url: str) -> bytes:
    """Render ``template_name`` with ``context`` to PDF bytes; relative URLs resolve
    against ``base_url`` (the portal's address, ``SITE_URL``)."""
    return render_document(template_name, context, base_url=base_url).write_pdf()
