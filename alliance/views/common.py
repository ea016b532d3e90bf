"""Small helpers the alliance views share."""


def filters_of(form) -> dict:
    """The valid filters of a bound filter form (an invalid one is shown with its error
    and ignored); nothing for an unbound one."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data
