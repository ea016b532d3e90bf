import datetime
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.query import QuerySet
from django.urls import reverse

from gdpa.accounts.roles import YOUTH, roles_for, users_with_role
from gdpa.audit.models import AuditEntry
from tests import factories
from tests.concurrency import all_at_once
from youth import services
from youth.age import age_on
from youth.models import CONSENT_VERSION, YouthProfile

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 6, 15)


def on(day: datetime.date):
    """Travel to noon UTC on ``day`` (the test settings' time zone is UTC)."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC)
    )


def join(user, date_of_birth, **extra):
    return services.youth_profile_create(
        user=user,
        date_of_birth=date_of_birth,
        heritage_countries=extra.pop("heritage_countries", ["SV"]),
        consent=extra.pop("consent", True),
        **extra,
    )


#: The rest of a valid join form, besides the date of birth.
REST = {
    "gender": "woman",
    "heritage_countries": ["SV"],
    "country_of_residence": "ES",
    "consent": "on",
}


def refetch(user):
    return type(user).objects.get(pk=user.pk)


# --- age on the day --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (D(2008, 6, 16), TODAY, 17),  # 17 years and 364 days
        (D(2008, 6, 15), TODAY, 18),  # the 18th birthday
        (D(1990, 6, 16), TODAY, 35),  # the day before the 36th birthday
        (D(1990, 6, 15), TODAY, 36),  # the 36th birthday
        (D(2008, 12, 31), D(2026, 1, 1), 17),
        (D(2008, 1, 1), D(2026, 12, 31), 18),
        (D(2008, 2, 29), D(2026, 2, 28), 17),  # common year: not yet on 28 February
        (D(2008, 2, 29), D(2026, 3, 1), 18),  # ... but on 1 March
        (D(2008, 2, 29), D(2028, 2, 28), 19),
        (D(2008, 2, 29), D(2028, 2, 29), 20),  # leap year: on the day itself
        (D(2000, 3, 1), D(2018, 2, 28), 17),
    ],
)
def test_age_on_the_day(born, today, age):
    assert age_on(born, today) == age


@pytest.mark.parametrize(
    ("born", "today", "admitted"),
    [
        (D(2008, 6, 16), TODAY, False),  # 17 years and 364 days
        (D(2008, 6, 15), TODAY, True),  # 18th birthday
        (D(1990, 6, 16), TODAY, True),  # 35, the day before the 36th birthday
        (D(1990, 6, 15), TODAY, False),  # 36th birthday
        (D(2008, 2, 29), D(2026, 2, 28), False),  # born on 29 February: still 17
        (D(2008, 2, 29), D(2026, 3, 1), True),  # 18 on 1 March of a common year
        (D(1992, 2, 29), D(2028, 2, 28), True),  # 35 the day before ...
        (D(1992, 2, 29), D(2028, 2, 29), False),  # ... and 36 on the day
    ],
)
def test_the_age_range_is_18_to_35_on_the_day(born, today, admitted):
    user = factories.make_user()
    with on(today):
        if admitted:
            assert join(user, born).date_of_birth == born
        else:
            with pytest.raises(ValidationError) as caught:
                join(user, born)
            assert caught.value.message_dict == {
                "date_of_birth": ["Youth participants are 18 to 35 years old."]
            }
    assert YouthProfile.objects.filter(user=user).exists() is admitted


def test_a_date_of_birth_in_the_future_is_refused_by_the_service():
    with on(TODAY), pytest.raises(ValidationError) as caught:
        join(factories.make_user(), TODAY + datetime.timedelta(days=1))
    assert caught.value.message_dict == {
        "date_of_birth": ["Your date of birth cannot be in the future."]
    }
    assert not YouthProfile.objects.exists()


# --- the join page ---------------------------------------------------------------------


def test_a_young_person_joins_with_consent_and_gets_the_youth_role(client):
    user = factories.make_user()
    client.force_login(user)
    with on(TODAY):
        response = client.post(
            reverse("youth:join"),
            {"date_of_birth": "2008-06-15", **REST},
        )
    assert response.status_code == 302
    profile = YouthProfile.objects.get(user=user)
    assert profile.date_of_birth == D(2008, 6, 15)
    assert profile.consent_version == CONSENT_VERSION
    assert YOUTH in roles_for(refetch(user))
    entry = AuditEntry.objects.get(action="youth_profile.create")
    assert entry.after["consent_version"] == CONSENT_VERSION


def test_the_join_form_asks_for_the_date_of_birth_in_a_date_input(client):
    client.force_login(factories.make_user())
    with on(TODAY):
        page = client.get(reverse("youth:join")).content.decode()
    assert '<label class="field__label" for="id_date_of_birth">Date of birth</label>' in page
    assert 'type="date" name="date_of_birth"' in page
    assert 'max="2026-06-15"' in page
    assert "birth_year" not in page


@pytest.mark.parametrize(
    ("date_of_birth", "message"),
    [
        ("2008-06-16", "Youth participants are 18 to 35 years old."),
        ("1990-06-15", "Youth participants are 18 to 35 years old."),
        ("2026-06-16", "Your date of birth cannot be in the future."),
        ("2001-02-30", "Enter your date of birth as a real date"),
        ("27/03/2001", "Enter your date of birth as a real date"),
        ("soon", "Enter your date of birth as a real date"),
        ("", "Enter your date of birth</p>"),
    ],
)
def test_a_wrong_date_of_birth_is_explained_next_to_the_field(client, date_of_birth, message):
    client.force_login(factories.make_user())
    with on(TODAY):
        response = client.post(
            reverse("youth:join"),
            {"date_of_birth": date_of_birth, **REST},
        )
    assert response.status_code == 422
    page = response.content.decode()
    field = page[page.index('id="id_date_of_birth_error"') :]
    assert message in field[: field.index("</div>")]
    assert not YouthProfile.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"date_of_birth": "2003-05-01", **REST, "consent": ""},
            "Tick the box to give your consent",
        ),
        (
            {"date_of_birth": "2003-05-01", **REST, "heritage_countries": []},
            "Choose at least one country of origin",
        ),
    ],
)
def test_joining_without_consent_or_heritage_is_explained(client, data, message):
    client.force_login(factories.make_user())
    with on(TODAY):
        response = client.post(reverse("youth:join"), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not YouthProfile.objects.exists()


# --- a double submit -------------------------------------------------------------------


def test_joining_twice_is_refused_with_a_message():
    user = factories.make_user()
    join(user, D(2000, 1, 1))
    with pytest.raises(ValidationError, match="You are already a youth participant"):
        join(user, D(2000, 1, 1))
    assert YouthProfile.objects.filter(user=user).count() == 1


@pytest.fixture
def racing():
    """Both requests of a double submit saw no profile yet: the existence check misses."""
    real_exists = QuerySet.exists

    def exists(queryset):
        return False if queryset.model is YouthProfile else real_exists(queryset)

    with mock.patch.object(QuerySet, "exists", exists):
        yield


def test_a_racing_second_join_gets_the_message_not_an_integrity_error(racing):
    user = factories.make_user()
    join(user, D(2000, 1, 1))
    with pytest.raises(ValidationError, match="You are already a youth participant"):
        join(user, D(2000, 1, 1))
    assert YouthProfile.objects.filter(user=user).count() == 1


def test_a_double_submitted_join_page_shows_the_message(client, racing):
    user = factories.make_user()
    client.force_login(user)
    data = {"date_of_birth": "2000-01-01", **REST}
    assert client.post(reverse("youth:join"), data).status_code == 302
    # The second request looked for a profile before the first one saved it.
    with mock.patch("youth.views.youth_profile_of", return_value=None):
        response = client.post(reverse("youth:join"), data)
    assert response.status_code == 422
    assert "You are already a youth participant." in response.content.decode()
    assert YouthProfile.objects.filter(user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_make_one_profile():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; CI runs this on PostgreSQL")
    user = factories.make_user()

    def attempt():
        join(type(user).objects.get(pk=user.pk), D(2000, 1, 1))

    refused = all_at_once(*[attempt] * 4)
    outcomes = [error.messages[0] for error in refused] + ["joined"] * (4 - len(refused))
    assert sorted(outcomes) == ["You are already a youth participant."] * 3 + ["joined"]
    assert YouthProfile.objects.filter(user=user).count() == 1


# --- consent: see it, withdraw it ------------------------------------------------------


@pytest.fixture
def youth_user():
    user = factories.make_user(full_name="Young Person")
    with on(TODAY):
        join(user, D(2003, 4, 5), about="I care about climate.")
    return user


def test_the_join_page_links_a_participant_to_their_consent(client, youth_user):
    client.force_login(youth_user)
    page = client.get(reverse("youth:join")).content.decode()
    assert reverse("youth:consent") in page


def test_a_participant_sees_what_they_agreed_to_and_when(client, youth_user):
    client.force_login(youth_user)
    page = client.get(reverse("youth:consent")).content.decode()
    assert "I can withdraw at any time." in page
    assert "June 15, 2026" in page
    assert CONSENT_VERSION in page
    assert "Your youth profile is deleted" in page
    assert 'name="understood"' in page and "required" in page
    assert f'action="{reverse("youth:consent_withdraw")}"' in page


def test_someone_who_is_not_a_participant_is_told_there_is_nothing_to_withdraw(client):
    client.force_login(factories.make_user())
    response = client.get(reverse("youth:consent"))
    assert response.status_code == 200
    assert "there is no consent to withdraw" in response.content.decode()
    assert response.context["profile"] is None


def test_withdrawing_needs_the_confirmation_and_changes_nothing_without_it(client, youth_user):
    client.force_login(youth_user)
    response = client.post(reverse("youth:consent_withdraw"))
    assert response.status_code == 422
    page = response.content.decode()
    assert "Tick the box to confirm that you want to withdraw." in page
    assert YouthProfile.objects.filter(user=youth_user).exists()
    assert not AuditEntry.objects.filter(action="youth_profile.consent_withdrawn").exists()


def test_withdrawing_ends_the_participation_and_deletes_the_profile(client, youth_user):
    profile = YouthProfile.objects.get(user=youth_user)
    assert youth_user.pk in set(users_with_role(YOUTH).values_list("user_id", flat=True))
    client.force_login(youth_user)
    response = client.post(reverse("youth:consent_withdraw"), {"understood": "on"})
    assert response.status_code == 302
    assert not YouthProfile.objects.filter(user=youth_user).exists()
    assert not profile.interests.through.objects.filter(youthprofile_id=profile.pk).exists()
    assert YOUTH not in roles_for(refetch(youth_user))
    assert youth_user.pk not in set(users_with_role(YOUTH).values_list("user_id", flat=True))
    entry = AuditEntry.objects.get(action="youth_profile.consent_withdrawn")
    assert entry.actor == youth_user
    assert entry.before["consent_version"] == CONSENT_VERSION
    assert entry.after["withdrawn_at"]
    details = f"{entry.before} {entry.after}"
    assert "2003" not in details and "climate" not in details and "SV" not in details
    followed = client.get(response.url).content.decode()
    assert "You have withdrawn your consent." in followed


def test_after_withdrawing_they_can_join_again_with_a_fresh_consent(youth_user):
    services.youth_consent_withdraw(user=youth_user)
    with on(D(2027, 1, 10)):
        profile = join(refetch(youth_user), D(2003, 4, 5))
    assert profile.consent_at.date() == D(2027, 1, 10)
    assert YOUTH in roles_for(refetch(youth_user))


def test_withdrawing_twice_is_refused_with_a_message(youth_user):
    services.youth_consent_withdraw(user=youth_user)
    with pytest.raises(ValidationError, match="no consent to withdraw"):
        services.youth_consent_withdraw(user=youth_user)
    assert AuditEntry.objects.filter(action="youth_profile.consent_withdrawn").count() == 1


def test_a_withdrawal_in_another_tab_is_explained_not_an_error(client, youth_user):
    client.force_login(youth_user)
    stale = YouthProfile.objects.get(user=youth_user)
    services.youth_consent_withdraw(user=youth_user)
    with mock.patch("youth.permissions.youth_profile_of", return_value=stale):
        response = client.post(reverse("youth:consent_withdraw"), {"understood": "on"}, follow=True)
    assert response.status_code == 200
    assert "there is no consent to withdraw" in response.content.decode()


def test_only_a_participant_can_post_a_withdrawal(client):
    client.force_login(factories.make_user())
    assert client.post(reverse("youth:consent_withdraw"), {"understood": "on"}).status_code == 404
    assert not AuditEntry.objects.filter(action="youth_profile.consent_withdrawn").exists()
