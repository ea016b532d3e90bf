"""iCalendar (RFC 5545) for alliance sessions: one-event downloads and personal feeds.

A session keeps one UID for its whole life and raises SEQUENCE on every change, so
Outlook, Google Calendar and Apple Calendar update the event instead of adding a copy.
The join link never goes into a calendar: events link to the session page, which
shows the join link to accepted participants when it opens.
"""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from .models import AllianceSession, Participant

PRODID = "-//IOM//GDPA Portal//EN"
ALARM_BEFORE = timedelta(minutes=30)
PARTSTAT = {
    Participant.Rsvp.INVITED: "NEEDS-ACTION",
    Participant.Rsvp.ACCEPTED: "ACCEPTED",
    Participant.Rsvp.TENTATIVE: "TENTATIVE",
    Participant.Rsvp.DECLINED: "DECLINED",
}


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    return cal


def session_event(session: AllianceSession, participant: Participant | None = None) -> Event:
    url = settings.SITE_URL + reverse("alliance:session", args=[session.pk])
    event = Event()
    event.add("uid", f"{session.uid}@gdpa-portal")
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", session.title)
    event.add("url", url)
    event.add("description", f"{session.description}\n\n{url}".strip())
    location = session.venue if session.has_venue and session.venue else ""
    if session.has_online_part:
        location = f"{location} / {url}" if location else url
    if location:
        event.add("location", location)
    if session.status == AllianceSession.Status.CANCELLED:
        event.add("status", "CANCELLED")
    elif participant is not None and participant.rsvp == Participant.Rsvp.TENTATIVE:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    if participant is not None:
        event.add(
            "attendee",
            f"mailto:{participant.email}",
            parameters={"PARTSTAT": PARTSTAT[participant.rsvp], "ROLE": "REQ-PARTICIPANT"},
        )
        if participant.is_going and session.status == AllianceSession.Status.SCHEDULED:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", session.title)
            alarm.add("trigger", -ALARM_BEFORE)
            event.add_component(alarm)
    return event


def session_ics(session: AllianceSession, participant: Participant | None = None) -> bytes:
    cal = _calendar(session.title)
    cal.add_component(session_event(session, participant))
    return cal.to_ical()


def feed_ics(participants: list[Participant], name: str) -> bytes:
    """A person's feed: each session they were invited to, with their answer."""
    cal = _calendar(name)
    for participant in participants:
        cal.add_component(session_event(participant.session, participant))
    return cal.to_ical()
