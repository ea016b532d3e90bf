"""Joining as a youth participant: the age on the day against the range staff set, the
person's gender (saved on their account), countries, sectors, languages, an optional
verified diaspora organization, and two separate consents recorded with their versions."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from alliance.models import Membership, Organization, Sector
from gdpa.accounts.models import Gender
from gdpa.audit.models import AuditEntry
from tests import factories
from youth import services
from youth.models import (
    CONSENT_TEXTS,
    CONSENT_VERSION,
    PUBLIC_CONSENT_TEXTS,
    PUBLIC_CONSENT_VERSION,
    YouthProfile,
    YouthSettings,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def on(day: datetime.date):
    """Noon UTC on ``day`` (the people below keep the default UTC time zone)."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC)
    )


def form(**changes) -> dict:
    data = {
        "date_of_birth": "2001-03-27",
        "gender": "woman",
        "heritage_countries": ["SV", "MX"],
        "country_of_residence": "US",
        "consent": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


TODAY = D(2026, 6, 15)


def join(client, user, day=TODAY, **changes):
    with on(day):
        client.force_login(user)
        return client.post(reverse("youth:join"), form(**changes))


def field_error(response, name: str) -> str:
    page = response.content.decode()
    start = page.index(f'id="id_{name}_error"')
    return page[start : page.index("</div>", start)]


def refetch(user):
    return type(user).objects.get(pk=user.pk)


# --- the age on the day, against the range staff set --------------------------------------


@pytest.mark.parametrize(
    ("born", "day", "admitted"),
    [
        ("2008-06-15", D(2026, 6, 15), True),  # the 18th birthday is today
        ("2008-06-16", D(2026, 6, 15), False),  # 18 tomorrow
        ("1990-06-16", D(2026, 6, 15), True),  # 36 tomorrow
        ("1990-06-15", D(2026, 6, 15), False),  # the 36th birthday is today
        ("2008-02-29", D(2026, 2, 28), False),  # born on 29 February: not 18 yet ...
        ("2008-02-29", D(2026, 3, 1), True),  # ... but on 1 March of a common year
        ("1992-02-29", D(2028, 2, 28), True),  # 35 the day before a leap day ...
        ("1992-02-29", D(2028, 2, 29), False),  # ... and 36 on it
    ],
)
def test_the_age_is_computed_exactly_on_the_day(client, born, day, admitted):
    user = factories.make_user()
    response = join(client, user, day, date_of_birth=born)
    assert YouthProfile.objects.filter(user=user).exists() is admitted
    if admitted:
        assert response.status_code == 302
    else:
        assert response.status_code == 422
        assert "Youth participants are 18 to 35 years old." in field_error(
            response, "date_of_birth"
        )


def test_the_age_is_that_of_the_persons_own_day_in_their_time_zone(client):
    """At 20:00 UTC on 14 June it is already 15 June in Kiritimati (UTC+14)."""
    user = factories.make_user(time_zone="Pacific/Kiritimati")
    client.force_login(user)
    with time_machine.travel(datetime.datetime(2026, 6, 14, 20, tzinfo=datetime.UTC)):
        response = client.post(reverse("youth:join"), form(date_of_birth="2008-06-15"))
    assert response.status_code == 302
    assert YouthProfile.objects.filter(user=user).exists()


def test_a_changed_age_range_applies_to_the_next_people_who_join(client, staff):
    services.youth_settings_update(actor=staff, min_age=16, max_age=30)
    sixteen, thirty_one = factories.make_user(), factories.make_user()
    assert join(client, sixteen, date_of_birth="2010-06-15").status_code == 302
    refused = join(client, thirty_one, date_of_birth="1995-06-15")
    assert refused.status_code == 422
    assert "Youth participants are 16 to 30 years old." in field_error(refused, "date_of_birth")
    assert not YouthProfile.objects.filter(user=thirty_one).exists()
    client.force_login(factories.make_user())
    page = client.get(reverse("youth:join")).content.decode()
    assert "aged 16 to 30" in page and "16 to 30 years old today" in page


def test_the_profile_page_invitation_names_the_current_range(client, staff):
    services.youth_settings_update(actor=staff, min_age=15, max_age=29)
    client.force_login(factories.make_user())
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Aged 15 to 29 and part of a diaspora?" in page


def test_the_service_checks_the_range_too(staff):
    services.youth_settings_update(actor=staff, min_age=20, max_age=25)
    with on(D(2026, 6, 15)), pytest.raises(ValidationError) as caught:
        services.youth_profile_create(
            user=factories.make_user(),
            date_of_birth=D(2007, 1, 1),
            heritage_countries=["SV"],
            consent=True,
        )
    assert caught.value.message_dict == {
        "date_of_birth": ["Youth participants are 20 to 25 years old."]
    }


# --- the details ------------------------------------------------------------------------


def test_everything_the_person_gives_is_saved(client):
    user = factories.make_user()
    health, climate = Sector.objects.get(slug="health"), Sector.objects.get(slug="climate")
    response = join(
        client,
        user,
        heritage_countries=["SV", "MX"],
        country_of_residence="US",
        diaspora_community="Salvadoran community in Los Angeles",
        interests=[health.pk, climate.pk],
        languages="Spanish, English",
        about="I organise youth meetups.",
    )
    assert response.status_code == 302
    profile = YouthProfile.objects.get(user=user)
    assert {c.code for c in profile.heritage_countries} == {"SV", "MX"}
    assert profile.country_of_residence == "US"
    assert profile.diaspora_community == "Salvadoran community in Los Angeles"
    assert set(profile.interests.all()) == {health, climate}
    assert profile.languages == "Spanish, English"
    assert profile.organization is None


def test_the_form_starts_from_the_accounts_gender_and_country(client):
    user = factories.make_user(gender=Gender.NON_BINARY, country_of_residence="PT")
    client.force_login(user)
    page = client.get(reverse("youth:join")).content.decode()
    assert 'value="non_binary" required id="id_gender_2" checked>' in page
    assert '<option value="PT" selected>' in page
    assert "Prefer not to say" in page
    assert 'name="heritage_countries"' in page and "data-autocomplete-multiple" in page


@pytest.mark.parametrize(
    ("gender", "described", "display"),
    [
        (Gender.SELF_DESCRIBED, "  Genderfluid ", "Genderfluid"),
        (Gender.PREFER_NOT_TO_SAY, "", "Prefer not to say"),
        (Gender.MAN, "ignored", "Man"),
    ],
)
def test_the_gender_is_saved_on_the_account(client, gender, described, display):
    user = factories.make_user()
    response = join(client, user, gender=gender, gender_self_description=described)
    assert response.status_code == 302
    user = refetch(user)
    assert user.gender == gender
    assert user.gender_display == display
    assert user.gender_self_description == (display if gender == Gender.SELF_DESCRIBED else "")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"gender": None}, "gender", "Choose your gender, or &quot;Prefer not to say&quot;"),
        (
            {"gender": "self_described", "gender_self_description": "  "},
            "gender_self_description",
            "Describe your gender in your own words, or choose another option",
        ),
        ({"gender": "robot"}, "gender", "Choose one of the options in the list"),
        ({"country_of_residence": ""}, "country_of_residence", "Choose the country you live in"),
    ],
)
def test_a_missing_gender_or_country_is_explained_and_nothing_changes(
    client, changes, field, message
):
    user = factories.make_user(gender=Gender.WOMAN)
    response = join(client, user, **changes)
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert not YouthProfile.objects.exists()
    assert refetch(user).gender == Gender.WOMAN


