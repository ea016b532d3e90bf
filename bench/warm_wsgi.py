"""``gdpa.wsgi`` with the URLconf, and so every view module, imported before gunicorn
forks its workers (``--preload``). Otherwise each worker imports them on its first
request: on a busy machine that took over a minute, and the benchmark's first seconds
measured imports instead of pages."""

from django.urls import get_resolver

from gdpa.wsgi import application

get_resolver().url_patterns  # noqa: B018 - imports every URL module and view

__all__ = ["application"]
