"""Cells to values: countries, member states, sectors, capitals, kinds and languages,
and the reference data they are looked up in, loaded once per file."""

import re

import tablib
from django.conf import settings
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries
from import_export import widgets

from ..models import DiasporaCapital, Invitation, Membership, MemberState, Organization, Sector
from .columns import IMPORT_KINDS, ORGANIZATIONS
from .files import cell_text

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
        return cell_text(value)


class KindWidget(widgets.Widget):
    """The code (``civil_society``, ``civil society``) or the label, in English or in the
    reader's language."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).lower()
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
        text = cell_text(value)
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
        codes, unknown = _country_list(cell_text(value))
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
        text = cell_text(value)
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
        for part in _split(cell_text(value)):
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
        text = cell_text(value).lower()
        if not text:
            return ""
        for code, name in settings.LANGUAGES:
            local = {"en": "english", "fr": "français", "es": "español"}.get(code, "")
            if text in {code, str(name).lower(), local, local.replace("ç", "c").replace("ñ", "n")}:
                return code
        raise ValueError(
            _("“%(value)s” is not a portal language. Use en, fr or es.") % {"value": text}
        )
