"""Staff author training programmes and offerings (issue 8, step 1)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gdpa.audit.models import AuditEntry
from trainings import services
from trainings.models import Offering, TrainingProgramme

pytestmark = pytest.mark.django_db


def test_programme_create_and_update_are_audited(staff, make_programme):
    programme = make_programme(published=False)
    services.programme_update(actor=staff, programme=programme, title="New title")
    programme.refresh_from_db()
    assert programme.title == "New title"
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["training_programme.create", "training_programme.update"]


def test_offering_lifecycle_follows_the_one_table(staff, make_offering):
    offering = make_offering(status=Offering.Status.DRAFT)
    services.offering_transition(actor=staff, offering=offering, status=Offering.Status.OPEN)
    services.offering_transition(actor=staff, offering=offering, status=Offering.Status.CLOSED)
    services.offering_transition(actor=staff, offering=offering, status=Offering.Status.OPEN)
    services.offering_transition(actor=staff, offering=offering, status=Offering.Status.CANCELLED)
    with pytest.raises(ValidationError, match="cannot become"):
        services.offering_transition(actor=staff, offering=offering, status=Offering.Status.OPEN)
    offering.refresh_from_db()
    assert offering.status == Offering.Status.CANCELLED


def test_a_draft_cannot_be_closed(staff, make_offering):
    offering = make_offering(status=Offering.Status.DRAFT)
    with pytest.raises(ValidationError, match="cannot become"):
        services.offering_update(actor=staff, offering=offering, status=Offering.Status.CLOSED)


def test_offering_bad_input_changes_nothing(staff, make_programme, make_offering):
    programme = make_programme(mode=TrainingProgramme.Mode.BLENDED)
    with pytest.raises(ValidationError) as error:
        make_offering(programme=programme, venue="", capacity=0)
    assert {"venue", "capacity"} <= set(error.value.message_dict)
    assert not Offering.objects.exists()


def test_staff_create_a_programme_from_the_form(client, staff, make_programme):
    client.force_login(staff)
    response = client.post(
        reverse("trainings:programme_create"),
        {
            "title": "Diaspora investment",
            "summary": "Channels for diaspora investment.",
            "learning_objectives": "Know the channels.",
            "audience": "diaspora",
            "language": "fr",
            "mode": "online",
        },
    )
    programme = TrainingProgramme.objects.get(title="Diaspora investment")
    assert response.status_code == 302
    assert programme.language == "fr" and not programme.published


def test_an_empty_programme_form_shows_the_summary_and_changes_nothing(client, staff):
    client.force_login(staff)
    response = client.post(reverse("trainings:programme_create"), {})
    body = response.content.decode()
    assert response.status_code == 422
    assert "There is a problem" in body and "Enter the title" in body
    assert "Choose who the programme is for" in body and "novalidate" in body
    assert not TrainingProgramme.objects.exists()


def test_staff_create_an_offering_with_its_window_in_utc(client, staff, make_programme):
    programme = make_programme()
    client.force_login(staff)
    response = client.post(
        reverse("trainings:offering_create", args=[programme.pk]),
        {
            "title": "Autumn cohort",
            "starts_on": "2030-10-01",
            "ends_on": "2030-10-05",
            "time_zone": "Pacific/Fiji",
            "join_url": "https://meet.example.org/x",
            "capacity": "25",
            "enrollment_opens_at": "2030-09-01T09:00",
            "enrollment_closes_at": "2030-09-20T17:00",
            "completion_threshold": "80",
            "status": "open",
        },
    )
    assert response.status_code == 302
    offering = Offering.objects.get()
    assert offering.enrollment_opens_at.isoformat() == "2030-09-01T09:00:00+00:00"
    response = client.post(
        reverse("trainings:offering_edit", args=[offering.pk]),
        {"title": "", "capacity": "0", "status": "draft"},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "Enter the cohort name" in body and "Choose one of the options" in body
    offering.refresh_from_db()
    assert offering.title == "Autumn cohort"


def test_staff_list_is_paginated_and_hidden_from_others(client, staff, member, make_programme):
    for n in range(21):
        make_programme(title=f"Programme {n:02}")
    client.force_login(staff)
    body = client.get(reverse("trainings:staff_programmes")).content.decode()
    assert "Page 1 of 2" in body and "Training programmes" in body
    client.force_login(member)
    assert client.get(reverse("trainings:staff_programmes")).status_code == 404


# The catalogue (step 2) -------------------------------------------------------------------


def test_catalogue_shows_published_programmes_with_open_offerings(
    client, make_programme, make_offering
):
    shown = make_programme(title="Shown programme")
    make_offering(programme=shown, title="Open cohort")
    make_offering(programme=shown, title="Draft cohort", status=Offering.Status.DRAFT)
    make_programme(title="Hidden programme", published=False)
    body = client.get(reverse("trainings:catalogue")).content.decode()
    assert "Shown programme" in body and "Open cohort" in body
    assert "Draft cohort" not in body and "Hidden programme" not in body


def test_catalogue_filters_and_swaps_the_results_region(client, make_programme):
    make_programme(title="For governments")
    make_programme(title="For diasporas", audience="diaspora", language="fr")
    response = client.get(
        reverse("trainings:catalogue"), {"audience": "diaspora"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "For diasporas" in body and "For governments" not in body
    assert "<h1>" not in body and "HX-Request" in response["Vary"]
    body = client.get(reverse("trainings:catalogue"), {"language": "en"}).content.decode()
    assert "For governments" in body and "For diasporas" not in body and "<h1>" in body
    response = client.get(reverse("trainings:catalogue"), {"audience": "nonsense"})
    assert "Choose one of the options in the list" in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_catalogue_runs_a_fixed_number_of_queries(
    client, make_programme, make_offering, count, django_assert_max_num_queries
):
    for n in range(count):
        make_offering(programme=make_programme(title=f"Programme {n:02}"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("trainings:catalogue"))
    assert response.status_code == 200


def test_programme_page_shows_offerings_in_their_zone(client, make_programme, make_offering):
    programme = make_programme(published=False)
    make_offering(programme=programme)
    assert client.get(reverse("trainings:programme", args=[programme.pk])).status_code == 404
    programme.published = True
    programme.save()
    body = client.get(reverse("trainings:programme", args=[programme.pk])).content.decode()
    assert "Spring cohort" in body and "(Pacific/Fiji)" in body
