"""IOM staff nominate people chosen in the member directory for a training: the action is
offered to the directory through the kernel registry; refusals are reported per person
and the nominations are all or nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gdpa.audit.models import AuditEntry
from gdpa.notify.models import OutboundEmail
from gdpa.portal.registry import people_actions
from tests import factories
from trainings import services
from trainings.models import Enrollment

pytestmark = pytest.mark.django_db
URL = "trainings:staff_nominate_people"


def test_trainings_registers_the_people_action():
    action = next(a for a in people_actions() if a.key == "nominate-training")
    assert action.url_name == URL
    assert reverse(action.url_name)


def test_staff_choose_an_offering_see_refusals_and_nominate_the_eligible(
    client, staff, leader, member, diaspora_offering, young_person
):
    offering = diaspora_offering(capacity=5)
    client.force_login(staff)
    selection = {"person": [leader.pk, member.pk, young_person.pk], "offering": offering.pk}
    preview = client.post(reverse(URL), selection).content.decode()
    assert "Young Person cannot take this offering" in preview
    assert "2 people will be nominated" in preview
    assert not Enrollment.objects.exists()

    response = client.post(reverse(URL) + "?kind=diaspora", {**selection, "confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == reverse("alliance:staff_people") + "?kind=diaspora"
    nominated = Enrollment.objects.filter(offering=offering, nominated_by=staff)
    assert set(nominated.values_list("user_id", flat=True)) == {leader.pk, member.pk}
    assert not Enrollment.objects.filter(user=young_person).exists()
    assert AuditEntry.objects.filter(action="enrollment.nominate", actor=staff).count() == 2
    assert OutboundEmail.objects.filter(kind="training_nominated").count() == 2


def test_the_service_is_all_or_nothing(staff, leader, member, diaspora_offering, young_person):
    offering = diaspora_offering(capacity=5)
    with pytest.raises(ValidationError) as refused:
        services.staff_nominations_create(
            actor=staff, offering=offering, people=[leader, young_person, member]
        )
    assert any("Young Person" in m for m in refused.value.message_dict["person"])
    assert not Enrollment.objects.exists()
    assert not OutboundEmail.objects.filter(kind="training_nominated").exists()


def test_someone_already_enrolled_is_reported_not_doubled(client, staff, member, diaspora_offering):
    offering = diaspora_offering(capacity=5)
    services.enrollment_create(user=member, offering=offering)
    client.force_login(staff)
    body = client.post(
        reverse(URL), {"person": [member.pk], "offering": offering.pk, "confirm": "yes"}
    ).content.decode()
    assert "already enrolled" in body
    assert "Nobody selected can be nominated" in body
    assert Enrollment.objects.filter(user=member).count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"person": "x"}, "The selection is not valid"),
        ({}, "Select at least one person."),
    ],
)
def test_bad_selections_go_back_to_the_directory_with_a_message(client, staff, data, message):
    client.force_login(staff)
    response = client.post(reverse(URL), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("alliance:staff_people")
    assert message in response.content.decode()


def test_an_offering_must_be_chosen_and_open(client, staff, member, diaspora_offering):
    closed = diaspora_offering(status="draft")
    client.force_login(staff)
    response = client.post(reverse(URL), {"person": [member.pk], "confirm": "yes"})
    assert response.status_code == 422
    assert "Choose the offering to nominate them for." in response.content.decode()
    response = client.post(
        reverse(URL), {"person": [member.pk], "offering": closed.pk, "confirm": "yes"}
    )
    assert response.status_code == 422
    assert "Choose one of the open offerings" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_a_member_cannot_use_it(client, member):
    person = factories.make_user()
    client.force_login(member)
    assert client.post(reverse(URL), {"person": [person.pk]}).status_code == 404
