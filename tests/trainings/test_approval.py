"""Offerings that need IOM approval: pending enrollments hold no seat; staff approve them
into a seat or the waiting list, or decline them with a reason (issue 8)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gdpa.audit.models import AuditEntry
from gdpa.notify.models import OutboundEmail
from tests import factories
from trainings import services
from trainings.models import Enrollment

pytestmark = pytest.mark.django_db


def officials(staff, government, n):
    return [factories.add_member(staff=staff, organization=government) for _ in range(n)]


def test_asking_to_enroll_waits_for_approval_and_holds_no_seat(client, focal_point, make_offering):
    offering = make_offering(needs_approval=True, capacity=1)
    client.force_login(focal_point)
    response = client.post(
        reverse("trainings:enroll", args=[offering.pk]), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "IOM staff will approve or decline" in body
    enrollment = Enrollment.objects.get(user=focal_point)
    assert enrollment.status == Enrollment.Status.PENDING
    page = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
    assert "awaiting IOM approval" in page and "1 of 1" in page, "no seat is held"


def test_approve_takes_a_free_seat_then_the_waiting_list(
    client, staff, government, make_offering, django_capture_on_commit_callbacks
):
    offering = make_offering(needs_approval=True, capacity=1)
    first, second = officials(staff, government, 2)
    second.preferred_language = "fr"
    second.save()
    for person in (first, second):
        services.enrollment_create(user=person, offering=offering)
    client.force_login(staff)
    for person in (first, second):
        enrollment = Enrollment.objects.get(user=person)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("trainings:approval_approve", args=[enrollment.pk]),
                headers={"HX-Request": "true"},
            )
        assert response.status_code == 200
    assert Enrollment.objects.get(user=first).status == Enrollment.Status.ENROLLED
    assert Enrollment.objects.get(user=second).status == Enrollment.Status.WAITLISTED
    assert "on the waiting list" in response.content.decode()
    decided = Enrollment.objects.get(user=second)
    assert decided.decided_by == staff and decided.decided_at is not None
    mails = {m.to_email: m for m in OutboundEmail.objects.filter(kind="training_approved")}
    assert set(mails) == {first.email, second.email}
    assert mails[second.email].language == "fr"
    assert AuditEntry.objects.filter(action="enrollment.approve").count() == 2


def test_decline_with_a_reason_is_shown_and_emailed(
    client, staff, focal_point, make_offering, django_capture_on_commit_callbacks
):
    offering = make_offering(needs_approval=True)
    enrollment = services.enrollment_create(user=focal_point, offering=offering)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("trainings:approval_decline", args=[enrollment.pk]),
            {"reason": "This cohort is for the Pacific region"},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200 and "the reason was sent" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.DECLINED
    assert enrollment.decision_reason == "This cohort is for the Pacific region"
    mail = OutboundEmail.objects.get(kind="training_declined")
    assert mail.to_email == focal_point.email and "Enrollment declined" in mail.subject
    client.force_login(focal_point)
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "badge--rejected" in dashboard and ">Declined<" in dashboard
    assert "Reason: This cohort is for the Pacific region" in dashboard


def test_the_decline_email_carries_the_reason(staff, focal_point, make_offering):
    offering = make_offering(needs_approval=True)
    enrollment = services.enrollment_create(user=focal_point, offering=offering)
    services.enrollment_decline(actor=staff, enrollment=enrollment, reason="Seats are for FJ")
    mail = OutboundEmail.objects.get(kind="training_declined")
    assert "Seats are for FJ" in mail.body_text and "Seats are for FJ" in mail.body_html


def test_decline_without_a_reason_is_refused_and_changes_nothing(
    client, staff, focal_point, make_offering
):
    offering = make_offering(needs_approval=True)
    enrollment = services.enrollment_create(user=focal_point, offering=offering)
    client.force_login(staff)
    response = client.post(
        reverse("trainings:approval_decline", args=[enrollment.pk]),
        {"reason": "   "},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 422 and "Enter the reason for declining" in body
    assert 'href="#id_reason"' in body, "the error summary links to the field"
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.PENDING
    assert not OutboundEmail.objects.filter(kind="training_declined").exists()
    with pytest.raises(ValidationError):
        services.enrollment_decline(actor=staff, enrollment=enrollment, reason="  ")


def test_a_decided_enrollment_cannot_be_decided_again(client, staff, focal_point, make_offering):
    offering = make_offering(needs_approval=True)
    enrollment = services.enrollment_create(user=focal_point, offering=offering)
    services.enrollment_approve(actor=staff, enrollment=enrollment)
    client.force_login(staff)
    response = client.post(
        reverse("trainings:approval_decline", args=[enrollment.pk]),
        {"reason": "Changed my mind"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422 and "already decided" in response.content.decode()
    response = client.post(
        reverse("trainings:approval_approve", args=[enrollment.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422 and "already decided" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED


def test_the_queue_filters_by_offering_and_works_without_javascript(
    client, staff, government, make_offering
):
    spring = make_offering(title="Spring cohort", needs_approval=True)
    autumn = make_offering(title="Autumn cohort", needs_approval=True)
    a, b = officials(staff, government, 2)
    services.enrollment_create(user=a, offering=spring)
    services.enrollment_create(user=b, offering=autumn)
    client.force_login(staff)
    body = client.get(reverse("trainings:approval_queue"), {"offering": autumn.pk}).content.decode()
    assert b.email in body and a.email not in body
    enrollment = Enrollment.objects.get(user=b)
    response = client.post(
        reverse("trainings:approval_approve", args=[enrollment.pk]) + f"?offering={autumn.pk}"
    )
    assert response.status_code == 302 and response["Location"].endswith(f"?offering={autumn.pk}")
    assert (
        "Nothing to approve" not in client.get(reverse("trainings:approval_queue")).content.decode()
    )


@pytest.mark.parametrize("rows", [2, 12])
def test_the_queue_runs_a_fixed_number_of_queries(
    client, staff, government, make_offering, rows, django_assert_max_num_queries
):
    offerings = [make_offering(title=f"Cohort {n}", needs_approval=True) for n in range(2)]
    for n, person in enumerate(officials(staff, government, rows)):
        services.enrollment_create(user=person, offering=offerings[n % 2])
    client.force_login(staff)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("trainings:approval_queue"))
    assert response.status_code == 200
    assert response.content.decode().count('class="card__title" id="enrollment-') == rows
