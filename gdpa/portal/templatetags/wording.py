"""Our wording on forms we do not own (django-allauth's): see docs/design.md, "Wording"."""

from django import template

register = template.Library()


@register.simple_tag
def relabel(form, name: str, label: str) -> str:
    """Give ``form``'s field ``name`` our label (sentence case, our action names) and drop
    its placeholder: the visible label already says what to type. Renders nothing."""
    if form is not None and name in getattr(form, "fields", {}):
        form[name].label = label
        form.fields[name].widget.attrs.pop("placeholder", None)
    return ""