# --- the diaspora organization ------------------------------------------------------------


@pytest.fixture
def organizations(staff):
    """A youth member of a verified diaspora organization, of a pending one and of a
    verified academic one; and a verified diaspora organization they are not in."""
    person = factories.make_user(full_name="Young Member")
    mine = factories.make_organization(
        admin=factories.make_user(), name="Fiji Youth Diaspora", verified_by=staff
    )
    factories.add_member(staff=staff, organization=mine, user=person)
    pending = factories.make_organization(admin=factories.make_user(), name="Pending Youth")
    Membership.objects.create(user=person, organization=pending)
    academic = factories.make_organization(
        admin=factories.make_user(),
        kind=Organization.Kind.ACADEMIA,
        name="Youth Institute",
        verified_by=staff,
    )
    factories.add_member(staff=staff, organization=academic, user=person)
    other = factories.make_organization(
        admin=factories.make_user(), name="Someone Else's Network", verified_by=staff
    )
    return {
        "person": person,
        "mine": mine,
        "pending": pending,
        "academic": academic,
        "other": other,
    }


def test_only_the_persons_verified_diaspora_organizations_are_offered(client, organizations):
    client.force_login(organizations["person"])
    page = client.get(reverse("youth:join")).content.decode()
    select = page[page.index('<select name="organization"') :]
    select = select[: select.index("</select>")]
    assert "Fiji Youth Diaspora" in select and "None" in select
    for name in ("Pending Youth", "Youth Institute", "Someone Else&#x27;s Network"):
        assert name not in select


