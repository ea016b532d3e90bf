"""The two kinds of import and their columns: names, labels, what each accepts, the
other headers people write for them, and the template file."""

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from ..models import Organization

ORGANIZATIONS = "organizations"
FOCAL_POINTS = "focal_points"
KINDS = {
    ORGANIZATIONS: gettext_lazy("Organizations"),
    FOCAL_POINTS: gettext_lazy("Focal points"),
}
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
