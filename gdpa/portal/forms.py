from django.core.exceptions import ValidationError
from django.http import QueryDict


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
