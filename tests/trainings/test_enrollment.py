"""Enrollment, waiting list and withdrawal (issue 8, step 3)."""

import datetime
import functools

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gdpa.notify.models import OutboundEmail
from tests import factories
from tests.concurrency import all_at_once
from trainings import services
from trainings.dashboard import my_trainings_context
from trainings.eligibility import is_eligible
from trainings.models import Enrollment, Offering

pytestmark = pytest.mark.django_db


def status_of(offering, user):
    return Enrollment.objects.exclude(status="withdrawn").get(offering=offering, user=user).status


def government_officials(staff, government, n):
    return [factories.add_member(staff=staff, organization=government) for _ in range(n)]


@pytest.fixture
def youth(db):
    from youth.services import youth_profile_create

    person = factories.make_user(full_name="Young Person")
    youth_profile_create(
        user=person,
        date_of_birth=datetime.date(2000, 6, 1),
        heritage_countries=["PE"],
        consent=True,
    )
    return person


def test_eligibility_follows_the_programme_audience(
    staff, focal_point, government, leader, member, partner, youth, make_programme, make_offering
):
    gov_member = factories.add_member(staff=staff, organization=government)
    no_org = factories.make_user()
    pending_admin = factories.make_user()
    factories.make_organization(admin=pending_admin)
    officials = make_offering(programme=make_programme(audience="government"))
    diaspora = make_offering(programme=make_programme(audience="diaspora"))
    young = make_offering(programme=make_programme(audience="youth"))
    assert is_eligible(focal_point, officials) and is_eligible(gov_member, officials)
    assert not is_eligible(leader, officials) and not is_eligible(youth, officials)
    assert is_eligible(leader, diaspora) and is_eligible(member, diaspora)
    assert is_eligible(partner, diaspora) and not is_eligible(focal_point, diaspora)
    assert not is_eligible(pending_admin, diaspora), "a pending organization is not verified"
    assert is_eligible(youth, young) and not is_eligible(leader, young)
    for programme in (officials, diaspora, young):
        assert not is_eligible(staff, programme) and not is_eligible(no_org, programme)


def test_not_eligible_is_refused_with_a_message(leader, make_offering):
    offering = make_offering()
    with pytest.raises(ValidationError, match="government officials and policy makers"):
        services.enrollment_create(user=leader, offering=offering)
    assert not Enrollment.objects.exists()


def test_enrolling_twice_is_refused(focal_point, make_offering):
    offering = make_offering()
    services.enrollment_create(user=focal_point, offering=offering)
    with pytest.raises(ValidationError, match="already enrolled"):
        services.enrollment_create(user=focal_point, offering=offering)
    assert Enrollment.objects.count() == 1


def test_outside_the_window_or_closed_is_refused(staff, focal_point, make_offering):
    offering = make_offering()
    with (
        time_machine.travel(offering.enrollment_closes_at + datetime.timedelta(minutes=1)),
        pytest.raises(ValidationError, match="closed on"),
    ):
        services.enrollment_create(user=focal_point, offering=offering)
    with (
        time_machine.travel(offering.enrollment_opens_at - datetime.timedelta(minutes=1)),
        pytest.raises(ValidationError, match="opens on"),
    ):
        services.enrollment_create(user=focal_point, offering=offering)
    services.offering_transition(actor=staff, offering=offering, status=Offering.Status.CLOSED)
    with pytest.raises(ValidationError, match="not open"):
        services.enrollment_create(user=focal_point, offering=offering)
    assert not Enrollment.objects.exists()


