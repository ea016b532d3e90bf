"""Geometry of the server-side SVG bar charts (``templates/components/bar_chart.svg.html``).

Why not a charting library: pygal (the well-kept Python one) writes a ``<style>`` element
and a ``<script>`` (its tooltips) into every chart and prefixes its CSS with a generated
id, which a strict Content-Security-Policy refuses and our stylesheet cannot reach; we need
classes only, the numbers printed as text and a ``<title>`` for screen readers. A
horizontal bar chart is a few rectangles: this module computes them, the template draws
them, and ``static/css/gdpa.css`` (``.bar-chart``) styles them, on screen, in print and in
the PDF.

Each bar is followed by its number (and, when a chart has several measures, the
measure's name), so nothing is told by colour alone.
"""

from django.utils.translation import gettext, ngettext

from .registry import Breakdown

WIDTH = 640
LABEL_WIDTH = 210
GAP = 8
#: Room kept at the right of the longest bar for its number and measure name.
VALUE_ROOM = 130
BAR_HEIGHT = 16
BAR_GAP = 3
GROUP_GAP = 10
TOP = 6
#: Longer category names are cut (the table beside the chart has them whole).
LABEL_CHARS = 30
#: The bars' colours, one per measure (each at least 3:1 against white; the measure's
#: name is printed beside every bar, so the colour is never the only cue).
FILLS = ("#0033a0", "#00766f", "#7a3e9d", "#8a5a00")
#: Beyond this many categories the smallest ones are added up in one bar.
MAX_ROWS = 12


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def chart_rows(breakdown: Breakdown, max_rows: int = MAX_ROWS) -> list[dict]:
    """The breakdown's rows, the smallest beyond ``max_rows`` added up in one row."""
    rows = list(breakdown.rows)
    if len(rows) <= max_rows:
        return rows
    kept, rest = rows[: max_rows - 1], rows[max_rows - 1 :]
    width = len(breakdown.measures)
    others = {
        "label": ngettext("%(count)s other", "%(count)s others", len(rest)) % {"count": len(rest)},
        "values": tuple(sum(r["values"][i] for r in rest) for i in range(width)),
    }
    return [*kept, others]


def bar_chart(breakdown: Breakdown, *, chart_id: str, max_rows: int = MAX_ROWS) -> dict | None:
    """The chart of ``breakdown`` (one bar per category and measure), or ``None`` when it
    has nothing to show."""
    rows = chart_rows(breakdown, max_rows)
    if not rows:
        return None
    several = len(breakdown.measures) > 1
    largest = max((v for r in rows for v in r["values"]), default=0) or 1
    bar_left = LABEL_WIDTH + GAP
    span = WIDTH - bar_left - VALUE_ROOM
    groups = []
    y = TOP
    for row in rows:
        bars = []
        for i, ((_key, measure), value) in enumerate(
            zip(breakdown.measures, row["values"], strict=True)
        ):
            length = round(span * value / largest, 1)
            bars.append(
                {
                    "index": i,
                    "fill": FILLS[i % len(FILLS)],
                    "x": bar_left,
                    "y": y,
                    "width": length,
                    "height": BAR_HEIGHT,
                    "value": value,
                    "text": f"{value} {measure}" if several else str(value),
                    "text_x": bar_left + length + 4,
                    "text_y": y + BAR_HEIGHT / 2,
                }
            )
            y += BAR_HEIGHT + BAR_GAP
        group_height = len(bars) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
        groups.append(
            {
                "label": _short(row["label"]),
                "full_label": row["label"],
                "label_x": LABEL_WIDTH,
                "label_y": y - BAR_GAP - group_height / 2,
                "bars": bars,
            }
        )
        y += GROUP_GAP - BAR_GAP
    height = y - GROUP_GAP + BAR_GAP + TOP
    return {
        "id": chart_id,
        "title": breakdown.title,
        "description": gettext("The same figures are in the table that follows the chart."),
        "width": WIDTH,
        "height": height,
        "axis_x": bar_left,
        "groups": groups,
    }
