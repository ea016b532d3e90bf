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

from django.core.paginator import Paginator
from django.db import transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from gdpa.cache import Generation, kept_html
from gdpa.portal.forms import filter_form_html, valid_query

from . import selectors

PROGRAMMES_PER_PAGE = 20
CATALOGUE_SECONDS = 60
#: Pages beyond this are drawn afresh each time (no key for them).
KEPT_PAGES = 20
_GENERATION = Generation("gdpa:catalogue-generation")


def _page_number(raw) -> int | None:
    """The page asked for when it is one that is kept, else None."""
    if raw in (None, ""):
        return 1
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= KEPT_PAGES else None


def _list_html(request, form, query: QueryDict) -> str:
    page = Paginator(selectors.catalogue(**form.filters()), PROGRAMMES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render_to_string(
        "trainings/_catalogue_results.html",
        {"page": page, "total": page.paginator.count, "query": query},
    )


def catalogue_parts(request, form, *, oob: bool) -> tuple[SafeString, SafeString]:
    """The filter form (``oob``: out of band, for an htmx answer) and the list for the
    form's valid filters and the page asked for, each from the shared cache when it was
    drawn in the last ``CATALOGUE_SECONDS``. A form with errors, and a page beyond
    ``KEPT_PAGES``, are drawn every time."""
    query = valid_query(form)
    filters = sorted(query.lists())
    prefix = f"gdpa:catalogue:{_GENERATION.current()}:"
    form_html = filter_form_html(
        form,
        action=reverse("trainings:catalogue"),
        label=_("Filter the trainings"),
        form_id="catalogue-filters",
        oob=oob,
        prefix=prefix,
        seconds=CATALOGUE_SECONDS,
    )
    number = _page_number(request.GET.get("page"))
    if number is None:
        list_html = mark_safe(_list_html(request, form, query))  # noqa: S308 - a rendered template
    else:
        list_html = kept_html(
            prefix,
            ("list", filters, number),
            lambda: _list_html(request, form, query),
            CATALOGUE_SECONDS,
        )
    return form_html, list_html


def forget_catalogue() -> None:
    """Forget every kept list once the current transaction commits (at once outside one)."""
    transaction.on_commit(_GENERATION.advance)