def test_full_offering_waitlists_in_order_and_withdrawal_promotes_the_first(
    staff, government, make_offering, django_capture_on_commit_callbacks
):
    offering = make_offering(capacity=2)
    a, b, c, d = government_officials(staff, government, 4)
    for person in (a, b, c, d):
        services.enrollment_create(user=person, offering=offering)
    assert [status_of(offering, p) for p in (a, b, c, d)] == [
        "enrolled",
        "enrolled",
        "waitlisted",
        "waitlisted",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_withdraw(
            user=a, enrollment=Enrollment.objects.get(offering=offering, user=a)
        )
    assert status_of(offering, c) == "enrolled" and status_of(offering, d) == "waitlisted"
    sent = OutboundEmail.objects.filter(kind="training_promoted")
    assert [e.to_email for e in sent] == [c.email]
    assert "A seat is yours" in sent.get().subject
    # Withdrawing from the waiting list frees no seat: nobody else is promoted or e-mailed.
    services.enrollment_withdraw(
        user=d, enrollment=Enrollment.objects.get(offering=offering, user=d)
    )
    assert OutboundEmail.objects.filter(kind="training_promoted").count() == 1
    with pytest.raises(ValidationError, match="already withdrawn"):
        services.enrollment_withdraw(
            user=a, enrollment=Enrollment.objects.get(offering=offering, user=a)
        )


def test_enroll_and_withdraw_from_the_page(
    client, focal_point, make_offering, django_assert_max_num_queries
):
    offering = make_offering()
    client.force_login(focal_point)
    url = reverse("trainings:offering", args=[offering.pk])
    assert "Enroll" in client.get(url).content.decode()
    # The write and the region drawn again: the enrollment's field rules are checked
    # without asking again for rows the service holds (was 26 queries), and only the
    # enrollment region is read again, not the meetings, feedback and certificate (21),
    # and then from what the write left, not read again (15).
    with django_assert_max_num_queries(11):
        response = client.post(
            reverse("trainings:enroll", args=[offering.pk]), headers={"HX-Request": "true"}
        )
    body = response.content.decode()
    assert response.status_code == 200 and "You are enrolled." in body and "<h1>" not in body
    response = client.post(
        reverse("trainings:enroll", args=[offering.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422 and "already enrolled" in response.content.decode()
    confirm = client.get(reverse("trainings:withdraw", args=[offering.pk]))
    assert confirm.status_code == 200 and "Withdraw from the offering" in confirm.content.decode()
    assert status_of(offering, focal_point) == "enrolled", "no write on GET"
    response = client.post(reverse("trainings:withdraw", args=[offering.pk]))
    assert response.status_code == 302
    assert not Enrollment.objects.exclude(status="withdrawn").exists()
    assert "You have withdrawn" in client.get(url).content.decode()


@pytest.mark.parametrize("someone_waits", [False, True])
def test_the_answer_to_a_withdrawal_shows_the_seats_as_the_write_left_them(
    client,
    staff,
    government,
    focal_point,
    make_offering,
    someone_waits,
    django_assert_max_num_queries,
):
    offering = make_offering(capacity=1)
    services.enrollment_create(user=focal_point, offering=offering)
    if someone_waits:
        waiting = government_officials(staff, government, 1)[0]
        services.enrollment_create(user=waiting, offering=offering)
    client.force_login(focal_point)
    client.get(reverse("trainings:offering", args=[offering.pk]))
    # Moving the next person up costs five more: their row locked and saved, its audit
    # entry, and their e-mail (with the check that their address takes mail).
    with django_assert_max_num_queries(16 if someone_waits else 11):
        response = client.post(
            reverse("trainings:withdraw", args=[offering.pk]), headers={"HX-Request": "true"}
        )
    body = response.content.decode()
    assert response.status_code == 200 and "You have withdrawn from this offering." in body
    assert ">Enroll</button>" in body
    # The freed seat went to the person waiting, so enrolling again means waiting.
    full = "The offering is full: enrolling puts you on the waiting list."
    assert (full in body) is someone_waits
    if someone_waits:
        assert status_of(offering, waiting) == "enrolled"


def test_dashboard_lists_my_trainings_in_one_query(client, focal_point, make_offering):
    client.force_login(focal_point)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert "You are not enrolled in any training yet." in body
    offering = make_offering(title="Spring cohort")
    services.enrollment_create(user=focal_point, offering=offering)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert "Spring cohort" in body and "Enrolled" in body
    for n in range(3):
        services.enrollment_create(user=focal_point, offering=make_offering(title=f"Cohort {n}"))
    request = RequestFactory().get("/")
    request.user = focal_point
    with CaptureQueriesContext(connection) as queries:
        context = my_trainings_context(request)
    assert len(context["training_enrollments"]) == 4 and len(queries) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_enrollments_never_overbook(staff, government, make_offering):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; CI runs this on PostgreSQL")
    offering = make_offering(capacity=3)
    people = government_officials(staff, government, 10)
    refused = all_at_once(
        *(functools.partial(services.enrollment_create, user=p, offering=offering) for p in people)
    )
    assert offering.enrollments.filter(status="enrolled").count() == 3
    assert offering.enrollments.filter(status="waitlisted").count() == 7
    assert not refused


@pytest.mark.django_db(transaction=True)
def test_concurrent_withdrawals_give_each_freed_seat_to_the_next_person_once(
    staff, government, make_offering
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; CI runs this on PostgreSQL")
    offering = make_offering(capacity=3)
    people = government_officials(staff, government, 7)
    for person in people:  # three seats, then four waiting in this order
        services.enrollment_create(user=person, offering=offering)
    seated, waiting = people[:3], people[3:]

    def withdraw(person):
        mine = Enrollment.objects.get(offering=offering, user=person)
        services.enrollment_withdraw(user=person, enrollment=mine)

    refused = all_at_once(*(functools.partial(withdraw, person) for person in seated))
    assert not refused
    assert [status_of(offering, p) for p in waiting] == ["enrolled"] * 3 + ["waitlisted"]
    promoted = OutboundEmail.objects.filter(kind="training_promoted")
    assert sorted(promoted.values_list("to_email", flat=True)) == sorted(
        p.email for p in waiting[:3]
    )
