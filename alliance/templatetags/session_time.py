"""``{% load session_time %}{% session_when session %}``: when a session takes place, in the
viewer's time zone, and in the session's own zone when that differs.

Drawn in Python: as an included template it cost about a millisecond per session, most of
"my sessions" and of the dashboard's sessions panel (docs/benchmarks.md)."""

import datetime
import zoneinfo

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from gdpa.accounts.zones import zone_display

register = template.Library()


def _local(moment: datetime.datetime, zone, form: str) -> str:
    return formats.date_format(timezone.localtime(moment, zone), form)


def _clock(moment: datetime.datetime, zone) -> str:
    """Hours and minutes, as Django's "H:i" (the same digits in every language)."""
    return timezone.localtime(moment, zone).strftime("%H:%M")


@register.simple_tag
def session_when(session) -> str:
    """The viewer's day and hours with their zone named; under it, the session's own
    hours and zone when the viewer is elsewhere. ``<time>`` carries UTC for machines."""
    viewer = timezone.get_current_timezone()
    starts, ends = session.starts_at, session.ends_at
    yours = format_html(
        '<time datetime="{}">{}</time>–<time datetime="{}">{}</time>\n'
        '  <span class="small muted">· {}</span>',
        starts.astimezone(datetime.UTC).isoformat(),
        _local(starts, viewer, "l j F Y, H:i"),
        ends.astimezone(datetime.UTC).isoformat(),
        _clock(ends, viewer),
        gettext("your time, %(zone)s") % {"zone": zone_display(viewer)},
    )
    theirs = ""
    if session.time_zone != str(viewer):
        zone = zoneinfo.ZoneInfo(session.time_zone)
        theirs = format_html(
            '<br><span class="small">{}</span>',
            gettext("%(start)s–%(end)s in %(zone)s (session time)")
            % {
                "start": _local(starts, zone, "j F, H:i"),
                "end": _clock(ends, zone),
                "zone": zone_display(session.time_zone),
            },
        )
    return format_html('<span class="when">\n  {}\n  {}\n</span>', yours, mark_safe(theirs))  # noqa: S308
