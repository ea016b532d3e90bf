"""The django-import-export resources that check every row (a dry run that never
writes), and the checked rows with their status and problems."""

from dataclasses import dataclass

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export.results import RowResult

from ..models import Invitation, Membership, Organization
from .columns import COLUMNS, FOCAL_POINTS, ORGANIZATIONS
from .files import FileRefused, cell_text
from .values import (
    CountriesWidget,
    CountryWidget,
    KindWidget,
    LanguageWidget,
    Lookups,
    MemberStateWidget,
    NamedListWidget,
    TextWidget,
)

# Resources --------------------------------------------------------------------------------

#: Messages for model validation codes, GOV.UK style; %(column)s is the column's name.
_REQUIRED = gettext_lazy("Fill in the “%(column)s” column")
_INVALID = {
    "contact_email": gettext_lazy(
        "Enter an e-mail address in the correct format, like name@example.org"
    ),
    "email": gettext_lazy("Enter an e-mail address in the correct format, like name@example.org"),
    "website": gettext_lazy(
        "Enter the website address in the correct format, like https://www.example.org"
    ),
}


class _ReadOnlyResource(resources.ModelResource):
    """A resource that reads and validates rows and never writes.

    ``use_bulk`` keeps import-export from opening a savepoint per row (nothing is saved
    here, so there is nothing to roll back per row); ``force_init_instance`` makes every
    row a new object (an import adds, never updates); duplicates are found against
    ``Lookups`` after validation, in ``after_import_row``.
    """

    kind = ""
    #: attribute -> column, for naming the column next to an error
    columns: dict[str, str] = {}

    def __init__(self, *, actor, lookups: Lookups, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self.lookups = lookups
        self.seen: dict[tuple, int] = {}

    def get_import_id_fields(self):
        return []

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not any(cell_text(v) for v in row.values())

    def save_instance(self, instance, is_create, row, **kwargs):
        """Never: confirmation writes through the services, one row at a time."""

    def save_m2m(self, instance, row, **kwargs):
        """Never (see ``save_instance``)."""

    def check_row(self, instance, errors: dict) -> None:
        """Checks across columns; add messages to ``errors`` by attribute."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        self.check_row(instance, errors)
        try:
            # Uniqueness and constraints are checked against Lookups in bulk instead of
            # one query per row; the service checks them again when it writes.
            instance.full_clean(
                exclude=[*errors, *self.not_cleaned],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as e:
            for name, problems in e.error_dict.items():
                column = self.columns.get(name)
                messages = []
                for problem in problems:
                    if problem.code in {"blank", "required", "null"} and column:
                        messages.append(_REQUIRED % {"column": column})
                    elif problem.code == "invalid" and name in _INVALID:
                        messages.append(_INVALID[name])
                    else:
                        messages.extend(problem.messages)
                errors[name] = ValidationError(messages)
        if errors:
            raise ValidationError(errors)

    not_cleaned: tuple[str, ...] = ()

    def duplicate_of(self, instance) -> str:
        """Why this valid row would duplicate something, or ""."""
        return ""

    def after_import_row(self, row, row_result, **kwargs):
        if row_result.import_type != RowResult.IMPORT_TYPE_NEW:
            return
        instance = row_result.instance
        instance.import_line = kwargs["row_number"] + 1  # the header is line 1
        reason = self.duplicate_of(instance)
        if reason:
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            instance.import_duplicate = reason


class OrganizationResource(_ReadOnlyResource):
    kind = ORGANIZATIONS
    # Foreign keys hold objects loaded in bulk; checking them would cost a query a row.
    not_cleaned = ("created_by", "decided_by", "member_state")

    def __init__(self, *, actor, lookups: Lookups, **kwargs):
        super().__init__(actor=actor, lookups=lookups, **kwargs)
        self.fields = {
            "name": fields.Field("name", "name", TextWidget()),
            "kind": fields.Field("kind", "kind", KindWidget()),
            "country": fields.Field("country", "country", CountryWidget()),
            "member_state": fields.Field(
                "member_state", "member_state", MemberStateWidget(lookups)
            ),
            "countries_of_origin": fields.Field(
                "countries_of_origin", "countries_of_origin", CountriesWidget()
            ),
            "sectors": fields.Field(
                "import_sectors",
                "sectors",
                NamedListWidget(lookups.sectors, gettext_lazy("Unknown sector: %(values)s.")),
            ),
            "diaspora_capitals": fields.Field(
                "import_capitals",
                "diaspora_capitals",
                NamedListWidget(
                    lookups.capitals, gettext_lazy("Unknown diaspora capital: %(values)s.")
                ),
            ),
            "contact_email": fields.Field("contact_email", "contact_email", TextWidget()),
            "phone": fields.Field("contact_phone", "phone", TextWidget()),
            "website": fields.Field("website", "website", TextWidget()),
            "description": fields.Field("description", "description", TextWidget()),
        }
        self.columns = {f.attribute: f.column_name for f in self.fields.values()}

    class Meta:
        model = Organization
        fields = ()
        use_bulk = True
        force_init_instance = True
        skip_diff = True
        store_instance = True
        report_skipped = True

    def init_instance(self, row=None):
        return Organization(
            created_by=self.actor,
            status=Organization.Status.VERIFIED,
            decided_by=self.actor,
            decided_at=timezone.now(),
        )

    def get_import_order(self):
        return list(self.fields)

    def check_row(self, instance, errors):
        if instance.website and "://" not in instance.website:
            instance.website = f"https://{instance.website}"
        if instance.kind == Organization.Kind.GOVERNMENT:
            if instance.member_state is None and "member_state" not in errors:
                errors["member_state"] = ValidationError(
                    _("A government belongs to a member state: fill in the “member_state” column")
                )
            elif instance.member_state is not None:
                state_code = instance.member_state.country.code
                if instance.country and instance.country.code not in ("", state_code):
                    errors.setdefault(
                        "country",
                        ValidationError(
                            _("A government is based in its member state, %(country)s.")
                            % {"country": instance.member_state}
                        ),
                    )
                instance.country = state_code
        elif instance.member_state is not None:
            instance.member_state = None  # only governments belong to a member state

    def duplicate_of(self, instance) -> str:
        key = (instance.name.strip().lower(), instance.country.code)
        if key in self.lookups.existing:
            return _("An organization with this name is already registered in this country.")
        if key in self.seen:
            return _("The same organization is on line %(line)d.") % {"line": self.seen[key]}
        self.seen[key] = instance.import_line
        return ""


class FocalPointResource(_ReadOnlyResource):
    kind = FOCAL_POINTS
    not_cleaned = ("organization", "invited_by", "accepted_by", "expires_at")

    def __init__(self, *, actor, lookups: Lookups, **kwargs):
        super().__init__(actor=actor, lookups=lookups, **kwargs)
        self.fields = {
            "full_name": fields.Field("import_full_name", "full_name", TextWidget()),
            "email": fields.Field("email", "email", TextWidget()),
            "member_state": fields.Field(
                "import_member_state", "member_state", MemberStateWidget(lookups)
            ),
            "organization": fields.Field("import_organization", "organization", TextWidget()),
            "title": fields.Field("import_title", "title", TextWidget()),
            "language": fields.Field("import_language", "language", LanguageWidget()),
        }
        self.columns = {f.attribute: f.column_name for f in self.fields.values()}

    class Meta:
        model = Invitation
        fields = ()
        use_bulk = True
        force_init_instance = True
        skip_diff = True
        store_instance = True
        report_skipped = True

    def init_instance(self, row=None):
        return Invitation(role=Membership.Role.FOCAL_POINT, invited_by=self.actor)

    def get_import_order(self):
        return list(self.fields)

    def check_row(self, instance, errors):
        instance.email = get_user_model().objects.normalize_email(instance.email or "")
        if not getattr(instance, "import_full_name", ""):
            errors.setdefault(
                "import_full_name", ValidationError(_REQUIRED % {"column": "full_name"})
            )
        state = getattr(instance, "import_member_state", None)
        if state is None:
            if "import_member_state" not in errors:
                errors["import_member_state"] = ValidationError(
                    _REQUIRED % {"column": "member_state"}
                )
            return
        bodies = self.lookups.governments.get(state.pk, [])
        wanted = getattr(instance, "import_organization", "").strip().lower()
        if wanted:
            bodies = [b for b in bodies if b.name.strip().lower() == wanted]
            if not bodies:
                errors["import_organization"] = ValidationError(
                    _("%(state)s has no government body called “%(name)s” on the portal.")
                    % {"state": state, "name": instance.import_organization}
                )
                return
        if not bodies:
            errors["import_member_state"] = ValidationError(
                _(
                    "%(state)s has no government body on the portal yet. Create it first "
                    "(Member states, New government body)."
                )
                % {"state": state}
            )
        elif len(bodies) > 1:
            errors["import_organization"] = ValidationError(
                _(
                    "%(state)s has several government bodies (%(names)s): name one in the "
                    "“organization” column."
                )
                % {"state": state, "names": ", ".join(b.name for b in bodies)}
            )
        else:
            instance.organization = bodies[0]

    def duplicate_of(self, instance) -> str:
        key = (instance.organization.pk, instance.email.lower())
        if key in self.lookups.members:
            return _("This person is already a member of %(organization)s.") % {
                "organization": instance.organization
            }
        if key in self.lookups.invited:
            return _("This person already has an open invitation to %(organization)s.") % {
                "organization": instance.organization
            }
        if key in self.seen:
            return _("The same person is on line %(line)d.") % {"line": self.seen[key]}
        self.seen[key] = instance.import_line
        return ""


RESOURCES = {ORGANIZATIONS: OrganizationResource, FOCAL_POINTS: FocalPointResource}

# Checking every row ----------------------------------------------------------------------

NEW, DUPLICATE, INVALID = "new", "duplicate", "invalid"


@dataclass
class CheckedRow:
    line: int  # line in the file (the header is line 1)
    cells: list[str]
    status: str  # NEW, DUPLICATE or INVALID
    problems: list[dict]  # [{"column": ..., "message": ...}]
    instance: object = None  # the validated, unsaved object (NEW rows)

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "cells": self.cells,
            "status": self.status,
            "problems": self.problems,
        }


def _problems(resource, error: ValidationError) -> list[dict]:
    if not hasattr(error, "error_dict"):
        return [{"column": "", "message": m} for m in error.messages]
    found = []
    for name, problems in error.error_dict.items():
        column = "" if name == NON_FIELD_ERRORS else resource.columns.get(name, name)
        for problem in problems:
            found.extend({"column": column, "message": m} for m in problem.messages)
    return found


def check_rows(*, actor, kind: str, dataset: tablib.Dataset) -> list[CheckedRow]:
    """Every row of the file with its status and problems; writes nothing."""
    lookups = Lookups(kind, dataset)
    resource = RESOURCES[kind](actor=actor, lookups=lookups)
    result = resource.import_data(
        dataset, dry_run=True, raise_errors=False, collect_failed_rows=True
    )
    if result.base_errors:
        raise FileRefused(
            _("The file cannot be checked: %(error)s") % {"error": result.base_errors[0].error}
        )
    shown = [c.name for c in COLUMNS[kind] if c.name in dataset.headers]
    checked = []
    for number, (row_result, values) in enumerate(zip(result.rows, dataset, strict=True), 1):
        cells = dict(zip(dataset.headers, values, strict=True))
        line = number + 1
        if row_result.import_type == RowResult.IMPORT_TYPE_SKIP and not getattr(
            row_result.instance, "import_duplicate", ""
        ):
            continue  # a blank line
        row = CheckedRow(line=line, cells=[cells[c] for c in shown], status=NEW, problems=[])
        if row_result.import_type == RowResult.IMPORT_TYPE_INVALID:
            row.status = INVALID
            row.problems = _problems(resource, row_result.validation_error)
        elif row_result.import_type == RowResult.IMPORT_TYPE_ERROR:
            row.status = INVALID
            row.problems = [{"column": "", "message": _("This row cannot be read.")}]
        elif row_result.import_type == RowResult.IMPORT_TYPE_SKIP:
            row.status = DUPLICATE
            row.problems = [{"column": "", "message": row_result.instance.import_duplicate}]
        else:
            row.instance = row_result.instance
        checked.append(row)
    return checked


def shown_columns(kind: str, dataset: tablib.Dataset) -> list[str]:
    return [c.name for c in COLUMNS[kind] if c.name in dataset.headers]
