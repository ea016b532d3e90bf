import pytest
from django.urls import reverse
from django.utils import timezone

from gdpa.accounts.roles import YOUTH, roles_for
from tests import factories
from youth.models import YouthProfile

pytestmark = pytest.mark.django_db


def test_a_young_person_joins_with_consent_and_gets_the_youth_role(client):
    user = factories.make_user()
    client.force_login(user)
    response = client.post(
        reverse("youth:join"),
        {"birth_year": timezone.now().year - 22, "heritage_countries": ["SV"], "consent": "on"},
    )
    assert response.status_code == 302
    assert YouthProfile.objects.filter(user=user).exists()
    assert YOUTH in roles_for(type(user).objects.get(pk=user.pk))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"birth_year": 1980, "heritage_countries": ["SV"], "consent": "on"}, "18 to 35"),
        ({"birth_year": 2003, "heritage_countries": ["SV"]}, "This field is required"),
        ({"birth_year": 2003, "consent": "on"}, "This field is required"),
    ],
)
def test_joining_without_consent_or_outside_the_age_range_is_explained(client, data, message):
    client.force_login(factories.make_user())
    response = client.post(reverse("youth:join"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert YouthProfile.objects.count() == 0
