"""The rows of the staff member directory's results table, drawn in Python.

A page holds 50 rows; drawn by the template language, each row's dozen variables, two
links, dates and translated labels were half of an htmx swap's CPU time (about 22 ms of
40, docs/benchmarks.md). This module writes the same markup with one f-string per row,
every value escaped (``html.escape``, which is what ``django.utils.html.escape`` does,
without its lazy-string wrapper that cost more than the escaping), reverses each kind of
link once per page and translates each label, choice and date once per page. The table's
header, caption and empty state stay in ``alliance/staff/directory.html``.

``ORGANIZATION_FIELDS`` and ``PEOPLE_FIELDS`` are the columns the rows read, for
``QuerySet.only``: the page query reads those and not the whole row.
"""

from collections.abc import Callable, Iterable
from html import escape

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from gdpa.portal.countries import country_names

from .models import Membership, Organization

ORGANIZATION_FIELDS = ("name", "kind", "country", "status", "created_at")
PEOPLE_FIELDS = ("full_name", "email", "country_of_residence", "date_joined")

#: The largest key a link is reversed with; replaced by each row's key.
_KEY = 2147483647


def _link(url_name: str) -> Callable[[int], str]:
    """``url_name``'s address for a key, reversed once (URLs of the ``<int:pk>`` kind)."""
    prefix, _sep, suffix = reverse(url_name, args=[_KEY]).partition(str(_KEY))
    return lambda pk: escape(f"{prefix}{int(pk)}{suffix}")


def _days() -> Callable[[object], str]:
    """A date or time as the template's ``|date:"DATE_FORMAT"`` shows it, in the viewer's
    time zone, escaped; each day formatted once per page."""
    seen: dict = {}

    def day(value) -> str:
        local = template_localtime(value)
        key = local.date() if hasattr(local, "date") else local
        if key not in seen:
            seen[key] = escape(date_format(key, "DATE_FORMAT"))
        return seen[key]

    return day


def _labels(**labels: str) -> dict[str, str]:
    return {key: escape(str(label)) for key, label in labels.items()}


def _choices(choices) -> dict[str, str]:
    return {value: escape(str(label)) for value, label in choices}


def _checkbox(name: str, pk: int, label: str, checked: bool) -> str:
    chosen = " checked" if checked else ""
    return (
        f'<input type="checkbox" name="{name}" value="{pk}" id="pick-{pk}"{chosen}'
        f' aria-label="{escape(label)}">'
    )


def organization_rows(organizations: Iterable[Organization], *, checked: bool) -> SafeString:
    """``<tr>``s of the organizations tab (``member_count`` set on each row)."""
    record = _link("alliance:staff_organization")
    day = _days()
    countries = country_names()
    kinds = _choices(Organization.Kind.choices)
    statuses = _choices(Organization.Status.choices)
    label = _labels(
        name=_("Name"),
        kind=_("Kind"),
        country=_("Country"),
        members=_("Members"),
        status=_("Status"),
        registered=_("Registered"),
    )
    rows = []
    for org in organizations:
        code = org.country.code
        select = _checkbox("selected", org.pk, _("Select %(name)s") % {"name": org.name}, checked)
        rows.append(
            f'<tr><td>{select}</td><th scope="row" data-label="{label["name"]}">'
            f'<a href="{record(org.pk)}">{escape(org.name)}</a></th>'
            f'<td data-label="{label["kind"]}">{kinds.get(org.kind) or escape(org.kind)}</td>'
            f'<td data-label="{label["country"]}">{escape(countries.get(code, code))}</td>'
            f'<td data-label="{label["members"]}">{int(org.member_count)}</td>'
            f'<td data-label="{label["status"]}"><span class="badge badge--{escape(org.status)}">'
            f"{statuses.get(org.status) or escape(org.status)}</span></td>"
            f'<td data-label="{label["registered"]}">{day(org.created_at)}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped


def people_rows(people: Iterable, *, checked: bool) -> SafeString:
    """``<tr>``s of the people tab (``with_people_details`` rows)."""
    record = _link("portal:staff_person")
    organization = _link("alliance:staff_organization")
    day = _days()
    countries = country_names()
    roles = _choices(Membership.Role.choices)
    label = _labels(
        name=_("Name"),
        email=_("E-mail"),
        organizations=_("Organizations and roles"),
        residence=_("Country of residence"),
        joined=_("Joined"),
        last=_("Last activity"),
    )
    none = escape(_("None"))
    rows = []
    for person in people:
        memberships = "; ".join(
            f'<a href="{organization(m.organization_id)}">{escape(m.organization.name)}</a>'
            f" ({roles.get(m.role) or escape(m.role)})"
            for m in person.directory_memberships
        )
        code = person.country_of_residence.code
        residence = escape(countries.get(code, code)) if code else "–"
        last = day(person.last_activity) if person.last_activity else none
        select = _checkbox("person", person.pk, _("Select %(name)s") % {"name": person}, checked)
        rows.append(
            f'<tr><td>{select}</td><th scope="row" data-label="{label["name"]}">'
            f'<a href="{record(person.pk)}">{escape(person.full_name or person.email)}</a></th>'
            f'<td data-label="{label["email"]}">{escape(person.email)}</td>'
            f'<td data-label="{label["organizations"]}">{memberships or "–"}</td>'
            f'<td data-label="{label["residence"]}">{residence}</td>'
            f'<td data-label="{label["joined"]}">{day(person.date_joined)}</td>'
            f'<td data-label="{label["last"]}">{last}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped
