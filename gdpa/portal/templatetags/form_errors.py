"""The GOV.UK error pattern: an error summary at the top of the page and "Error: " in
the page title while a form on it has errors. See docs/design.md, "Error summary and
field errors"."""

from django import template
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext

register = template.Library()

#: Widgets that render one input per choice: a link goes to the first one.
GROUPED_WIDGETS = ("radioselect", "checkboxselectmultiple")


def _field_anchor(bound_field) -> str:
    if not bound_field.auto_id:
        return ""
    if bound_field.is_hidden:
        return ""
    if bound_field.widget_type in GROUPED_WIDGETS or not bound_field.id_for_label:
        return f"#{bound_field.auto_id}_0"
    return f"#{bound_field.id_for_label}"


def _form_problems(form: BaseForm) -> list[dict]:
    if not form.is_bound or not form.errors:
        return []
    visible = [bf for bf in form if not bf.is_hidden]
    first = _field_anchor(visible[0]) if visible else ""
    problems = [{"text": error, "href": first} for error in form.non_field_errors()]
    for bound_field in form:
        anchor = _field_anchor(bound_field)
        problems.extend({"text": error, "href": anchor or first} for error in bound_field.errors)
    return problems


def form_problems(*forms) -> list[dict]:
    """Every problem of the given forms and formsets, in page order: ``{"text", "href"}``
    where ``href`` is ``#<id of the field's input>`` (empty when there is nothing to
    link to). Unbound forms have no problems."""
    problems: list[dict] = []
    for item in forms:
        if isinstance(item, (list, tuple)):
            problems.extend(form_problems(*item))
        elif isinstance(item, BaseFormSet):
            if not item.is_bound:
                continue
            for form in item.forms:
                form.errors  # noqa: B018 -- cleans the row, so that its DELETE box is read
                if item.can_delete and item._should_delete_form(form):
                    continue
                problems.extend(_form_problems(form))
            first_row = item.forms[0] if item.forms else None
            anchor = ""
            if first_row is not None:
                visible = [bf for bf in first_row if not bf.is_hidden]
                anchor = _field_anchor(visible[0]) if visible else ""
            problems.extend({"text": error, "href": anchor} for error in item.non_form_errors())
        elif isinstance(item, BaseForm):
            problems.extend(_form_problems(item))
    return problems


@register.inclusion_tag("components/error_summary.html")
def error_summary(*forms):
    """``{% error_summary form agenda %}``: the "There is a problem" box for one or more
    forms and formsets; renders nothing while they have no errors."""
    return {"problems": form_problems(*forms)}


def _has_errors(value) -> bool:
    if isinstance(value, BaseFormSet):
        return value.is_bound and not value.is_valid()
    if isinstance(value, BaseForm):
        return value.is_bound and bool(value.errors)
    return False


@register.simple_tag(takes_context=True)
def error_title_prefix(context) -> str:
    """``Error: `` when a form or formset on the page (any in the context) has errors,
    for the start of ``<title>``; otherwise nothing."""
    if any(_has_errors(value) for value in context.flatten().values()):
        return gettext("Error:") + " "
    return ""
