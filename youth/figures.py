"""Youth participation figures for IOM staff: the current youth participants by gender,
age band, country of residence, country of origin and sector of interest; and what they
did: youth inputs to the recommendations (given and taken up), alliance sessions attended
and Youth Voices stories published. A fixed number of queries, whatever the numbers."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from alliance.models import Participant, RecommendationInput, Sector
from gdpa.accounts.models import Gender

from .age import latest_birth_date
from .models import Story, YouthProfile, YouthSettings

#: The usual youth age bands start at these ages; the configured range clips them.
BAND_STARTS = (25, 30)
TAKEN_UP = (RecommendationInput.Status.TAKEN_UP, RecommendationInput.Status.MERGED)


@dataclass(frozen=True)
class Band:
    low: int
    high: int

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}" if self.high > self.low else str(self.low)


def age_bands(min_age: int, max_age: int) -> list[Band]:
    """18-24, 25-29, 30-35 for the default range: the cut points at 25 and 30, the first
    band starting at the youngest age and the last ending at the oldest."""
    starts = [min_age, *(s for s in BAND_STARTS if min_age < s <= max_age)]
    ends = [s - 1 for s in starts[1:]] + [max_age]
    return [Band(low, high) for low, high in zip(starts, ends, strict=True)]


def _born_aged(low: int, high: int, today: datetime.date) -> Q:
    """Profiles whose age on ``today`` is from ``low`` to ``high`` (both included)."""
    return Q(
        date_of_birth__lte=latest_birth_date(low, today),
        date_of_birth__gt=latest_birth_date(high + 1, today),
    )


def _labelled(rows: list[dict], key: str, labels: dict, empty) -> list[dict]:
    for row in rows:
        row["label"] = str(labels.get(row[key], row[key])) if row[key] else str(empty)
    return rows


def youth_figures(today: datetime.date) -> dict:
    """The figures on ``today`` (the viewer's date: ages are computed on it)."""
    age_range = YouthSettings.current()
    bands = age_bands(age_range.min_age, age_range.max_age)
    without_sector = ~Exists(
        YouthProfile.interests.through.objects.filter(youthprofile_id=OuterRef("pk"))
    )
    overall = YouthProfile.objects.aggregate(
        total=Count("pk"),
        no_sector=Count("pk", filter=without_sector),
        outside=Count(
            "pk",
            filter=~_born_aged(age_range.min_age, age_range.max_age, today),
        ),
        **{
            f"band{i}": Count("pk", filter=_born_aged(b.low, b.high, today))
            for i, b in enumerate(bands)
        },
    )
    by_age = [{"label": b.label, "count": overall[f"band{i}"]} for i, b in enumerate(bands)]
    if overall["outside"]:
        by_age.append(
            {"label": str(_("Outside the current age range")), "count": overall["outside"]}
        )

    gender_labels = {**dict(Gender.choices), Gender.SELF_DESCRIBED: _("Self-described")}
    by_gender = _labelled(
        list(
            YouthProfile.objects.values(gender=F("user__gender"))
            .annotate(count=Count("pk"))
            .order_by("gender")
        ),
        "gender",
        gender_labels,
        _("Not stated"),
    )
    by_residence = _labelled(
        list(
            YouthProfile.objects.values("country_of_residence")
            .annotate(count=Count("pk"))
            .order_by("country_of_residence")
        ),
        "country_of_residence",
        dict(countries),
        _("Not stated"),
    )
    # Several countries of origin are stored in one column: counted here, one row each.
    origins = Counter(
        code
        for value in YouthProfile.objects.values_list("heritage_countries", flat=True)
        for code in (value if isinstance(value, list) else str(value).split(","))
        if code
    )
    by_origin = sorted(
        ({"label": str(dict(countries).get(c, c)), "count": n} for c, n in origins.items()),
        key=lambda row: (-row["count"], row["label"]),
    )

    inputs = {
        row["sector"]: row
        for row in RecommendationInput.objects.filter(is_youth=True)
        .values(sector=F("recommendation__track__sector"))
        .annotate(
            given=Count("pk"),
            taken_up=Count("pk", filter=Q(status__in=TAKEN_UP)),
        )
        .order_by()
    }
    by_sector = []
    for sector in Sector.objects.annotate(
        participants=Count("youthprofile", distinct=True),
        stories=Count(
            "youth_stories",
            filter=Q(youth_stories__status=Story.Status.PUBLISHED),
            distinct=True,
        ),
    ).order_by("position", "name_en"):
        given = inputs.get(sector.pk, {})
        by_sector.append(
            {
                "label": sector.name,
                "participants": sector.participants,
                "inputs_given": given.get("given", 0),
                "inputs_taken_up": given.get("taken_up", 0),
                "stories": sector.stories,
            }
        )
    attendance = Participant.objects.filter(
        attended=True, user__youth_profile__isnull=False
    ).aggregate(
        attendances=Count("pk"),
        people=Count("user", distinct=True),
        sessions=Count("session", distinct=True),
    )
    return {
        "age_range": age_range,
        "total": overall["total"],
        "no_sector": overall["no_sector"],
        "by_gender": by_gender,
        "by_age": by_age,
        "by_residence": by_residence,
        "by_origin": by_origin,
        "by_sector": by_sector,
        "inputs_given": sum(row["inputs_given"] for row in by_sector),
        "inputs_taken_up": sum(row["inputs_taken_up"] for row in by_sector),
        "stories": sum(row["stories"] for row in by_sector),
        "attendance": attendance,
    }
