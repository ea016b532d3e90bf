"""The catalogue's country and date filters, and its query count as programmes grow."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("trainings:catalogue")


def day(n: int) -> datetime.date:
    return timezone.now().date() + datetime.timedelta(days=n)


@pytest.fixture
def programmes(make_programme, make_offering):
    """Fiji (one offering for Fiji, one for Peru), open to all, Peru only, and one with
    nothing open."""
    fiji = make_programme(title="Fiji programme")
    make_offering(
        programme=fiji, title="Suva cohort", countries=["FJ"], starts_on=day(30), ends_on=day(32)
    )
    make_offering(
        programme=fiji,
        title="Lima cohort",
        countries=["PE", "CL"],
        starts_on=day(60),
        ends_on=day(62),
    )
    everyone = make_programme(title="Open programme")
    make_offering(programme=everyone, title="Everyone cohort", starts_on=day(45), ends_on=day(47))
    peru = make_programme(title="Peru programme")
    make_offering(
        programme=peru, title="Cusco cohort", countries=["PE"], starts_on=day(90), ends_on=day(92)
    )
    make_programme(title="Quiet programme")


def shown(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_country_shows_offerings_for_it_and_those_open_to_all(client, programmes):
    body = shown(client.get(CATALOGUE, {"country": "FJ"}))
    assert "Fiji programme" in body and "Suva cohort" in body
    assert "Lima cohort" not in body, "the programme lists only the matching offerings"
    assert "Open programme" in body and "Everyone cohort" in body
    assert "Peru programme" not in body and "Quiet programme" not in body
    assert "open to every country" in body, "the help text says how empty lists count"
    body = shown(client.get(CATALOGUE, {"country": "CL"}))
    assert "Lima cohort" in body and "Suva cohort" not in body and "Peru programme" not in body


def test_without_filters_every_published_programme_shows(client, programmes):
    body = shown(client.get(CATALOGUE))
    for title in ("Fiji programme", "Open programme", "Peru programme", "Quiet programme"):
        assert title in body
    assert "Suva cohort" in body and "Lima cohort" in body


def test_dates_keep_offerings_starting_in_the_range(client, programmes):
    body = shown(client.get(CATALOGUE, {"starts_from": day(40).isoformat()}))
    assert "Suva cohort" not in body and "Lima cohort" in body and "Cusco cohort" in body
    assert "Quiet programme" not in body
    body = shown(
        client.get(
            CATALOGUE,
            {"starts_from": day(30).isoformat(), "starts_until": day(45).isoformat()},
        )
    )
    assert "Suva cohort" in body and "Everyone cohort" in body, "both days included"
    assert "Lima cohort" not in body and "Peru programme" not in body
    body = shown(client.get(CATALOGUE, {"country": "PE", "starts_until": day(70).isoformat()}))
    assert "Lima cohort" in body and "Everyone cohort" in body
    assert "Cusco cohort" not in body and "Suva cohort" not in body


def test_an_invalid_date_gets_a_field_error_and_the_other_filters_still_apply(client, programmes):
    response = client.get(CATALOGUE, {"starts_from": "2027-13-45", "country": "PE"})
    body = shown(response)
    assert "There is a problem" in body and 'href="#filter-starts_from"' in body
    assert body.count("Enter the date like 2027-04-12") == 2, "in the summary and by the field"
    assert "Peru programme" in body and "Suva cohort" not in body
    response = client.get(
        CATALOGUE, {"starts_from": day(50).isoformat(), "starts_until": day(40).isoformat()}
    )
    assert "Enter a date on or after the" in shown(response)


def test_the_htmx_swap_brings_the_results_and_the_field_errors(client, programmes):
    response = client.get(CATALOGUE, {"country": "FJ"}, headers={"HX-Request": "true"})
    body = shown(response)
    assert "<h1>" not in body and "Fiji programme" in body and "Peru programme" not in body
    assert 'id="catalogue-filters"' in body and 'hx-swap-oob="true"' in body
    assert "There is a problem" not in body
    response = client.get(CATALOGUE, {"starts_until": "soon"}, headers={"HX-Request": "true"})
    body = shown(response)
    assert "<h1>" not in body and "There is a problem" in body
    assert "Enter the date like 2027-06-30" in body and 'aria-invalid="true"' in body
    body = shown(client.get(CATALOGUE, {"country": "ZZ"}, headers={"HX-Request": "true"}))
    assert "Choose one of the options in the list" in body


@pytest.mark.parametrize("count", [10, 60])
def test_the_filtered_catalogue_runs_a_fixed_number_of_queries(
    client, make_programme, make_offering, count, django_assert_max_num_queries
):
    for n in range(count):
        programme = make_programme(title=f"Programme {n:02}")
        make_offering(programme=programme, countries=["FJ"] if n % 2 else [])
        make_offering(programme=programme, title="Later", starts_on=day(200), ends_on=day(201))
    filters = {
        "country": "FJ",
        "starts_from": day(1).isoformat(),
        "starts_until": day(100).isoformat(),
    }
    with django_assert_max_num_queries(5):
        response = client.get(CATALOGUE, filters)
    assert response.context["total"] == count
    with django_assert_max_num_queries(5):
        client.get(CATALOGUE, filters, headers={"HX-Request": "true"})
