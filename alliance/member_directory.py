"""The staff member directory: its filter forms and the reads behind its two tabs
(organizations and people). The same forms read an export's filters
(``alliance.member_exports``), so an export holds exactly what the page showed.

Activity ("took part in something in the last N months") comes from activity sources:
the alliance's own (session attendance) and those the apps above it register in their
``AppConfig.ready()`` (trainings: enrollments) with ``register_activity_source``. Each is
a queryset of rows with a person and a date, used in ``Exists`` subqueries, so every
filter stays one SQL query.
"""

import calendar
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gdpa.cache import Generation
from gdpa.portal.countries import country_choices as all_country_choices
from gdpa.portal.countries import country_names
from gdpa.portal.widgets import QuickSelect

from . import selectors
from .models import DiasporaCapital, Membership, MemberState, Organization, Participant, Sector

PER_PAGE = 50
MAX_SELECTED = 500
#: Seconds a tab's total for one set of filters is kept in the shared cache.
COUNT_SECONDS = 60
_COUNT_GENERATION = Generation("gdpa:directory-counts")
#: Query parameters that do not change which rows match (the total stays the same).
_NOT_COUNTED = ("page", "check", "sort")
#: Seconds the organizations' countries (the organizations tab's country list) are kept:
#: an organization from a new country shows in the list within it.
COUNTRIES_SECONDS = 60


# Activity sources ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivitySource:
    """Something a person does that counts as activity. ``rows()`` returns a queryset
    with a ``user`` foreign key and a date field named ``at_field``."""

    key: str
    label: object
    rows: Callable[[], QuerySet]
    at_field: str
    order: int = 100


_sources: dict[str, ActivitySource] = {}


def register_activity_source(source: ActivitySource) -> None:
    _sources[source.key] = source


def activity_sources() -> list[ActivitySource]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.key))


def _session_attendance() -> QuerySet:
    return Participant.objects.filter(attended=True, user__isnull=False)


register_activity_source(
    ActivitySource(
        "session",
        _("Took part in a session"),
        _session_attendance,
        "session__starts_at",
        order=10,
    )
)


def months_ago(moment, months: int):
    """``moment`` ``months`` calendar months earlier (the day clamped to the month's end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


ANY_ACTIVITY = "any"
NO_ACTIVITY = "none"


def _active_since(source: ActivitySource, since, person=None) -> Exists:
    """``Exists``: the person (``OuterRef`` ``person``, default the outer row) had this
    activity since ``since``."""
    rows = source.rows().filter(
        user=person if person is not None else OuterRef("pk"),
        **{f"{source.at_field}__gte": since, f"{source.at_field}__lte": timezone.now()},
    )
    return Exists(rows)


def _activity_condition(activity: str, since, person=None) -> Q | Exists | None:
    """The activity filter for a person: one source, any source, or none at all."""
    if not activity:
        return None
    if activity in (ANY_ACTIVITY, NO_ACTIVITY):
        chosen = activity_sources()
    else:
        chosen = [s for s in activity_sources() if s.key == activity]
    if activity == NO_ACTIVITY:
        # NOT EXISTS a AND NOT EXISTS b (not NOT (a OR b)): PostgreSQL turns each into
        # an anti-join instead of testing every row against both subqueries.
        condition = Q()
        for source in chosen:
            condition &= ~Q(_active_since(source, since, person))
        return condition
    condition = Q()
    for source in chosen:
        condition |= Q(_active_since(source, since, person))
    return condition


def _organizations_active(activity: str, since) -> list:
    """Per chosen source, the ids of organizations with a member who had the activity
    since ``since`` (a subquery each: a semi-join from the activity rows to the
    memberships, hashed once)."""
    chosen = [s for s in activity_sources() if activity == ANY_ACTIVITY or s.key == activity]
    subqueries = []
    for source in chosen:
        rows = source.rows().filter(
            **{f"{source.at_field}__gte": since, f"{source.at_field}__lte": timezone.now()}
        )
        subqueries.append(
            Membership.objects.filter(user_id__in=rows.values("user_id")).values("organization_id")
        )
    return subqueries


# Forms ----------------------------------------------------------------------------------------


class IdsField(forms.Field):
    """Repeated ids (``selected=3&selected=5``): a list of positive integers."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": _("The selection is not valid; choose the rows again."),
        "too_many": _("Choose at most %(max)s rows at a time."),
    }

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            ids = sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if any(i <= 0 for i in ids):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if len(ids) > MAX_SELECTED:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": MAX_SELECTED}
            )
        return ids