def test_the_participation_is_linked_to_the_organization_chosen(client, organizations):
    person = organizations["person"]
    assert join(client, person, organization=organizations["mine"].pk).status_code == 302
    assert YouthProfile.objects.get(user=person).organization == organizations["mine"]


@pytest.mark.parametrize("which", ["pending", "academic", "other"])
def test_a_forged_organization_id_is_a_field_error_and_nothing_is_saved(
    client, organizations, which
):
    person = organizations["person"]
    response = join(client, person, organization=organizations[which].pk)
    assert response.status_code == 422
    assert "Choose one of your organizations from the list" in field_error(response, "organization")
    assert not YouthProfile.objects.exists()


def test_someone_without_an_organization_sees_no_organization_field_and_cannot_forge_one(
    client, organizations
):
    loner = factories.make_user()
    client.force_login(loner)
    page = client.get(reverse("youth:join")).content.decode()
    assert '<input type="hidden" name="organization"' in page
    assert "Your diaspora organization" not in page
    response = join(client, loner, organization=organizations["other"].pk)
    assert response.status_code == 422
    assert "Choose one of your organizations from the list" in response.content.decode()
    assert not YouthProfile.objects.exists()


def test_the_service_refuses_an_organization_the_person_is_not_in(organizations):
    with pytest.raises(ValidationError) as caught:
        services.youth_profile_create(
            user=organizations["person"],
            date_of_birth=D(2000, 1, 1),
            heritage_countries=["FJ"],
            organization=organizations["other"],
            consent=True,
        )
    assert list(caught.value.message_dict) == ["organization"]
    assert not YouthProfile.objects.exists()


# --- two separate consents -----------------------------------------------------------------


def test_the_form_shows_both_consents_in_full_each_in_its_own_unticked_box(client):
    client.force_login(factories.make_user())
    page = client.get(reverse("youth:join")).content.decode()
    for name, text in (
        ("consent", CONSENT_TEXTS[CONSENT_VERSION]),
        ("public_consent", PUBLIC_CONSENT_TEXTS[PUBLIC_CONSENT_VERSION]),
    ):
        box = re.search(f'<input type="checkbox" name="{name}"[^>]*>', page).group(0)
        assert "checked" not in box
        assert str(text).replace("'", "&#x27;") in page


def test_both_consents_are_recorded_with_their_time_and_text_version(client):
    user = factories.make_user()
    moment = datetime.datetime(2026, 6, 15, 9, 30, tzinfo=datetime.UTC)
    client.force_login(user)
    with time_machine.travel(moment, tick=False):
        response = client.post(reverse("youth:join"), form(public_consent="on"))
    assert response.status_code == 302
    profile = YouthProfile.objects.get(user=user)
    assert (profile.consent_at, profile.consent_version) == (moment, CONSENT_VERSION)
    assert (profile.public_consent_at, profile.public_consent_version) == (
        moment,
        PUBLIC_CONSENT_VERSION,
    )
    entry = AuditEntry.objects.get(action="youth_profile.create", actor=user)
    assert entry.after["consent_version"] == CONSENT_VERSION
    assert entry.after["public_consent_version"] == PUBLIC_CONSENT_VERSION
    assert entry.after["public_consent_at"].startswith("2026-06-15 09:30")


