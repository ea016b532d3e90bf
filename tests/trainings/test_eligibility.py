"""Eligibility per offering: the programme's audience, narrowed by the offering's roles
and organization kinds; staff author the lists (issue 8)."""

import contextvars
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from alliance.models import Membership, Organization
from alliance.tenancy import tenant_scope
from gdpa.accounts import roles
from tests import factories
from trainings import services
from trainings.eligibility import LEARNER_ROLES, is_eligible, role_holders
from trainings.models import Enrollment, Offering

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(staff, government, focal_point, leader, member, partner, young_person):
    pending_admin = factories.make_user(full_name="Pending Founder")
    factories.make_organization(admin=pending_admin)
    unverified_gov = factories.make_government(staff=staff, country="PE")
    unverified_gov.status = Organization.Status.PENDING
    unverified_gov.save()
    return {
        "staff": staff,
        "focal_point": focal_point,
        "official": factories.add_member(staff=staff, organization=government),
        "leader": leader,
        "member": member,
        "partner": partner,
        "youth": young_person,
        "pending_admin": pending_admin,
        "pending_gov_admin": factories.add_member(
            staff=staff, organization=unverified_gov, role=Membership.Role.ADMIN
        ),
        "no_org": factories.make_user(),
    }


def test_the_role_filter_agrees_with_the_kernel_roles(people):
    """The list of people a nominator sees and the check on one person read roles as the
    kernel does, for every kind of person."""
    users = get_user_model().objects
    for role in (*LEARNER_ROLES, roles.IOM_STAFF):
        holders = set(users.filter(role_holders(role)).values_list("pk", flat=True))
        for name, person in people.items():
            roles.forget_roles(person)
            assert (person.pk in holders) == roles.has_role(person, role), (name, role)


def test_the_programme_audience_decides_when_the_offering_does_not_narrow_it(
    people, make_programme, make_offering
):
    officials = make_offering(programme=make_programme(audience="government"))
    diaspora = make_offering(programme=make_programme(audience="diaspora"))
    young = make_offering(programme=make_programme(audience="youth"))
    eligible = {
        name: {o for o, offering in [("gov", officials), ("dia", diaspora), ("youth", young)]
               if is_eligible(person, offering)}
        for name, person in people.items()
    }  # fmt: skip
    assert eligible == {
        "staff": set(),
        "focal_point": {"gov"},
        "official": {"gov"},
        "leader": {"dia"},
        "member": {"dia"},
        "partner": {"dia"},
        "youth": {"youth"},
        "pending_admin": set(),
        "pending_gov_admin": set(),
        "no_org": set(),
    }


def test_roles_or_kinds_narrow_the_audience(people, diaspora_offering):
    leaders_only = diaspora_offering(eligible_roles=[roles.DIASPORA_LEADER])
    academia_only = diaspora_offering(eligible_org_kinds=[Organization.Kind.ACADEMIA])
    either = diaspora_offering(
        eligible_roles=[roles.DIASPORA_LEADER], eligible_org_kinds=[Organization.Kind.ACADEMIA]
    )
    who = {
        offering.pk: {name for name, p in people.items() if is_eligible(p, offering)}
        for offering in (leaders_only, academia_only, either)
    }
    assert who[leaders_only.pk] == {"leader"}
    assert who[academia_only.pk] == {"partner"}
    assert who[either.pk] == {"leader", "partner"}


def test_narrowing_never_widens_the_audience(people, diaspora_offering, make_programme):
    """A youth participant without an organization is not let into a diaspora offering
    by naming the youth role; a focal point not into one by naming government."""
    offering = diaspora_offering(
        eligible_roles=[roles.YOUTH, roles.FOCAL_POINT],
        eligible_org_kinds=[Organization.Kind.GOVERNMENT],
    )
    assert not any(is_eligible(p, offering) for p in people.values())


def test_a_government_offering_for_focal_points_only(people, make_offering):
    offering = make_offering(eligible_roles=[roles.FOCAL_POINT])
    assert is_eligible(people["focal_point"], offering)
    assert not is_eligible(people["official"], offering)


