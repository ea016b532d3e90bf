"""Withdrawal rules: the waiting list's order, no promotion once the offering has started
(in its own time zone), no withdrawal from a completed training; the dashboard shows
every status with its words (issue 8)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gdpa.notify.models import OutboundEmail
from tests import factories
from trainings import services
from trainings.dashboard import my_trainings_context
from trainings.models import Enrollment

pytestmark = pytest.mark.django_db


def officials(staff, government, n):
    return [factories.add_member(staff=staff, organization=government) for _ in range(n)]


def enrollment_of(offering, person):
    return Enrollment.objects.exclude(status="withdrawn").get(offering=offering, user=person)


def withdraw(person, offering):
    return services.enrollment_withdraw(user=person, enrollment=enrollment_of(offering, person))


def first_day_in_utc(offering) -> datetime.datetime:
    """Midnight of the offering's first day in its own zone (Fiji: noon the day before, UTC)."""
    return datetime.datetime.combine(
        offering.starts_on, datetime.time.min, tzinfo=ZoneInfo(offering.time_zone)
    )


def test_the_waiting_list_is_served_in_order_of_asking(
    staff, government, make_offering, django_capture_on_commit_callbacks
):
    """Approval keeps a person's place in line: they asked before those who enrolled later."""
    offering = make_offering(capacity=1, needs_approval=True)
    seated, early, late = officials(staff, government, 3)
    for person in (seated, early, late):
        services.enrollment_create(user=person, offering=offering)
    for person in (seated, late, early):  # staff decide out of order
        services.enrollment_approve(actor=staff, enrollment=enrollment_of(offering, person))
    assert [enrollment_of(offering, p).status for p in (seated, early, late)] == [
        "enrolled",
        "waitlisted",
        "waitlisted",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(seated, offering)
    assert enrollment_of(offering, early).status == "enrolled"
    assert enrollment_of(offering, late).status == "waitlisted"
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(early, offering)
    assert enrollment_of(offering, late).status == "enrolled"
    promoted = OutboundEmail.objects.filter(kind="training_promoted").order_by("pk")
    assert [m.to_email for m in promoted] == [early.email, late.email]


def test_a_pending_request_frees_no_seat_and_promotes_nobody(staff, government, make_offering):
    offering = make_offering(capacity=1)
    seated, waiting, asking = officials(staff, government, 3)
    services.enrollment_create(user=seated, offering=offering)
    services.enrollment_create(user=waiting, offering=offering)
    offering.needs_approval = True
    offering.save()
    services.enrollment_create(user=asking, offering=offering)
    withdraw(asking, offering)
    assert enrollment_of(offering, waiting).status == "waitlisted"


def test_withdrawing_before_the_first_day_still_promotes(staff, government, make_offering):
    offering = make_offering(capacity=1)
    seated, waiting = officials(staff, government, 2)
    services.enrollment_create(user=seated, offering=offering)
    services.enrollment_create(user=waiting, offering=offering)
    with time_machine.travel(first_day_in_utc(offering) - datetime.timedelta(minutes=1)):
        withdraw(seated, offering)
    assert enrollment_of(offering, waiting).status == "enrolled"


def test_withdrawing_after_the_start_gives_the_seat_to_nobody(
    client, staff, government, make_offering
):
    offering = make_offering(capacity=1)
    seated, waiting = officials(staff, government, 2)
    services.enrollment_create(user=seated, offering=offering)
    services.enrollment_create(user=waiting, offering=offering)
    # One minute into the first day in Fiji is still the day before in UTC.
    started = first_day_in_utc(offering) + datetime.timedelta(minutes=1)
    assert started.astimezone(datetime.UTC).date() < offering.starts_on
    with time_machine.travel(started):
        client.force_login(seated)
        confirm = client.get(reverse("trainings:withdraw", args=[offering.pk])).content.decode()
        assert "the seat is not given to anyone on the waiting list" in confirm
        response = client.post(reverse("trainings:withdraw", args=[offering.pk]))
    assert response.status_code == 302
    assert Enrollment.objects.get(offering=offering, user=seated).status == "withdrawn"
    assert enrollment_of(offering, waiting).status == "waitlisted"
    assert not OutboundEmail.objects.filter(kind="training_promoted").exists()


def test_a_completed_training_cannot_be_withdrawn_from(client, focal_point, make_offering):
    offering = make_offering()
    enrollment = services.enrollment_create(user=focal_point, offering=offering)
    Enrollment.objects.filter(pk=enrollment.pk).update(completed_at=timezone.now())
    with pytest.raises(ValidationError, match="You completed this training; your certificate"):
        withdraw(focal_point, offering)
    client.force_login(focal_point)
    page = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
    assert "You completed this training." in page
    assert reverse("trainings:withdraw", args=[offering.pk]) not in page
    confirm = client.get(reverse("trainings:withdraw", args=[offering.pk])).content.decode()
    assert (
        "your certificate stands" in confirm
        and 'type="submit"' not in confirm.split("<main", 1)[1].split("</main>")[0]
    )
    response = client.post(
        reverse("trainings:withdraw", args=[offering.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422 and "your certificate stands" in response.content.decode()
    assert enrollment_of(offering, focal_point).status == "enrolled"


def test_someone_else_cannot_withdraw_a_person(staff, government, focal_point, make_offering):
    offering = make_offering()
    other = officials(staff, government, 1)[0]
    enrollment = services.enrollment_create(user=other, offering=offering)
    with pytest.raises(ValidationError, match="Only the person enrolled"):
        services.enrollment_withdraw(user=focal_point, enrollment=enrollment)
    assert enrollment_of(offering, other).status == "enrolled"


def test_the_dashboard_shows_each_status_with_words_in_one_query(
    client, staff, government, focal_point, make_offering
):
    approve = make_offering(title="Needs approval cohort", needs_approval=True)
    declined = make_offering(title="Declined cohort", needs_approval=True)
    full = make_offering(title="Full cohort", capacity=1)
    left = make_offering(title="Left cohort")
    services.enrollment_create(user=officials(staff, government, 1)[0], offering=full)
    services.enrollment_create(user=focal_point, offering=approve)
    services.enrollment_decline(
        actor=staff,
        enrollment=services.enrollment_create(user=focal_point, offering=declined),
        reason="Reserved for ministries",
    )
    services.enrollment_create(user=focal_point, offering=full)
    withdraw(focal_point, services.enrollment_create(user=focal_point, offering=left).offering)
    client.force_login(focal_point)
    body = client.get(reverse("portal:dashboard")).content.decode()
    panel = body.split('id="panel-trainings"', 1)[1].split("</section>", 1)[0]
    assert "Awaiting IOM approval" in panel and "badge--pending" in panel
    assert ">Declined<" in panel and "Reason: Reserved for ministries" in panel
    assert "On the waiting list" in panel and "badge--info" in panel
    assert "Left cohort" not in panel
    request = RequestFactory().get("/")
    request.user = focal_point
    with CaptureQueriesContext(connection) as queries:
        context = my_trainings_context(request)
    assert len(context["training_enrollments"]) == 3 and len(queries) == 1
