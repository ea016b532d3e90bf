from django.core.exceptions import ValidationError


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