def test_the_refusal_says_who_the_offering_is_for(member, diaspora_offering):
    offering = diaspora_offering(
        eligible_roles=[roles.DIASPORA_LEADER], eligible_org_kinds=[Organization.Kind.ACADEMIA]
    )
    with pytest.raises(ValidationError) as refused:
        services.enrollment_create(user=member, offering=offering)
    message = refused.value.messages[0]
    assert "diaspora leaders and organizations" in message
    assert "diaspora leader" in message.split("only", 1)[1] and "academia" in message
    assert not Enrollment.objects.exists()


def test_the_offering_page_says_who_may_enroll(client, diaspora_offering):
    offering = diaspora_offering(eligible_org_kinds=[Organization.Kind.ACADEMIA])
    body = client.get(reverse("trainings:offering", args=[offering.pk])).content.decode()
    assert "Who may enroll" in body
    assert "members of a verified organization of the kind academia" in body


# Staff authoring -----------------------------------------------------------------------------


def offering_post(**overrides) -> dict:
    data = {
        "title": "Autumn cohort",
        "starts_on": "2030-10-01",
        "ends_on": "2030-10-05",
        "time_zone": "Pacific/Fiji",
        "join_url": "https://meet.example.org/x",
        "capacity": "25",
        "enrollment_opens_at": "2030-09-01T09:00",
        "enrollment_closes_at": "2030-09-20T17:00",
        "completion_threshold": "75",
        "status": "open",
    }
    data.update(overrides)
    return data


def test_staff_author_eligibility_threshold_and_countries(client, staff, make_programme):
    programme = make_programme(audience="diaspora")
    client.force_login(staff)
    form = client.get(reverse("trainings:offering_create", args=[programme.pk])).content.decode()
    assert 'name="eligible_roles"' in form and 'name="eligible_org_kinds"' in form
    assert 'value="iom"' not in form and 'value="iom_staff"' not in form
    assert "data-autocomplete-multiple" in form and "accessible-autocomplete" in form
    response = client.post(
        reverse("trainings:offering_create", args=[programme.pk]),
        offering_post(
            eligible_roles=["diaspora_leader", "partner"],
            eligible_org_kinds=["academia"],
            countries=["FJ", "PE"],
            needs_approval="on",
        ),
    )
    assert response.status_code == 302
    offering = Offering.objects.get()
    assert offering.eligible_roles == ["diaspora_leader", "partner"]
    assert offering.eligible_org_kinds == ["academia"]
    assert [c.code for c in offering.countries] == ["FJ", "PE"]
    assert offering.completion_threshold == 75 and offering.needs_approval
    edit = client.get(reverse("trainings:offering_edit", args=[offering.pk])).content.decode()
    assert re.search(
        r'<input type="checkbox" name="eligible_org_kinds" value="academia"[^>]*checked', edit
    )
    assert '<option value="FJ" selected>' in edit


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("eligible_roles", ["iom_staff"], "Choose roles from the list"),
        ("eligible_org_kinds", ["iom"], "Choose organization kinds from the list"),
        ("completion_threshold", "0", "Enter a percentage from 1 to 100"),
        ("completion_threshold", "101", "Enter a percentage from 1 to 100"),
        ("completion_threshold", "most", "Enter the attendance as a whole number"),
        ("countries", ["XX"], "Choose countries from the list"),
    ],
)
def test_unknown_values_are_refused_next_to_the_field(
    client, staff, make_programme, field, value, message
):
    programme = make_programme()
    client.force_login(staff)
    response = client.post(
        reverse("trainings:offering_create", args=[programme.pk]), offering_post(**{field: value})
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body and f'id="id_{field}' in body
    assert not Offering.objects.exists()


def test_the_service_refuses_unknown_roles_too(staff, make_offering):
    with pytest.raises(ValidationError) as refused:
        make_offering(eligible_roles=["iom_staff"])
    assert "eligible_roles" in refused.value.message_dict


def test_eligibility_follows_every_membership_whoever_asks_and_in_a_worker(
    make_offering, focal_point, leader
):
    """A person's roles come from all their organizations: asked in another tenant's
    scope (a diaspora leader's request) or in a worker with no scope (the reminders),
    the focal point is still eligible for a government offering."""
    offering = make_offering()
    with tenant_scope(leader):
        assert is_eligible(focal_point, offering)
    assert contextvars.Context().run(is_eligible, focal_point, offering)
