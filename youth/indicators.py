"""Youth indicators for the results dashboard and the donor report (Outcome 2): youth
participants, youth inputs to the recommendations taken up, and Youth Voices stories
published, by gender and age band. Ages are counted on the last day of the period, from
the date of birth the person gave (a person with none is "Not stated")."""

import datetime

from django.db.models import Case, Count, F, IntegerField, Min, Q, Value, When
from django.utils.translation import gettext as _
from django_countries import countries

from alliance.models import RecommendationInput, Sector
from gdpa.results.registry import Figures, Total, breakdown, gender_labels, period_bounds

from .figures import TAKEN_UP, _born_aged, age_bands
from .models import Story, YouthProfile, YouthSettings

#: Band numbers for the two rows outside the configured bands.
NOT_STATED = -2
OUTSIDE = -1


def _date(value) -> datetime.date | None:
    return value.date() if isinstance(value, datetime.datetime) else value


def _age_band(date_of_birth: str, bands, on: datetime.date) -> Case:
    """The band number of the person's age on ``on``, as a database expression."""
    whens = [When(**{f"{date_of_birth}__isnull": True}, then=Value(NOT_STATED))]
    for i, band in enumerate(bands):
        born = _born_aged(band.low, band.high, on)
        whens.append(
            When(
                Q(**{f"{date_of_birth}__{lookup}": value for lookup, value in _lookups(born)}),
                then=Value(i),
            )
        )
    return Case(*whens, default=Value(OUTSIDE), output_field=IntegerField())


def _lookups(condition: Q):
    """The (lookup, value) pairs of ``_born_aged``'s ``date_of_birth__...`` condition."""
    for name, value in condition.children:
        yield name.removeprefix("date_of_birth__"), value


def _band_labels(bands) -> dict:
    return {
        **{i: b.label for i, b in enumerate(bands)},
        OUTSIDE: _("Outside the youth age range"),
        NOT_STATED: _("Not stated"),
    }


def _by_age(base, date_of_birth: str, on: datetime.date, measures: dict, labels) -> object:
    """Rows of ``measures`` by age band (one query), in the bands' order."""
    age_range = YouthSettings.current()
    bands = age_bands(age_range.min_age, age_range.max_age)
    rows = list(
        base.annotate(band=_age_band(date_of_birth, bands, on))
        .values("band")
        .annotate(**measures)
        .order_by()
    )
    found = breakdown(
        "by_age", _("By age band"), labels, rows, by="band", labels=_band_labels(bands)
    )
    # Bands read youngest first, then outside the range, then not stated.
    order = {str(label): n for n, label in enumerate(_band_labels(bands).values())}
    return type(found)(
        key=found.key,
        title=found.title,
        measures=found.measures,
        rows=tuple(sorted(found.rows, key=lambda r: order.get(r["label"], len(order)))),
    )


def _by_gender(base, gender: str, measures: dict, labels):
    rows = base.values(gender=F(gender)).annotate(**measures).order_by()
    return breakdown("by_gender", _("By gender"), labels, rows, by="gender", labels=gender_labels())


# Youth participants ---------------------------------------------------------------------


def participants_first_date() -> datetime.date | None:
    return _date(YouthProfile.objects.aggregate(first=Min("created_at"))["first"])


def participants_figures(period_start: datetime.date, period_end: datetime.date) -> Figures:
    """Youth participants who had joined by the end of the period (and those who joined
    in it), by gender, age band and country of residence. Four queries and the age
    range."""
    start, end = period_bounds(period_start, period_end)
    base = YouthProfile.objects.filter(created_at__lt=end)
    measures = {"count": Count("pk"), "joined": Count("pk", filter=Q(created_at__gte=start))}
    labels = (("count", _("Youth participants")), ("joined", _("Joined in the period")))
    totals = base.aggregate(**measures)
    residence = base.values(country=F("country_of_residence")).annotate(**measures).order_by()
    return Figures(
        totals=(
            Total("participants", _("Youth participants"), totals["count"]),
            Total("joined", _("Youth participants who joined in the period"), totals["joined"]),
        ),
        breakdowns=(
            _by_gender(base, "user__gender", measures, labels),
            _by_age(base, "date_of_birth", period_end, measures, labels),
            breakdown(
                "by_country",
                _("By country of residence"),
                labels,
                residence,
                by="country",
                labels=dict(countries),
            ),
        ),
        note=_(
            "Young people with a youth participant profile on the last day of the period; "
            "ages on that day."
        ),
    )


