"""Learner feedback on an offering and the staff aggregate (issue 8, feedback)."""

import datetime
import re
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from gdpa.audit.models import AuditEntry
from trainings import services
from trainings.feedback import feedback_save
from trainings.models import Enrollment, TrainingFeedback, TrainingMeeting

pytestmark = pytest.mark.django_db

FIJI = ZoneInfo("Pacific/Fiji")
GOOD = {"overall": "4", "content": "5", "facilitation": "3", "relevance": "4"}


def at(day: datetime.date, hour: int = 12, zone=FIJI) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)


@pytest.fixture
def offering(make_offering):
    """Starts in 30 days, in Fiji's zone, with room for ten."""
    return make_offering(capacity=10)


@pytest.fixture
def learner(focal_point, offering):
    services.enrollment_create(user=focal_point, offering=offering)
    return focal_point


@contextmanager
def signed_in_at(client, person, when):
    """Travel to ``when`` and sign in there (sessions expire after two weeks)."""
    with time_machine.travel(when):
        client.force_login(person)
        yield client


def feedback_url(offering):
    return reverse("trainings:feedback", args=[offering.pk])


def test_the_learner_gives_feedback_once_started_and_changes_it_later(client, learner, offering):
    with signed_in_at(client, learner, at(offering.starts_on, 9)):
        page = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
        assert "Give feedback" in page
        form = client.get(feedback_url(offering)).content.decode()
        assert form.count("<fieldset") == 4 and "<legend" in form
        assert 'type="radio" name="overall" value="5"' in form
        response = client.post(feedback_url(offering), {**GOOD, "comment": "Very useful."})
        assert response.status_code == 302
        feedback = TrainingFeedback.objects.get()
        assert (feedback.overall, feedback.content, feedback.comment) == (4, 5, "Very useful.")
        page = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
        assert "Edit your feedback" in page and "Give feedback" not in page
        form = client.get(feedback_url(offering)).content.decode()
        assert "Edit your feedback" in form and "Very useful." in form
        assert re.search(r'<input[^>]*name="overall" value="4"[^>]*checked', form)
        assert not re.search(r'<input[^>]*name="overall" value="5"[^>]*checked', form)
    # Giving it again 30 days after the last day edits the one feedback.
    with signed_in_at(client, learner, at(offering.ends_on + datetime.timedelta(days=30), 23)):
        response = client.post(feedback_url(offering), {**GOOD, "overall": "2"})
        assert response.status_code == 302
    feedback = TrainingFeedback.objects.get()
    assert feedback.overall == 2 and feedback.comment == ""
    actions = list(
        AuditEntry.objects.filter(action__startswith="training_feedback")
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == ["training_feedback.create", "training_feedback.update"]
    assert all(
        "comment" not in (entry.after or {})
        for entry in AuditEntry.objects.filter(action__startswith="training_feedback")
    )


def test_someone_not_enrolled_is_refused_with_the_reason(
    client, learner, offering, make_officials, staff
):
    outsider = make_officials(1)[0]
    with time_machine.travel(at(offering.starts_on)):
        for person in (outsider, staff):
            client.force_login(person)
            response = client.get(feedback_url(offering))
            assert response.status_code == 403
            assert "Only people enrolled in this offering" in response.content.decode()
            assert client.post(feedback_url(offering), GOOD).status_code == 403
            page = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
            assert "Give feedback" not in page
    assert not TrainingFeedback.objects.exists()


def test_waiting_or_withdrawn_people_cannot_give_feedback(learner, offering, make_officials):
    waiting = make_officials(1)[0]
    services.enrollment_withdraw(user=learner, enrollment=Enrollment.objects.get(user=learner))
    services.enrollment_create(user=waiting, offering=offering)
    Enrollment.objects.filter(user=waiting).update(status=Enrollment.Status.WAITLISTED)
    with time_machine.travel(at(offering.starts_on)):
        for person in (learner, waiting):
            with pytest.raises(ValidationError, match="Only people enrolled"):
                feedback_save(
                    user=person, offering=offering, **{k: int(v) for k, v in GOOD.items()}
                )
    assert not TrainingFeedback.objects.exists()


def test_before_the_first_day_in_the_offerings_zone_it_is_refused(client, learner, offering):
    first_day = offering.starts_on
    # 23:00 in Fiji the evening before: still before the start.
    with signed_in_at(client, learner, at(first_day - datetime.timedelta(days=1), 23)):
        response = client.post(feedback_url(offering), GOOD)
        assert response.status_code == 403
        assert "once the training has started" in response.content.decode()
    # Midnight in Fiji is noon the day before in UTC: it has started there.
    with signed_in_at(client, learner, at(first_day, 0, FIJI) + datetime.timedelta(minutes=1)):
        assert client.post(feedback_url(offering), GOOD).status_code == 302
    assert TrainingFeedback.objects.count() == 1


def test_with_meetings_it_opens_when_the_first_meeting_starts(client, learner, offering):
    first = at(offering.starts_on, 14)
    TrainingMeeting.objects.create(
        offering=offering,
        title="Opening",
        starts_at=first,
        ends_at=first + datetime.timedelta(hours=2),
    )
    with signed_in_at(client, learner, first - datetime.timedelta(minutes=1)):
        assert client.get(feedback_url(offering)).status_code == 403
        page = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
        assert "Give feedback" not in page
    with signed_in_at(client, learner, first + datetime.timedelta(minutes=1)):
        assert client.get(feedback_url(offering)).status_code == 200


def test_after_the_edit_period_it_is_refused_and_nothing_changes(client, learner, offering):
    with signed_in_at(client, learner, at(offering.starts_on)):
        client.post(feedback_url(offering), GOOD)
    closed = at(offering.ends_on + datetime.timedelta(days=31), 0) + datetime.timedelta(seconds=1)
    with signed_in_at(client, learner, closed):
        response = client.post(feedback_url(offering), {**GOOD, "overall": "1"})
        assert response.status_code == 403
        assert "Feedback on this offering closed on" in response.content.decode()
        page = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
        assert "Edit your feedback" not in page
    assert TrainingFeedback.objects.get().overall == 4


def test_ratings_out_of_range_are_refused_next_to_the_field(client, learner, offering):
    with signed_in_at(client, learner, at(offering.starts_on)):
        response = client.post(
            feedback_url(offering),
            {"overall": "6", "content": "0", "relevance": "4", "comment": "x" * 2001},
        )
    assert response.status_code == 422
    body = response.content.decode()
    assert "There is a problem" in body and body.count("Choose a rating from 1 to 5") == 4
    assert 'href="#id_overall_0"' in body
    assert "Choose how you rate the facilitation" in body
    assert "Enter a comment of 2,000 characters or fewer" in body
    assert not TrainingFeedback.objects.exists()
    with time_machine.travel(at(offering.starts_on)), pytest.raises(ValidationError):
        feedback_save(
            user=learner, offering=offering, overall=7, content=3, facilitation=3, relevance=3
        )
    assert not TrainingFeedback.objects.exists()


def give(person, offering, overall, content, facilitation, relevance, comment=""):
    feedback_save(
        user=person,
        offering=offering,
        overall=overall,
        content=content,
        facilitation=facilitation,
        relevance=relevance,
        comment=comment,
    )


def test_staff_see_the_aggregate_and_comments_without_names(
    client, staff, offering, make_officials
):
    people = make_officials(5)
    for person in people:
        services.enrollment_create(user=person, offering=offering)
    with time_machine.travel(at(offering.starts_on)):
        give(people[0], offering, 5, 4, 5, 3, "The case studies were excellent.")
        give(people[1], offering, 4, 4, 2, 3, "")
        give(people[2], offering, 3, 5, 2, 3, "More time for questions, please.")
    client.force_login(staff)
    response = client.get(reverse("trainings:offering_feedback", args=[offering.pk]))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary["responses"], summary["enrolled"], summary["rate"]) == (3, 5, 60)
    overall = summary["questions"][0]
    assert overall["average"] == 4.0
    assert [(r["value"], r["count"], r["percent"]) for r in overall["distribution"]] == [
        (1, 0, 0),
        (2, 0, 0),
        (3, 1, 33),
        (4, 1, 33),
        (5, 1, 33),
    ]
    facilitation = summary["questions"][2]
    assert facilitation["average"] == 3.0 and facilitation["distribution"][1]["count"] == 2
    body = response.content.decode()
    assert "60%" in body and "Average: 4.0 out of 5" in body
    assert "33%" in body, "each bar carries its number in text"
    assert "The case studies were excellent." in body and "More time for questions" in body
    assert "without the names" in body
    for person in people:
        assert person.full_name not in body and person.email not in body