def _choice_errors(what) -> dict:
    return {"invalid_choice": what}


class MemberStateChoiceField(forms.ModelChoiceField):
    """Member states named from the per-language cache (175 translations a page saved)."""

    def label_from_instance(self, obj) -> str:
        return country_names().get(obj.country.code, obj.country.code)


class _DirectoryForm(forms.Form):
    """What both tabs filter on. Each invalid field is reported next to itself and left
    out; the others still apply."""

    SORTS: dict[str, tuple[str, ...]] = {}
    DEFAULT_SORT = "name"

    q = forms.CharField(
        label=_("Name or e-mail"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("Search with at most %(limit_value)d characters.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *Organization.Kind.choices],
        required=False,
        error_messages=_choice_errors(_("Choose one of the kinds in the list.")),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        widget=QuickSelect,
        error_messages=_choice_errors(_("Choose one of the countries in the list.")),
    )
    member_state = MemberStateChoiceField(
        label=_("Member state"),
        queryset=MemberState.objects.none(),
        required=False,
        widget=QuickSelect,
        empty_label=_("All member states"),
        error_messages=_choice_errors(_("Choose one of the member states in the list.")),
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All sectors"),
        error_messages=_choice_errors(_("Choose one of the sectors in the list.")),
    )
    capital = forms.ModelChoiceField(
        label=_("Diaspora capital"),
        queryset=DiasporaCapital.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All diaspora capitals"),
        error_messages=_choice_errors(_("Choose one of the diaspora capitals in the list.")),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *Organization.Status.choices],
        required=False,
        error_messages=_choice_errors(_("Choose one of the statuses in the list.")),
    )
    activity = forms.ChoiceField(
        label=_("Activity"),
        required=False,
        error_messages=_choice_errors(_("Choose one of the activities in the list.")),
    )
    months = forms.IntegerField(
        label=_("In the last (months)"),
        required=False,
        min_value=1,
        max_value=120,
        error_messages={
            "invalid": _("Enter a whole number of months."),
            "min_value": _("Enter at least %(limit_value)s month."),
            "max_value": _("Enter at most %(limit_value)s months."),
        },
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        widget=forms.HiddenInput,
        error_messages=_choice_errors(_("This column cannot be sorted; the list is by name.")),
    )
    selected = IdsField(required=False)

    DEFAULT_MONTHS = 12

    def __init__(self, *args, country_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if country_choices is None:
            country_choices = all_country_choices()
        self.fields["country"].choices = [("", _("All countries")), *country_choices]
        self.fields["member_state"].queryset = MemberState.objects.all()
        self.fields["activity"].choices = [
            ("", _("Any or none")),
            (ANY_ACTIVITY, _("Any activity")),
            *[(s.key, s.label) for s in activity_sources()],
            (NO_ACTIVITY, _("No activity")),
        ]
        self.fields["sort"].choices = [
            ("", ""),
            *[(key, key) for key in self.SORTS],
            *[(f"-{key}", key) for key in self.SORTS],
        ]

    def filters(self) -> dict:
        """The valid filters (an invalid field is left out); nothing for an unbound form."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}

    @property
    def ordering(self) -> tuple[str, bool]:
        """The sort key and whether it is descending."""
        sort = self.filters().get("sort", "") or self.DEFAULT_SORT
        return sort.lstrip("-"), sort.startswith("-")

    def order_by(self) -> list[str]:
        key, descending = self.ordering
        fields = self.SORTS.get(key) or self.SORTS[self.DEFAULT_SORT]
        return [f"-{f}" if descending else f for f in fields] + ["-pk" if descending else "pk"]

    def since(self, filters: dict):
        return months_ago(timezone.now(), filters.get("months") or self.DEFAULT_MONTHS)


class OrganizationDirectoryForm(_DirectoryForm):
    SORTS = {
        "name": ("name",),
        "country": ("country", "name"),
        "kind": ("kind", "name"),
        "status": ("status", "name"),
        "registered": ("created_at",),
    }


class PeopleDirectoryForm(_DirectoryForm):
    """People filter on the organizations they belong to (kind, member state, sector,
    capital, status: one membership matches them all) and on their own country of
    residence, name and e-mail."""

    SORTS = {
        "name": ("full_name",),
        "email": ("email",),
        "country": ("country_of_residence", "full_name"),
        "joined": ("date_joined",),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].label = _("Country of residence")
        self.fields["kind"].label = _("Organization kind")
        self.fields["status"].label = _("Organization status")


# Reads ----------------------------------------------------------------------------------------


def organizations_directory(
    filters: dict, order_by=("name", "pk"), *, fields: tuple[str, ...] = ()
) -> QuerySet[Organization]:
    """Organizations matching the directory's ``filters`` (``form.filters()``), ordered;
    with ``fields``, only those columns are read (the page's rows)."""
    qs = Organization.objects.only(*fields) if fields else Organization.objects.all()
    if filters.get("selected"):
        qs = qs.filter(pk__in=filters["selected"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("country"):
        qs = qs.filter(country=filters["country"])
    if filters.get("member_state"):
        qs = qs.filter(member_state=filters["member_state"])
    if filters.get("sector"):
        through = Organization.sectors.through.objects.filter(
            organization=OuterRef("pk"), sector=filters["sector"]
        )
        qs = qs.filter(Exists(through))
    if filters.get("capital"):
        through = Organization.capitals.through.objects.filter(
            organization=OuterRef("pk"), diasporacapital=filters["capital"]
        )
        qs = qs.filter(Exists(through))
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(Q(name__icontains=q) | Q(contact_email__icontains=q))
    activity = filters.get("activity")
    if activity:
        # The organizations with an active member, as sets (hashed subplans): cheaper
        # than asking, organization by organization, each member's activity.
        since = _DirectoryForm().since(filters)
        wanted = ANY_ACTIVITY if activity == NO_ACTIVITY else activity
        condition = Q(pk__in=[])
        for active in _organizations_active(wanted, since):
            condition |= Q(pk__in=active)
        qs = qs.exclude(condition) if activity == NO_ACTIVITY else qs.filter(condition)
    return qs.order_by(*order_by)


def people_directory(
    filters: dict, order_by=("full_name", "pk"), *, fields: tuple[str, ...] = ()
) -> QuerySet:
    """People (active accounts) matching the directory's ``filters``, ordered; with
    ``fields``, only those columns are read (the page's rows)."""
    qs = get_user_model().objects.filter(is_active=True)
    if fields:
        qs = qs.only(*fields)
    if filters.get("selected"):
        qs = qs.filter(pk__in=filters["selected"])
    membership = {}
    for key, lookup in [
        ("kind", "organization__kind"),
        ("status", "organization__status"),
        ("member_state", "organization__member_state"),
    ]:
        if filters.get(key):
            membership[lookup] = filters[key]
    if filters.get("sector"):
        membership["organization__sectors"] = filters["sector"]
    if filters.get("capital"):
        membership["organization__capitals"] = filters["capital"]
    if membership:
        qs = qs.filter(Exists(Membership.objects.filter(user=OuterRef("pk"), **membership)))
    if filters.get("country"):
        qs = qs.filter(country_of_residence=filters["country"])
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    activity = filters.get("activity")
    if activity:
        qs = qs.filter(_activity_condition(activity, _DirectoryForm().since(filters)))
    return qs.order_by(*order_by)


class CountedPaginator(Paginator):
    """The directory's pages, with the total kept in the shared cache for ``COUNT_SECONDS``
    per tab and filters. Counting 100,000 people behind a broad filter was most of a
    page's database time (docs/benchmarks.md), and the same totals are asked for again
    and again; the rows of the page are always read afresh. The directory's own status
    changes (verify, reject, suspend, reinstate: ``services.organizations._move``) forget
    the totals once committed (``forget_counts``); other changes (a sign-up, an import) show in the totals within ``COUNT_SECONDS``."""

    def __init__(self, object_list, per_page, *, tab: str, query):
        super().__init__(object_list, per_page)
        counted = sorted(
            (key, sorted(values)) for key, values in query.lists() if key not in _NOT_COUNTED
        )
        self._count_key = hashlib.sha256(repr((tab, counted)).encode()).hexdigest()

    def page(self, number):
        """A full page of rows even when the kept total is behind (Django's ``page`` stops
        at the total: rows added since it was counted would be left out)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)

    @cached_property
    def count(self) -> int:
        key = f"gdpa:directory-count:{_COUNT_GENERATION.current()}:{self._count_key}"
        total = cache.get(key)
        if total is None:
            total = super().count
            cache.set(key, total, COUNT_SECONDS)
        return total


def forget_counts() -> None:
    """Drop every cached total (after an organization's status changed)."""
    _COUNT_GENERATION.advance()


def with_people_details(people) -> list:
    """A page of people with their memberships (organization and role) and their last
    activity (``last_activity``, the latest of every source): two queries."""
    rows = list(people)
    ids = [p.pk for p in rows]
    memberships: dict[int, list[Membership]] = {}
    for m in (
        Membership.objects.filter(user__in=ids)
        .select_related("organization")
        .only("user_id", "organization_id", "role", "organization__name")
        .order_by("organization__name", "pk")
    ):
        memberships.setdefault(m.user_id, []).append(m)
    annotations = {
        f"last_{s.key}": Subquery(
            s.rows()
            .filter(user=OuterRef("pk"), **{f"{s.at_field}__lte": timezone.now()})
            .order_by(f"-{s.at_field}")
            .values(s.at_field)[:1]
        )
        for s in activity_sources()
    }
    last = {}
    if ids and annotations:
        for values in (
            get_user_model()
            .objects.filter(pk__in=ids)
            .annotate(**annotations)
            .values("pk", *annotations)
        ):
            dates = [values[k] for k in annotations if values[k] is not None]
            last[values["pk"]] = max(dates) if dates else None
    for person in rows:
        person.directory_memberships = memberships.get(person.pk, [])
        person.last_activity = last.get(person.pk)
    return rows


def upcoming_sessions() -> QuerySet:
    """Sessions people may still be invited to: scheduled and not started."""
    from .models import AllianceSession

    return AllianceSession.objects.filter(
        status=AllianceSession.Status.SCHEDULED, starts_at__gt=timezone.now()
    ).order_by("starts_at", "pk")


def already_invited(session, people) -> list:
    """Those of ``people`` already invited to ``session``, by their account or by their
    address standing in for it (one query)."""
    emails = [p.email.lower() for p in people]
    invited = set(
        Participant.objects.filter(session=session)
        .filter(Q(user__in=[p.pk for p in people]) | Q(email__in=emails))
        .values_list("email", "user_id")
    )
    invited_emails = {e for e, _u in invited}
    invited_users = {u for _e, u in invited if u}
    return [p for p in people if p.pk in invited_users or p.email.lower() in invited_emails]


def organization_countries() -> list[tuple[str, str]]:
    """The countries organizations are based in (the organizations tab's country list),
    in the reader's language, kept ``COUNTRIES_SECONDS``: reading them scans every
    organization."""
    return cache.get_or_set(
        f"gdpa:directory-countries:{get_language()}",
        selectors.organization_countries,
        COUNTRIES_SECONDS,
    )
