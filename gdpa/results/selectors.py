"""Reads for the results pages: the figures of every registered indicator for a period
(with their charts), the default period, and the donor reports staff can see."""

import datetime

from django.utils import timezone

from .charts import bar_chart, chart_rows
from .models import DonorReport
from .registry import OUTCOMES, indicators


def first_data_date() -> datetime.date | None:
    """The day of the first data any indicator counts (one small query per indicator)."""
    dates = [d for i in indicators() if i.first_date and (d := i.first_date())]
    return min(dates) if dates else None


def today_utc() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


def default_period() -> tuple[datetime.date, datetime.date]:
    """The whole period: from the first data to today (UTC days)."""
    today = today_utc()
    first = first_data_date()
    return (min(first, today) if first else today), today


def results_for_period(period_start: datetime.date, period_end: datetime.date) -> list[dict]:
    """Every indicator's figures for the period, grouped by outcome, each breakdown with
    its chart. A fixed number of queries (each indicator's own), whatever the data."""
    by_outcome: dict[int, list[dict]] = {o.number: [] for o in OUTCOMES}
    for indicator in indicators():
        figures = indicator.compute(period_start, period_end)
        by_outcome.setdefault(indicator.outcome.number, []).append(
            {
                "key": indicator.key,
                "label": str(indicator.label),
                "figures": figures,
                "breakdowns": [
                    {
                        "breakdown": b,
                        "id": f"{indicator.key}-{b.key}",
                        "chart": bar_chart(b, chart_id=f"chart-{indicator.key}-{b.key}"),
                        # The rows the chart draws (the smallest added up): the PDF's table.
                        "short_rows": chart_rows(b),
                    }
                    for b in figures.breakdowns
                ],
            }
        )
    return [
        {"outcome": outcome, "indicators": by_outcome[outcome.number]}
        for outcome in OUTCOMES
        if by_outcome[outcome.number]
    ]


def reports_for_staff():
    """Every donor report, newest first, with who asked for it (one query per page)."""
    return DonorReport.objects.select_related("requested_by").order_by("-requested_at", "-pk")
