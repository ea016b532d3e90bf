from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from gdpa.cache import kept_html

#: Seconds a drawn filter form is kept (a choice added to one of its lists shows within it).
FILTER_FORM_SECONDS = 60


def apply_validation_error(form, error: ValidationError, field_map: dict | None = None) -> None:
    """Show a service's validation errors next to the form's fields (others on top).

    ``field_map`` names the form field for a service field that the form calls
    differently (e.g. the UTC ``starts_at`` the form takes as a wall-clock ``start``).
    """
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            field = field_map.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def valid_query(form, *, leave_out: tuple[str, ...] = ()) -> QueryDict:
    """A filter form's filters that passed validation, as the form's own values (what a
    list's links carry and what a kept drawing of the form is keyed on): nothing a visitor
    added to the address that the form did not accept."""
    query = QueryDict(mutable=True)
    if form.is_bound:
        form.is_valid()
        cleaned = getattr(form, "cleaned_data", {})
        for name in form.fields:
            if name in leave_out or name in form.errors:
                continue
            if cleaned.get(name) not in (None, "", []):
                query[name] = form.data.get(name, "")
    return query


def filter_form_html(
    form,
    *,
    action: str,
    label: str = "",
    form_id: str = "",
    oob: bool = False,
    clear: bool = True,
    leave_out: tuple[str, ...] = (),
    prefix: str = "gdpa:filter-form:",
    seconds: int = FILTER_FORM_SECONDS,
) -> SafeString:
    """A list page's filter form (``components/filter_form.html``), kept drawn in the shared
    cache for ``seconds`` per language, address, valid filters and the drawing's options.
    It holds only those and the lists to choose from, nothing about who asks. A form with
    errors is drawn every time, with them. Drawing a form of country and member-state
    selects cost a list page 5 to 25 ms (docs/benchmarks.md). ``prefix`` lets a family of
    kept pages forget its forms with its lists (the catalogue's generation)."""
    context = {
        "form": form,
        "action": action,
        "label": str(label),
        "form_id": form_id,
        "oob": oob,
        "clear": clear,
        "leave_out": leave_out,
    }

    def draw() -> str:
        return render_to_string("components/filter_form.html", context)

    if form.is_bound and form.errors:
        return draw()
    filters = sorted(valid_query(form, leave_out=leave_out).lists())
    options = sorted((k, v) for k, v in context.items() if k != "form")
    return kept_html(prefix, (filters, form.is_bound, options), draw, seconds)
