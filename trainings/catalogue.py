"""The public catalogue's results, kept rendered for a minute.

The catalogue is the same for everyone who reads it in one language with the same
filters (published programmes and their open offerings: nothing in it depends on who
asks), and it was the dearest page of every role's journey (about 30 ms of CPU for 20
programme cards, docs/benchmarks.md). The rendered list is kept in the shared cache for
``CATALOGUE_SECONDS`` per language, valid filters and page, and so is the filter form when
it has no error (it then shows exactly the valid filters); a form with errors and the page
around them are drawn on every request.

Freshness: the training services (a programme or an offering created, changed, opened or
closed) forget every kept list once their transaction commits (``forget_catalogue``), so
what staff change shows at once. What the services do not see (a sector renamed, an
enrollment window passing its closing time) shows within ``CATALOGUE_SECONDS``.

Only valid filters make a key, and the list's links are built from them (not from the
address asked for), so nothing a visitor adds to the address is kept and shown to others.
The kept entries at any time are bounded by what the server can render in
``CATALOGUE_SECONDS``, whatever addresses are asked for.
"""

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import selectors

PROGRAMMES_PER_PAGE = 20
CATALOGUE_SECONDS = 60
#: Pages beyond this are drawn afresh each time (no key for them).
KEPT_PAGES = 20
_GENERATION = "gdpa:catalogue-generation"


def _valid_query(form) -> QueryDict:
    """The filters that passed validation, as the form's own values (what the list's page
    links carry)."""
    query = QueryDict(mutable=True)
    if form.is_bound:
        form.is_valid()
        cleaned = getattr(form, "cleaned_data", {})
        for name in form.fields:
            if cleaned.get(name) not in (None, "") and name not in form.errors:
                query[name] = form.data.get(name, "")
    return query


def _page_number(raw) -> int | None:
    """The page asked for when it is one that is kept, else None."""
    if raw in (None, ""):
        return 1
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= KEPT_PAGES else None


def _render(request, form, query: QueryDict) -> str:
    page = Paginator(selectors.catalogue(**form.filters()), PROGRAMMES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render_to_string(
        "trainings/_catalogue_results.html",
        {"page": page, "total": page.paginator.count, "query": query},
        request=request,
    )


def _kept(identity: tuple, render) -> SafeString:
    """``render()``'s HTML, from the shared cache when it was drawn for ``identity`` (with
    the language) in the last ``CATALOGUE_SECONDS``."""
    digest = hashlib.sha256(repr((get_language(), *identity)).encode()).hexdigest()
    key = f"gdpa:catalogue:{cache.get(_GENERATION, 0)}:{digest}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, CATALOGUE_SECONDS)
    return mark_safe(html)  # noqa: S308 - a rendered template, kept as it was drawn


def catalogue_results(request, form) -> SafeString:
    """The rendered list for ``form``'s valid filters and the page asked for, from the
    shared cache when it was drawn in the last ``CATALOGUE_SECONDS``."""
    query = _valid_query(form)
    number = _page_number(request.GET.get("page"))
    if number is None:
        return mark_safe(_render(request, form, query))  # noqa: S308 - a rendered template
    return _kept(("list", sorted(query.lists()), number), lambda: _render(request, form, query))


def catalogue_filters(form, *, oob: bool) -> SafeString:
    """The filter form (``oob``: out of band, for an htmx answer). Without errors it shows
    exactly the valid filters, so it is kept with the list; with errors it is drawn."""

    def render() -> str:
        return render_to_string("trainings/_catalogue_filters.html", {"form": form, "oob": oob})

    if form.is_bound and form.errors:
        return mark_safe(render())  # noqa: S308 - a rendered template
    query = _valid_query(form)
    return _kept(("filters", sorted(query.lists()), oob, form.is_bound), render)


def _forget() -> None:
    try:
        cache.incr(_GENERATION)
    except ValueError:  # no generation yet (or the cache forgot it): start one
        cache.set(_GENERATION, 1, None)


def forget_catalogue() -> None:
    """Forget every kept list once the current transaction commits (at once outside one)."""
    transaction.on_commit(_forget)
