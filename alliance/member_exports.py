"""The member directory's two export datasets (``members-organizations`` and
``members-people``), registered with the exports kernel in ``AllianceConfig.ready()``.

The filters are the directory's query string, read by the directory's own filter forms
(a selection arrives as repeated ``selected``), so an export holds what the page showed.
Rows stream: ``values_list(...).iterator(chunk_size=CHUNK)``; many-to-many values
(sectors, capitals, memberships) are fetched once per chunk, never per row.
"""

from collections.abc import Iterator

from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from gdpa.exports.registry import Column, ExportDataset, register_dataset

from . import member_directory as directory
from .models import Membership, Organization

CHUNK = 2000


def _filters(form_class, query) -> dict:
    form = form_class(query)
    return form.filters()


def _chunks(values, size: int = CHUNK) -> Iterator[list[tuple]]:
    chunk = []
    for row in values.iterator(chunk_size=size):
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _country(code: str) -> str:
    return str(countries.name(code)) if code else ""


# Organizations ------------------------------------------------------------------------------

ORGANIZATION_COLUMNS = (
    Column("id", _("Id")),
    Column("name", _("Name")),
    Column("kind", _("Kind")),
    Column("status", _("Status")),
    Column("country", _("Country")),
    Column("member_state", _("Member state")),
    Column("sectors", _("Sectors")),
    Column("capitals", _("Diaspora capitals")),
    Column("website", _("Website")),
    Column("contact_email", _("Contact e-mail"), personal=True),
    Column("contact_phone", _("Contact phone"), personal=True),
    Column("registered", _("Registered")),
    Column("listed_publicly", _("Listed publicly")),
)


def organizations_count(filters) -> int:
    return directory.organizations_directory(
        _filters(directory.OrganizationDirectoryForm, filters), order_by=()
    ).count()


def _names_by_organization(through, field: str, ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    related = through._meta.get_field(field).related_model
    labels = {o.pk: o.name for o in related.objects.all()}
    for org_id, related_id in (
        through.objects.filter(organization_id__in=ids)
        .order_by(f"{field}__position", f"{field}_id")
        .values_list("organization_id", f"{field}_id")
    ):
        names.setdefault(org_id, []).append(labels.get(related_id, ""))
    return names


def organizations_rows(filters, *, personal: bool) -> Iterator[dict]:
    form = directory.OrganizationDirectoryForm(filters)
    qs = directory.organizations_directory(form.filters(), form.order_by())
    fields = [
        "pk",
        "name",
        "kind",
        "status",
        "country",
        "member_state__country",
        "website",
        "created_at",
        "listed_publicly",
    ]
    if personal:
        fields += ["contact_email", "contact_phone"]
    kinds = dict(Organization.Kind.choices)
    statuses = dict(Organization.Status.choices)
    for chunk in _chunks(qs.values_list(*fields)):
        ids = [row[0] for row in chunk]
        sectors = _names_by_organization(Organization.sectors.through, "sector", ids)
        capitals = _names_by_organization(Organization.capitals.through, "diasporacapital", ids)
        for row in chunk:
            values = dict(zip(fields, row, strict=True))
            out = {
                "id": values["pk"],
                "name": values["name"],
                "kind": str(kinds.get(values["kind"], values["kind"])),
                "status": str(statuses.get(values["status"], values["status"])),
                "country": _country(values["country"]),
                "member_state": _country(values["member_state__country"] or ""),
                "sectors": "; ".join(sectors.get(values["pk"], [])),
                "capitals": "; ".join(capitals.get(values["pk"], [])),
                "website": values["website"],
                "registered": values["created_at"],
                "listed_publicly": values["listed_publicly"],
            }
            if personal:
                out["contact_email"] = values["contact_email"]
                out["contact_phone"] = values["contact_phone"]
            yield out


# People -------------------------------------------------------------------------------------

PEOPLE_COLUMNS = (
    Column("id", _("Id")),
    Column("name", _("Name"), personal=True),
    Column("email", _("E-mail"), personal=True),
    Column("gender", _("Gender"), personal=True),
    Column("country_of_residence", _("Country of residence")),
    Column("language", _("Preferred language")),
    Column("organizations", _("Organizations and roles")),
    Column("joined", _("Joined")),
)


def people_count(filters) -> int:
    return directory.people_directory(
        _filters(directory.PeopleDirectoryForm, filters), order_by=()
    ).count()


def people_rows(filters, *, personal: bool) -> Iterator[dict]:
    from gdpa.accounts.models import Gender

    form = directory.PeopleDirectoryForm(filters)
    qs = directory.people_directory(form.filters(), form.order_by())
    fields = ["pk", "country_of_residence", "preferred_language", "date_joined"]
    if personal:
        fields += ["full_name", "email", "gender"]
    genders = dict(Gender.choices)
    roles = dict(Membership.Role.choices)
    for chunk in _chunks(qs.values_list(*fields)):
        ids = [row[0] for row in chunk]
        memberships: dict[int, list[str]] = {}
        for user_id, name, role in (
            Membership.objects.filter(user_id__in=ids)
            .order_by("organization__name", "pk")
            .values_list("user_id", F("organization__name"), "role")
        ):
            memberships.setdefault(user_id, []).append(f"{name} ({roles.get(role, role)})")
        for row in chunk:
            values = dict(zip(fields, row, strict=True))
            out = {
                "id": values["pk"],
                "country_of_residence": _country(values["country_of_residence"]),
                "language": values["preferred_language"],
                "organizations": "; ".join(memberships.get(values["pk"], [])),
                "joined": values["date_joined"],
            }
            if personal:
                out["name"] = values["full_name"]
                out["email"] = values["email"]
                out["gender"] = str(genders.get(values["gender"], values["gender"]))
            yield out


def register_member_exports() -> None:
    register_dataset(
        ExportDataset(
            key="members-organizations",
            label=_("Members: organizations"),
            columns=ORGANIZATION_COLUMNS,
            rows=organizations_rows,
            count=organizations_count,
            filter_form=directory.OrganizationDirectoryForm,
            order=10,
        )
    )
    register_dataset(
        ExportDataset(
            key="members-people",
            label=_("Members: people"),
            columns=PEOPLE_COLUMNS,
            rows=people_rows,
            count=people_count,
            filter_form=directory.PeopleDirectoryForm,
            order=11,
        )
    )
