"""When a session takes place, as people read it: their own time first, the session's
own time under it when they are elsewhere (alliance/templatetags/session_time.py)."""

import datetime
import re
import zoneinfo

from django.template import Context, Template
from django.utils import timezone, translation

from alliance.models import AllianceSession

FIJI = zoneinfo.ZoneInfo("Pacific/Fiji")
START = datetime.datetime(2030, 3, 5, 10, 0, tzinfo=FIJI)  # 4 March, 22:00 UTC


def _when(zone: str, language: str = "en", session_zone: str = "Pacific/Fiji") -> str:
    session = AllianceSession(
        starts_at=START, ends_at=START + datetime.timedelta(hours=2), time_zone=session_zone
    )
    template = Template("{% load session_time %}{% session_when session %}")
    with timezone.override(zoneinfo.ZoneInfo(zone)), translation.override(language):
        return template.render(Context({"session": session}))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def test_a_viewer_elsewhere_reads_their_time_then_the_sessions():
    html = _when("Europe/Paris")
    assert _text(html) == (
        "Monday 4 March 2030, 23:00–01:00 · your time, Central European Time (Europe/Paris) "
        "5 March, 10:00–12:00 in Fiji Time (Pacific/Fiji) (session time)"
    )
    # Machines read UTC.
    assert '<time datetime="2030-03-04T22:00:00+00:00">' in html
    assert '<time datetime="2030-03-05T00:00:00+00:00">' in html


def test_a_viewer_in_the_sessions_zone_reads_one_line():
    text = _text(_when("Pacific/Fiji"))
    assert text == "Tuesday 5 March 2030, 10:00–12:00 · your time, Fiji Time (Pacific/Fiji)"
    assert "session time" not in text


def test_it_reads_in_the_viewers_language():
    text = _text(_when("Europe/Paris", "fr"))
    assert text.startswith("lundi 4 mars 2030, 23:00–01:00 · votre heure, ")
    assert "5 mars, 10:00–12:00 dans le fuseau" in text and "(heure de la séance)" in text
