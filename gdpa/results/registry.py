"""The indicators of the results dashboard and the donor progress report.

The kernel knows no app: each app registers, in its ``AppConfig.ready()``, the indicators
it can compute (from an ``indicators.py`` module of its own)::

    register_indicator(
        Indicator(
            key="sessions",
            label=_("Sessions held and participation"),
            outcome=OUTCOME_1,
            order=20,
            compute=session_figures,     # (period_start, period_end) -> Figures
            first_date=first_session,    # () -> date | None, for the default period
        )
    )

``compute`` takes the first and the last day of the period (both included, days counted
in UTC: ``period_bounds`` turns them into aware datetimes) and returns ``Figures``: totals
and breakdowns, every number counted by the database (``aggregate``, ``annotate``,
``values`` + ``Count``), never by loading rows into Python, so an indicator runs a fixed
number of queries whatever the data. Labels are plain strings in the active language.

A value left empty reads "Not stated" (never guessed); "Prefer not to say" is an answer
and keeps its own row.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Outcome:
    number: int
    title: object
    text: object


#: The project's two outcomes, as IOM's project page words them.
OUTCOME_1 = Outcome(
    1,
    _("Outcome 1: a global ecosystem for diaspora engagement"),
    _(
        "The Global Diaspora Policy Alliance is recognised as the global ecosystem for "
        "governments and relevant stakeholders to maximise diaspora engagement."
    ),
)
OUTCOME_2 = Outcome(
    2,
    _("Outcome 2: young diaspora leaders take part"),
    _(
        "Young diaspora leaders actively take part in developing the next generation of "
        "diaspora initiatives through inclusive, rights-based and whole-of-society approaches."
    ),
)
OUTCOMES = (OUTCOME_1, OUTCOME_2)


@dataclass(frozen=True)
class Total:
    key: str
    label: str
    value: int


@dataclass(frozen=True)
class Breakdown:
    """A table of counts: one row per category (``label``), one column per measure."""

    key: str
    title: str
    #: (key, label) of each measure, in column order.
    measures: tuple[tuple[str, str], ...]
    #: ``{"label": str, "values": (int, ...)}`` in the order of ``measures``.
    rows: tuple[dict, ...]


@dataclass(frozen=True)
class Figures:
    totals: tuple[Total, ...] = ()
    breakdowns: tuple[Breakdown, ...] = ()
    #: What is counted and how, in a sentence for the reader.
    note: str = ""

    def total(self, key: str) -> int:
        return next(t.value for t in self.totals if t.key == key)

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)

    def as_dict(self) -> dict:
        """Plain values (for the report's fingerprint)."""
        return {
            "totals": [[t.key, t.label, t.value] for t in self.totals],
            "breakdowns": [
                [
                    b.key,
                    b.title,
                    [list(m) for m in b.measures],
                    [[r["label"], list(r["values"])] for r in b.rows],
                ]
                for b in self.breakdowns
            ],
            "note": self.note,
        }


@dataclass(frozen=True)
class Indicator:
    key: str
    label: object
    outcome: Outcome
    compute: Callable[[datetime.date, datetime.date], Figures]
    order: int = 100
    #: The day of the indicator's first data (for the default period), or ``None``.
    first_date: Callable[[], datetime.date | None] | None = None


_indicators: dict[str, Indicator] = {}


def register_indicator(indicator: Indicator) -> None:
    _indicators[indicator.key] = indicator


def indicators() -> list[Indicator]:
    return sorted(_indicators.values(), key=lambda i: (i.outcome.number, i.order, i.key))


def indicator(key: str) -> Indicator:
    return _indicators[key]


# Helpers for the apps' indicators ----------------------------------------------------------


def period_bounds(
    period_start: datetime.date, period_end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as aware UTC datetimes: from the start of its first day (included) to the
    start of the day after its last (excluded). Times are stored in UTC; the period's days
    are UTC days, so the dashboard and the donor report count the same whoever looks."""
    start = datetime.datetime.combine(period_start, datetime.time.min, tzinfo=datetime.UTC)
    end = datetime.datetime.combine(
        period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
    )
    return start, end


def not_stated() -> str:
    return gettext("Not stated")


def breakdown(
    key: str,
    title,
    measures: Iterable[tuple[str, object]],
    rows: Iterable[dict],
    *,
    by: str,
    labels: dict | None = None,
    empty=None,
) -> Breakdown:
    """A breakdown from ``values(by).annotate(**measures)`` rows: each row's ``by`` value
    becomes its label (through ``labels``), an empty value reads ``empty`` ("Not stated"
    by default). Rows with the same label (an empty string and a null) are added up; the
    empty row comes last."""
    measures = tuple((k, str(label)) for k, label in measures)
    labels = labels or {}
    empty_label = str(empty) if empty is not None else not_stated()
    merged: dict[str, list[int]] = {}
    for row in rows:
        value = row[by]
        label = str(labels.get(value, value)) if value not in (None, "") else empty_label
        counts = merged.setdefault(label, [0] * len(measures))
        for i, (k, _label) in enumerate(measures):
            counts[i] += row[k] or 0
    ordered = sorted(
        merged.items(), key=lambda item: (item[0] == empty_label, -item[1][0], item[0].casefold())
    )
    return Breakdown(
        key=key,
        title=str(title),
        measures=measures,
        rows=tuple({"label": label, "values": tuple(values)} for label, values in ordered),
    )


def gender_labels() -> dict:
    """The gender answers as the figures name them: a self-description is counted as
    "Self-described" (its words stay private); "Prefer not to say" keeps its own row."""
    from gdpa.accounts.models import Gender

    return {**dict(Gender.choices), Gender.SELF_DESCRIBED: _("Self-described")}