# Youth inputs ---------------------------------------------------------------------------


def inputs_first_date() -> datetime.date | None:
    return _date(
        RecommendationInput.objects.filter(is_youth=True).aggregate(first=Min("created_at"))[
            "first"
        ]
    )


def inputs_figures(period_start: datetime.date, period_end: datetime.date) -> Figures:
    """Youth inputs given in the period and, of them, those taken up (taken up or merged
    into the recommendation's text), by gender, age band and sector. Four queries."""
    start, end = period_bounds(period_start, period_end)
    base = RecommendationInput.objects.filter(
        is_youth=True, created_at__gte=start, created_at__lt=end
    )
    measures = {"given": Count("pk"), "taken_up": Count("pk", filter=Q(status__in=TAKEN_UP))}
    labels = (("given", _("Given")), ("taken_up", _("Taken up")))
    totals = base.aggregate(**measures, people=Count("author", distinct=True))
    sectors = base.values(sector=F("recommendation__track__sector")).annotate(**measures).order_by()
    return Figures(
        totals=(
            Total("given", _("Youth inputs given"), totals["given"]),
            Total("taken_up", _("Youth inputs taken up"), totals["taken_up"]),
            Total("people", _("Young people who gave input"), totals["people"]),
        ),
        breakdowns=(
            _by_gender(base, "author__gender", measures, labels),
            _by_age(base, "author__youth_profile__date_of_birth", period_end, measures, labels),
            breakdown(
                "by_sector",
                _("By sector"),
                labels,
                sectors,
                by="sector",
                labels={s.pk: s.name for s in Sector.objects.all()},
            ),
        ),
        note=_(
            "Comments and proposed amendments given by youth participants in the period; "
            "taken up: IOM staff took them up or merged them into the recommendation."
        ),
    )


# Youth Voices stories -------------------------------------------------------------------


def stories_first_date() -> datetime.date | None:
    return _date(
        Story.objects.filter(status=Story.Status.PUBLISHED).aggregate(first=Min("published_at"))[
            "first"
        ]
    )


def stories_figures(period_start: datetime.date, period_end: datetime.date) -> Figures:
    """Youth Voices stories published in the period (and still published), by their
    author's gender and age band and by sector. Four queries."""
    start, end = period_bounds(period_start, period_end)
    base = Story.objects.filter(
        status=Story.Status.PUBLISHED, published_at__gte=start, published_at__lt=end
    )
    measures = {"stories": Count("pk"), "authors": Count("author", distinct=True)}
    labels = (("stories", _("Stories")), ("authors", _("Authors")))
    totals = base.aggregate(**measures)
    sectors = base.values("sector").annotate(**measures).order_by()
    return Figures(
        totals=(
            Total("stories", _("Stories published"), totals["stories"]),
            Total("authors", _("Young authors"), totals["authors"]),
        ),
        breakdowns=(
            _by_gender(base, "author__gender", measures, labels),
            _by_age(base, "author__youth_profile__date_of_birth", period_end, measures, labels),
            breakdown(
                "by_sector",
                _("By sector"),
                labels,
                sectors,
                by="sector",
                labels={s.pk: s.name for s in Sector.objects.all()},
            ),
        ),
        note=_("Youth Voices stories published in the period and still on the showcase."),
    )
