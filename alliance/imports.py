"""Staff imports of organizations and focal points from CSV or XLSX: reading the file,
its columns, and the django-import-export resources that check each row.

The resources only read and validate (``import_data(dry_run=True)``); they never save.
What is written on confirmation goes through the services in
``alliance/services/imports.py``, one transaction per row. Everything a row is checked
against (member states, sectors, capitals, existing organizations, members and open
invitations) is loaded in bulk before the rows are read, so checking a file runs a fixed
number of queries whatever its length.
"""

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import filetype
import tablib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import default_storage
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_countries import countries
from import_export import fields, resources, widgets
from import_export.results import RowResult

from .models import DiasporaCapital, Invitation, Membership, MemberState, Organization, Sector

ORGANIZATIONS = "organizations"
FOCAL_POINTS = "focal_points"
KINDS = {
    ORGANIZATIONS: gettext_lazy("Organizations"),
    FOCAL_POINTS: gettext_lazy("Focal points"),
}
#: The most data rows one file may hold.
MAX_ROWS = 5000
#: Kinds of organization an import may create (IOM itself is made once, by operators).
IMPORT_KINDS = [k for k in Organization.Kind if k != Organization.Kind.IOM]

# Columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str  # the header in the template file
    label: object  # what staff read (lazy)
    required: bool
    help: object


ORGANIZATION_COLUMNS = [
    Column("name", gettext_lazy("name"), True, gettext_lazy("The organization's name.")),
    Column(
        "kind",
        gettext_lazy("kind"),
        True,
        gettext_lazy(
            "government, diaspora, academia, civil_society or private_sector (or the name "
            "in English, such as “Diaspora organization”)."
        ),
    ),
    Column(
        "country",
        gettext_lazy("country"),
        True,
        gettext_lazy(
            "Where it is based: the ISO code (FJ) or the English name (Fiji). A "
            "government may leave it empty: its member state's country is used."
        ),
    ),
    Column(
        "member_state",
        gettext_lazy("member state"),
        False,
        gettext_lazy("For governments: the member state's ISO code or English name."),
    ),
    Column(
        "countries_of_origin",
        gettext_lazy("countries of origin"),
        False,
        gettext_lazy("Codes or English names, separated by semicolons (FJ; PE)."),
    ),
    Column(
        "sectors",
        gettext_lazy("sectors"),
        False,
        gettext_lazy("Sector names or codes, separated by semicolons."),
    ),
    Column(
        "diaspora_capitals",
        gettext_lazy("diaspora capitals"),
        False,
        gettext_lazy("Capital names or codes (human, economic, social, cultural), by semicolons."),
    ),
    Column("contact_email", gettext_lazy("contact e-mail"), True, ""),
    Column("phone", gettext_lazy("phone"), False, ""),
    Column("website", gettext_lazy("website"), False, gettext_lazy("Such as www.example.org.")),
    Column("description", gettext_lazy("description"), False, ""),
]
FOCAL_POINT_COLUMNS = [
    Column("full_name", gettext_lazy("full name"), True, ""),
    Column("email", gettext_lazy("e-mail"), True, gettext_lazy("The invitation goes there.")),
    Column(
        "member_state",
        gettext_lazy("member state"),
        True,
        gettext_lazy("ISO code or English name; the invitation is to its government body."),
    ),
    Column(
        "organization",
        gettext_lazy("organization"),
        False,
        gettext_lazy("Only when the member state has several government bodies: which one."),
    ),
    Column("title", gettext_lazy("role or title"), False, ""),
    Column(
        "language",
        gettext_lazy("language"),
        False,
        gettext_lazy("en, fr or es: the language of the invitation e-mail."),
    ),
]
COLUMNS = {ORGANIZATIONS: ORGANIZATION_COLUMNS, FOCAL_POINTS: FOCAL_POINT_COLUMNS}
#: Other headers people write for the same columns.
ALIASES = {
    "contact_e_mail": "contact_email",
    "e_mail": "email",
    "email_address": "email",
    "e_mail_address": "email",
    "contact_phone": "phone",
    "telephone": "phone",
    "capitals": "diaspora_capitals",
    "role": "title",
    "role_title": "title",
    "role_or_title": "title",
    "preferred_language": "language",
    "name_of_the_organization": "name",
    "member_state_country": "member_state",
}


