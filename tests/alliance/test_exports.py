"""The alliance's export datasets: session participation, recommendations and their inputs."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance import services
from alliance.models import Participant
from alliance.services import endorsements
from alliance.services import recommendation_inputs as inputs
from gdpa.audit.models import AuditEntry
from gdpa.exports import services as export_services
from gdpa.exports.registry import dataset


def rows_of(key: str, query: str = "", *, personal: bool) -> list[dict]:
    ds = dataset(key)
    filters = QueryDict(query)
    keys = [c.key for c in export_services.columns_for(ds, personal=personal)]
    return [
        dict(zip(keys, row, strict=True))
        for row in export_services.table_rows(ds, filters, personal=personal)
    ]


@pytest.fixture
def invited(staff, scheduled, focal_point, member):
    services.session_invite(
        actor=staff, session=scheduled, emails=[focal_point.email, member.email]
    )
    with time_machine.travel(scheduled.starts_at + dt.timedelta(minutes=5)):
        services.attendance_record(
            actor=staff,
            session=scheduled,
            shown=list(scheduled.participants.values_list("pk", flat=True)),
            attended=[Participant.objects.get(session=scheduled, user=member).pk],
        )
    return scheduled


@pytest.mark.django_db
def test_session_participation_rows_without_and_with_personal_fields(invited, member):
    rows = rows_of("session-participation", personal=False)
    assert len(rows) == 2
    assert all("email" not in row for row in rows)
    by_org = {row["organization"]: row for row in rows}
    diaspora = by_org["Fiji Diaspora Network"]
    assert diaspora["attended"] is True
    assert diaspora["organization_kind"] == "Diaspora organization"
    assert diaspora["session"] == "Health and Well-being working group"
    assert diaspora["rsvp"] == "No answer yet"
    personal = rows_of("session-participation", personal=True)
    assert member.email in {row["email"] for row in personal}


@pytest.mark.django_db
def test_session_participation_filters(invited, make_session):
    assert len(rows_of("session-participation", "attended=yes", personal=False)) == 1
    assert len(rows_of("session-participation", f"session={invited.pk}", personal=False)) == 2
    later = (invited.starts_at + dt.timedelta(days=1)).date().isoformat()
    assert rows_of("session-participation", f"since={later}", personal=False) == []
    assert dataset("session-participation").count(QueryDict("attended=no")) == 1


@pytest.mark.django_db
def test_session_participation_queries_do_not_grow_with_rows(staff, scheduled, focal_point):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows_of("session-participation", personal=True)
        return len(captured)

    services.session_invite(actor=staff, session=scheduled, emails=[focal_point.email])
    few = queries()
    services.session_invite(
        actor=staff, session=scheduled, emails=[f"guest{i}@example.org" for i in range(8)]
    )
    assert queries() == few


@pytest.fixture
def discussed(staff, recommendation, member, leader, diaspora_org, focal_point, government):
    inputs.input_create(
        author=member, recommendation=recommendation, kind="comment", text="=cmd|' /C calc'!A0"
    )
    endorsements.endorse(
        actor=focal_point, recommendation=recommendation, member_state=government.member_state
    )
    endorsements.support_add(actor=leader, recommendation=recommendation, organization=diaspora_org)
    return recommendation


@pytest.mark.django_db
def test_recommendations_row_aggregates_inputs_endorsements_and_supports(discussed):
    [row] = rows_of("recommendations", personal=True)
    assert row["title"] == "Diaspora climate finance"
    assert row["track"] == "Climate Action"
    assert row["status"] == "Open for input"
    assert (row["inputs"], row["endorsements"], row["supports"]) == (1, 1, 1)
    assert row["endorsed_by"] == "Fiji"
    assert rows_of("recommendations", "status=published", personal=False) == []


@pytest.mark.django_db
def test_recommendations_queries_do_not_grow_with_rows(staff, discussed):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows_of("recommendations", personal=False)
        return len(captured)

    few = queries()
    from alliance.services import recommendations as drafting

    for i in range(5):
        drafting.recommendation_create(
            actor=staff, track=discussed.track, title_en=f"More {i}", text_en="<p>x</p>"
        )
    assert queries() == few


@pytest.mark.django_db
def test_recommendation_inputs_author_is_personal(discussed, member):
    [row] = rows_of("recommendation-inputs", personal=False)
    assert "author_email" not in row and "author" not in row
    assert row["kind"] == "Comment"
    assert row["recommendation"] == "Diaspora climate finance"
    [row] = rows_of("recommendation-inputs", personal=True)
    assert row["author_email"] == member.email


@pytest.mark.django_db
def test_staff_export_inputs_as_csv_with_the_comment_neutralised(client, staff, discussed, member):
    client.force_login(staff)
    url = reverse("exports:start") + "?dataset=recommendation-inputs&input_status=submitted"
    page = client.get(url).content.decode()
    assert "Response to the input: Submitted" in page and "1 row" in page
    response = client.post(url, {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in body
    assert member.email not in body


@pytest.mark.django_db
def test_an_invalid_period_is_refused(client, staff):
    client.force_login(staff)
    url = reverse("exports:start") + "?dataset=recommendations&since=2026-05-01&until=2026-04-01"
    response = client.post(url, {"format": "csv"})
    assert response.status_code == 422
    assert "The last day must be on or after the first day." in response.content.decode()
    assert not AuditEntry.objects.filter(action__startswith="export.").exists()