def test_feedback_of_people_who_withdrew_no_longer_counts(client, staff, learner, offering):
    with time_machine.travel(at(offering.starts_on)):
        give(learner, offering, 1, 1, 1, 1, "Withdrawn comment")
        services.enrollment_withdraw(user=learner, enrollment=Enrollment.objects.get(user=learner))
    client.force_login(staff)
    response = client.get(reverse("trainings:offering_feedback", args=[offering.pk]))
    assert response.context["summary"]["responses"] == 0
    assert "Withdrawn comment" not in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_staff_feedback_page_runs_a_fixed_number_of_queries(
    client, staff, offering, make_officials, count, django_assert_max_num_queries
):
    people = make_officials(count)
    offering.capacity = count
    offering.save()
    for person in people:
        services.enrollment_create(user=person, offering=offering)
    with time_machine.travel(at(offering.starts_on)):
        for n, person in enumerate(people):
            give(person, offering, n % 5 + 1, 3, 4, 5, f"Comment {n}")
    client.force_login(staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("trainings:offering_feedback", args=[offering.pk]))
    assert response.status_code == 200 and response.context["summary"]["responses"] == count


def test_staff_see_links_to_figures_and_feedback_on_the_offering_page(client, staff, offering):
    client.force_login(staff)
    body = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
    assert reverse("trainings:offering_feedback", args=[offering.pk]) in body
    assert reverse("trainings:offering_figures", args=[offering.pk]) in body
    body = client.get(
        reverse("trainings:programme_edit", args=[offering.programme_id])
    ).content.decode()
    assert reverse("trainings:offering_figures", args=[offering.pk]) in body