def normalise_header(header) -> str:
    text = str(header or "").replace("\ufeff", "").strip().lower()
    text = re.sub(r"[\s\-/]+", "_", text)
    return ALIASES.get(text, text)


def column_label(kind: str, name: str) -> str:
    found = next((c for c in COLUMNS[kind] if c.name == name), None)
    return str(found.label) if found else name


def template_csv(kind: str) -> str:
    """The header row staff fill in (UTF-8 with a BOM, so spreadsheets read accents)."""
    out = io.StringIO()
    csv.writer(out).writerow([c.name for c in COLUMNS[kind]])
    return "\ufeff" + out.getvalue()


# Reading the file ------------------------------------------------------------------------

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FileRefused(ValidationError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class ImportFile:
    dataset: tablib.Dataset  # headers normalised, every row as long as the headers
    format: str  # "csv" or "xlsx"
    ignored: list[str] = field(default_factory=list)  # headers that match no column


def _too_many(count: int) -> FileRefused:
    return FileRefused(
        ngettext(
            "The file has more than %(most)d row. Split it into files of at most %(most)d rows.",
            "The file has more than %(most)d rows. Split it into files of at most %(most)d rows.",
            MAX_ROWS,
        )
        % {"most": MAX_ROWS, "count": count}
    )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed as a number
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            _(
                "The file is not UTF-8 text. In your spreadsheet choose “Save as”, "
                "“CSV UTF-8 (comma delimited)”, or upload the XLSX file."
            )
        ) from exc
    if "\x00" in text:
        raise FileRefused(_("The file is not a CSV or XLSX file."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append([c.strip() for c in row])
            if len(rows) > MAX_ROWS + 1:
                raise _too_many(len(rows) - 1)
    except csv.Error as exc:
        raise FileRefused(
            _("The CSV file cannot be read near line %(line)d.") % {"line": reader.line_num}
        ) from exc
    return rows


#: An XLSX file is a zip; refuse one that would unpack to more than this (a zip bomb).
MAX_XLSX_UNPACKED = 100 * 1024 * 1024


def _xlsx_rows(data: bytes) -> list[list[str]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileRefused(_("The XLSX file cannot be opened. Save it again and retry.")) from exc
    if unpacked > MAX_XLSX_UNPACKED:
        raise FileRefused(
            _("The XLSX file holds too much data. Split it, or upload it as CSV (UTF-8).")
        )
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileRefused(_("The XLSX file cannot be opened. Save it again and retry.")) from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                raise _too_many(len(rows) - 1)
    finally:
        book.close()
    return rows


def sniff_format(data: bytes) -> str:
    """ "csv" or "xlsx" read from the content; anything else is refused."""
    guess = filetype.guess(data[:8192])
    if guess is None:
        return "csv"
    if guess.mime == XLSX_MIME or (guess.mime == "application/zip" and _is_xlsx(data)):
        return "xlsx"
    raise FileRefused(
        _(
            "This file is not a CSV or XLSX file (its content is %(type)s). Upload the "
            "spreadsheet as CSV (UTF-8) or XLSX."
        )
        % {"type": guess.mime}
    )


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_file(kind: str, data: bytes, name: str = "") -> ImportFile:
    """The file's rows as a dataset with the kind's column names as headers.

    Refused (``FileRefused``) when it is too large, not CSV or XLSX by its content, has
    more than ``MAX_ROWS`` rows, no header row, a required column missing or a column
    twice."""
    if len(data) > settings.UPLOAD_MAX_FILE_BYTES:
        raise FileRefused(
            _("The file is larger than %(size)d MB.")
            % {"size": settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    file_format = sniff_format(data)
    rows = _xlsx_rows(data) if file_format == "xlsx" else _csv_rows(data)
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise FileRefused(_("The file is empty."))
    headers = [normalise_header(h) for h in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    known = {c.name for c in COLUMNS[kind]}
    twice = sorted({h for h in headers if h and headers.count(h) > 1})
    if twice:
        raise FileRefused(
            _("The column “%(column)s” appears twice in the first row.") % {"column": twice[0]}
        )
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in headers]
    if missing:
        raise FileRefused(
            ngettext(
                "The required column “%(columns)s” is missing. The first row must hold "
                "the column names, as in the template file.",
                "The required columns “%(columns)s” are missing. The first row must hold "
                "the column names, as in the template file.",
                len(missing),
            )
            % {"columns": "”, “".join(missing)}
        )
    body = rows[1:]
    if not body:
        raise FileRefused(_("The file has a header row but no rows to import."))
    width = len(headers)
    dataset = tablib.Dataset(headers=[h or f"_blank{i}" for i, h in enumerate(headers)])
    for row in body:
        dataset.append((row + [""] * width)[:width])
    ignored = [h for h in headers if h and h not in known]
    return ImportFile(dataset=dataset, format=file_format, ignored=ignored)


# Looking values up -----------------------------------------------------------------------


def _split(value: str) -> list[str]:
    value = (value or "").strip()
    if not value:
        return []
    parts = re.split(r"[;|\n]", value) if re.search(r"[;|\n]", value) else value.split(",")
    return [p.strip() for p in parts if p.strip()]


def country_code(value: str) -> str:
    """An ISO code (two or three letters) or an English name; "" when unknown."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= 3 and value.isalpha():
        code = countries.alpha2(value.upper())
        if code:
            return code
    return countries.by_name(value) or ""


def _country_list(value: str) -> tuple[list[str], list[str]]:
    whole = country_code(value)
    if whole:
        return [whole], []
    found, unknown = [], []
    for part in _split(value):
        code = country_code(part)
        (found if code else unknown).append(code or part)
    return list(dict.fromkeys(found)), unknown


class Lookups:
    """Reference data for one file, loaded once (a fixed number of queries)."""

    def __init__(self, kind: str, dataset: tablib.Dataset):
        self.member_states = {s.country.code: s for s in MemberState.objects.all()}
        if kind == ORGANIZATIONS:
            self.sectors = self._by_names(Sector.objects.all())
            self.capitals = self._by_names(DiasporaCapital.objects.all())
            names = {str(n).strip().lower() for n in dataset["name"] if str(n).strip()}
            self.existing = set(
                Organization.objects.annotate(lower_name=Lower("name"))
                .filter(lower_name__in=names)
                .exclude(status=Organization.Status.REJECTED)
                .values_list("lower_name", "country")
            )
        else:
            self.governments: dict[int, list[Organization]] = {}
            for org in (
                Organization.objects.filter(kind=Organization.Kind.GOVERNMENT)
                .exclude(status=Organization.Status.REJECTED)
                .order_by("name")
            ):
                self.governments.setdefault(org.member_state_id, []).append(org)
            emails = {str(e).strip().lower() for e in dataset["email"] if str(e).strip()}
            self.members = set(
                Membership.objects.annotate(email=Lower("user__email"))
                .filter(email__in=emails, organization__kind=Organization.Kind.GOVERNMENT)
                .values_list("organization_id", "email")
            )
            self.invited = set(
                Invitation.objects.annotate(lower_email=Lower("email"))
                .filter(
                    lower_email__in=emails,
                    accepted_at__isnull=True,
                    revoked_at__isnull=True,
                    expires_at__gt=timezone.now(),
                )
                .values_list("organization_id", "lower_email")
            )

    @staticmethod
    def _by_names(queryset) -> dict:
        found = {}
        for obj in queryset:
            for key in (obj.slug, obj.name_en, obj.name_fr, obj.name_es):
                if key:
                    found.setdefault(key.strip().lower(), obj)
        return found


# Widgets: one cell to a value, or a ValueError whose message staff read -------------------


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return _cell(value)


class KindWidget(widgets.Widget):
    """The code (``civil_society``, ``civil society``) or the label, in English or in the
    reader's language."""

    def clean(self, value, row=None, **kwargs):
        text = _cell(value).lower()
        if not text:
            return ""
        for kind in IMPORT_KINDS:
            with translation.override("en"):
                english = str(kind.label).lower()
            names = {kind.value, kind.value.replace("_", " "), english, str(kind.label).lower()}
            if text in names:
                return kind.value
        raise ValueError(
            _("“%(value)s” is not a kind of organization. Use one of: %(kinds)s.")
            % {"value": value, "kinds": ", ".join(k.value for k in IMPORT_KINDS)}
        )


class CountryWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _cell(value)
        if not text:
            return ""
        code = country_code(text)
        if not code:
            raise ValueError(
                _("“%(value)s” is not a country. Use the ISO code (FJ) or the English name.")
                % {"value": text}
            )
        return code


class CountriesWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        codes, unknown = _country_list(_cell(value))
        if unknown:
            raise ValueError(
                ngettext(
                    "Unknown country: %(values)s.", "Unknown countries: %(values)s.", len(unknown)
                )
                % {"values": ", ".join(f"“{u}”" for u in unknown)}
            )
        return codes


class MemberStateWidget(widgets.Widget):
    def __init__(self, lookups: Lookups):
        super().__init__()
        self.lookups = lookups

    def clean(self, value, row=None, **kwargs):
        text = _cell(value)
        if not text:
            return None
        code = country_code(text)
        if not code:
            raise ValueError(
                _("“%(value)s” is not a country. Use the ISO code (FJ) or the English name.")
                % {"value": text}
            )
        state = self.lookups.member_states.get(code)
        if state is None:
            raise ValueError(
                _("%(country)s is not a member state of the alliance.")
                % {"country": countries.name(code)}
            )
        return state


class NamedListWidget(widgets.Widget):
    """Sectors or diaspora capitals by name (in any portal language) or code."""

    def __init__(self, found: dict, unknown_message):
        super().__init__()
        self.found = found
        self.unknown_message = unknown_message

    def clean(self, value, row=None, **kwargs):
        chosen, unknown = [], []
        for part in _split(_cell(value)):
            obj = self.found.get(part.lower())
            if obj is None:
                unknown.append(part)
            elif obj not in chosen:
                chosen.append(obj)
        if unknown:
            raise ValueError(
                str(self.unknown_message) % {"values": ", ".join(f"“{u}”" for u in unknown)}
            )
        return chosen


class LanguageWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _cell(value).lower()
        if not text:
            return ""
        for code, name in settings.LANGUAGES:
            local = {"en": "english", "fr": "français", "es": "español"}.get(code, "")
            if text in {code, str(name).lower(), local, local.replace("ç", "c").replace("ñ", "n")}:
                return code
        raise ValueError(
            _("“%(value)s” is not a portal language. Use en, fr or es.") % {"value": text}
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
        return not any(_cell(v) for v in row.values())

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


# The kept preview -------------------------------------------------------------------------

PREVIEW_LIFETIME = timedelta(hours=2)
STORAGE_PREFIX = "imports/"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class PreviewUnavailable(ValidationError):
    """The preview expired, or was already confirmed."""


@dataclass
class ImportPreview:
    token: str
    kind: str
    owner_id: int
    file_name: str
    file_format: str
    sha256: str
    created_at: str  # ISO 8601, UTC
    columns: list[str]
    ignored: list[str]
    rows: list[dict]
    importable: list[int] = field(default_factory=list)

    @property
    def started(self) -> datetime:
        return datetime.fromisoformat(self.created_at)

    @property
    def expires_at(self) -> datetime:
        return self.started + PREVIEW_LIFETIME

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires_at

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r["status"] == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in (NEW, DUPLICATE, INVALID)}


def preview_path(token: str, suffix: str) -> str:
    return f"{STORAGE_PREFIX}{token}.{suffix}"


def preview_get(token: str) -> ImportPreview | None:
    """The kept preview, or None (never made, or already swept away)."""
    if not _TOKEN.match(token or ""):
        return None
    try:
        with default_storage.open(preview_path(token, "json")) as stored:
            return ImportPreview(**json.loads(stored.read()))
    except (FileNotFoundError, OSError, ValueError, TypeError):
        return None
