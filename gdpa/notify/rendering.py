"""Render e-mails in the recipient's language and time zone, once per shared content.

A fan-out (10,000 reminders of one session) writes the same message to many people; only
a few values differ per person (the RSVP links). ``SharedRender`` renders the templates
once per (template, language, time zone, shared context) with a marker in place of each
per-recipient value ("slot"), and fills the markers in by string replacement for every
recipient. The result is the same text, byte for byte, as rendering for each person:

- the first time a shared content is seen, it is also rendered the ordinary way for that
  recipient and the two are compared; if they differ (a template filters or tests a slot
  value), that content is rendered per recipient from then on, and a warning is logged;
- a slot value that HTML escaping would change (``&``, ``<``, quotes ...) is rendered the
  ordinary way for that recipient;
- the shared context is compared by value (a model instance by its loaded fields), so a
  session edited between two batches of the same run is rendered afresh.

Contract for templates: a slot value is printed as it is (``{{ links.accepted }}``), never
passed through a filter or tested in ``{% if %}``; anything else goes in the shared context.
"""

import logging
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str

    def replace(self, pairs: list[tuple[str, str]]) -> "Rendered":
        parts = [self.subject, self.body_text, self.body_html]
        for old, new in pairs:
            parts = [part.replace(old, new) for part in parts]
        return Rendered(*parts)


def email_render(*, template: str, context: dict, language: str, time_zone: str) -> Rendered:
    """Render ``<template>_subject.txt``, ``_message.txt`` and ``_message.html`` in
    ``language`` and ``time_zone``; the subject carries the portal's prefix."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language), timezone.override(ZoneInfo(time_zone)):
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + render_to_string(
            f"{template}_subject.txt", context
        )
        body_text = render_to_string(f"{template}_message.txt", context)
        body_html = render_to_string(f"{template}_message.html", context)
    return Rendered(subject, body_text.strip(), body_html.strip())


def _flatten(slots: dict) -> list[tuple[tuple[str, ...], str]]:
    """``{"links": {"accepted": "/a"}}`` -> ``[(("links", "accepted"), "/a")]``."""
    flat = []
    for name, value in sorted(slots.items()):
        if isinstance(value, dict):
            flat += [((name, key), str(inner)) for key, inner in sorted(value.items())]
        else:
            flat.append(((name,), str(value)))
    return flat


def _nest(flat: list[tuple[tuple[str, ...], str]]) -> dict:
    slots: dict = {}
    for path, value in flat:
        if len(path) == 1:
            slots[path[0]] = value
        else:
            slots.setdefault(path[0], {})[path[1]] = value
    return slots


def _fingerprint(value):
    """A hashable stand-in for a context value, equal for equal content."""
    if isinstance(value, Model):
        return (
            value._meta.label,
            tuple(
                (name, _fingerprint(field))
                for name, field in sorted(vars(value).items())
                if name != "_state"
            ),
        )
    if isinstance(value, dict):
        return tuple((key, _fingerprint(inner)) for key, inner in sorted(value.items()))
    if isinstance(value, list | tuple):
        return tuple(_fingerprint(inner) for inner in value)
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


#: Stored for a shared content whose slots the templates do not print as they are.
NOT_SHAREABLE = object()


class SharedRender:
    """Renders what many recipients share once; see the module's docstring.

    One instance per fan-out run (it keeps every shared content it has rendered).
    ``rendered`` and ``reused`` count the template renders and the copies filled in.
    """

    def __init__(self) -> None:
        self._cache: dict = {}
        self._token = secrets.token_hex(6)
        self.rendered = 0
        self.reused = 0

    def render(
        self, *, template: str, context: dict, slots: dict, language: str, time_zone: str
    ) -> Rendered:
        """``context`` is what the recipients of one fan-out share; ``slots`` (strings, or
        a dict of strings one level deep) are this recipient's own values."""
        flat = _flatten(slots)
        paths = tuple(path for path, _value in flat)
        key = (template, language, time_zone, paths, _fingerprint(context))
        shared = self._cache.get(key)
        values_escape_alike = all(escape(value) == value for _path, value in flat)
        if shared is None or shared is NOT_SHAREABLE or not values_escape_alike:
            own = self._render(template, context, slots, language, time_zone)
            if shared is None and values_escape_alike:
                self._cache[key] = self._shared(template, context, flat, own, language, time_zone)
            return own
        self.reused += 1
        return shared.replace(self._pairs(flat))

    def _render(self, template, context, slots, language, time_zone) -> Rendered:
        self.rendered += 1
        return email_render(
            template=template, context={**context, **slots}, language=language, time_zone=time_zone
        )

    def _markers(self, flat) -> list[tuple[tuple[str, ...], str]]:
        return [(path, f"slot{self._token}n{i}x") for i, (path, _value) in enumerate(flat)]

    def _pairs(self, flat) -> list[tuple[str, str]]:
        return [
            (marker, value)
            for (_path, marker), (_same, value) in zip(self._markers(flat), flat, strict=True)
        ]

    def _shared(self, template, context, flat, own: Rendered, language, time_zone):
        """The render with markers, if filling it in gives exactly ``own``."""
        shared = self._render(template, context, _nest(self._markers(flat)), language, time_zone)
        if shared.replace(self._pairs(flat)) == own:
            return shared
        logger.warning(
            "E-mail template %s does not print its per-recipient values as they are; "
            "it is rendered once per recipient.",
            template,
        )
        return NOT_SHAREABLE
