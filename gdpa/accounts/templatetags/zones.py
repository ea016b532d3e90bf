"""``{% load zones %}{{ session.time_zone|zone_name }}`` → "Fiji Time (Pacific/Fiji)"."""

from django import template

from gdpa.accounts.zones import zone_display

register = template.Library()


@register.filter
def zone_name(zone) -> str:
    """A time zone (IANA code or ZoneInfo) named in the active language, its code second."""
    if zone in (None, ""):
        return ""
    return zone_display(zone)