def test_the_public_consent_is_optional(client):
    user = factories.make_user()
    assert join(client, user).status_code == 302
    profile = YouthProfile.objects.get(user=user)
    assert profile.consent_version == CONSENT_VERSION
    assert profile.public_consent_at is None and profile.public_consent_version == ""
    assert (
        AuditEntry.objects.get(action="youth_profile.create").after["public_consent_version"] == ""
    )


def test_the_public_consent_alone_does_not_make_a_participant(client):
    user = factories.make_user()
    response = join(client, user, consent=None, public_consent="on")
    assert response.status_code == 422
    assert "Tick the box to give your consent" in field_error(response, "consent")
    assert not YouthProfile.objects.exists()


# --- the age range staff set ------------------------------------------------------------


def test_staff_see_the_range_and_find_the_page_in_the_staff_workspace(client, staff):
    client.force_login(staff)
    response = client.get(reverse("youth:settings"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "if they are 18 to 35 years old on the day they join" in page
    assert 'name="min_age" value="18"' in page and 'name="max_age" value="35"' in page
    groups = {
        str(g["label"]): [str(i["label"]) for i in g["items"]]
        for g in response.context["staff_groups"]
    }
    assert groups["Youth"] == ["Youth figures", "Youth age range", "Story moderation"]
    assert f'href="{reverse("youth:settings")}" aria-current="page"' in page


def test_staff_change_the_range_and_it_is_audited(client, staff):
    client.force_login(staff)
    response = client.post(reverse("youth:settings"), {"min_age": "16", "max_age": "30"})
    assert response.status_code == 302
    current = YouthSettings.current()
    assert (current.min_age, current.max_age) == (16, 30)
    assert YouthSettings.objects.count() == 1
    client.post(reverse("youth:settings"), {"min_age": "17", "max_age": "30"})
    assert YouthSettings.objects.count() == 1
    first, second = AuditEntry.objects.filter(action="youth_settings.update").order_by("pk")
    assert first.before is None and first.after == {"min_age": 16, "max_age": 30}
    assert second.before == {"min_age": 16, "max_age": 30}
    assert second.after == {"min_age": 17, "max_age": 30}
    assert second.actor == staff


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"min_age": "30", "max_age": "20"},
            "max_age",
            "The oldest age cannot be below the youngest",
        ),
        ({"min_age": "12", "max_age": "20"}, "min_age", "Enter a youngest age from 13 to 99"),
        ({"min_age": "18", "max_age": "100"}, "max_age", "Enter an oldest age from 13 to 99"),
        (
            {"min_age": "eighteen", "max_age": "35"},
            "min_age",
            "Enter the youngest age as a whole number",
        ),
        ({"min_age": "18", "max_age": ""}, "max_age", "Enter the oldest age"),
    ],
)
def test_a_wrong_range_is_explained_next_to_the_field_and_nothing_changes(
    client, staff, data, field, message
):
    client.force_login(staff)
    response = client.post(reverse("youth:settings"), data)
    assert response.status_code == 422
    assert "There is a problem" in response.content.decode()
    assert message in field_error(response, field)
    assert not YouthSettings.objects.exists()
    assert not AuditEntry.objects.filter(action="youth_settings.update").exists()


def test_the_service_refuses_a_reversed_range(staff):
    with pytest.raises(ValidationError) as caught:
        services.youth_settings_update(actor=staff, min_age=30, max_age=20)
    assert list(caught.value.message_dict) == ["max_age"]
    assert not YouthSettings.objects.exists()
