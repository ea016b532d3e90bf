import pytest
from django.core.management import call_command
from django.urls import reverse

from alliance.models import Membership, MemberState, Organization
from gdpa.accounts.models import User
from youth.models import YouthProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_seed_demo_is_idempotent_and_covers_every_role(demo):
    counts = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (
        User.objects.count(),
        Organization.objects.count(),
        Membership.objects.count(),
    )
    assert {s.country.code for s in MemberState.objects.filter(is_benefiting=True)} == {
        "SV",
        "FJ",
        "GE",
        "MU",
        "PE",
    }
    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert kinds == set(Organization.Kind.values)
    assert Organization.objects.filter(status="pending").exists()
    assert YouthProfile.objects.count() >= 3


@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("en", "The four diaspora capitals"),
        ("fr", "Les quatre capitaux de la diaspora"),
        ("es", "Los cuatro capitales de la diáspora"),
    ],
)
def test_home_page_tells_what_the_alliance_is_in_each_language(client, demo, language, phrase):
    client.cookies["django_language"] = language
    page = client.get(reverse("portal:home")).content.decode()
    assert phrase in page
    for word in ("Outcome 1", "Dublin"):
        assert (word in page) or language != "en"
    for country in {
        "en": ["El Salvador", "Fiji", "Georgia", "Mauritius", "Peru"],
        "fr": ["Fidji", "Géorgie", "Maurice", "Pérou"],
        "es": ["Fiyi", "Mauricio", "Perú"],
    }[language]:
        assert country in page


@pytest.mark.parametrize(
    ("email", "section"),
    [
        ("staff@gdpa.example.org", "Alliance secretariat"),
        ("litia.naivalu@gov-fj.example.org", "Alliance sessions"),
        ("carlos.martinez@diaspora.example.org", "Your organizations"),
        ("rosa.huaman@diaspora.example.org", "Pending verification"),
        ("siobhan.murphy@partners.example.org", "Institute for Diaspora Studies"),
        ("valeria.flores@youth.example.org", "You are a youth participant"),
    ],
)
def test_each_role_lands_on_a_dashboard_that_fits(client, demo, email, section):
    User.objects.filter(email=email).update(preferred_language="en")
    client.force_login(User.objects.get(email=email))
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert section in page


def test_staff_section_is_not_shown_to_others(client, demo):
    client.force_login(User.objects.get(email="carlos.martinez@diaspora.example.org"))
    assert "Alliance secretariat" not in client.get(reverse("portal:dashboard")).content.decode()


def test_create_staff_makes_the_first_iom_staff_account(monkeypatch, db):
    from gdpa.accounts.roles import IOM_STAFF, roles_for

    monkeypatch.setattr(
        "alliance.management.commands.create_staff.getpass",
        lambda prompt="": "a long operator password",
    )
    call_command("create_staff", "ops@iom.example.org", "Ops Person", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = User.objects.get(email="ops@iom.example.org")
    assert IOM_STAFF in roles_for(user)
    assert Organization.objects.filter(kind="iom").count() == 1


@pytest.mark.django_db
def test_no_template_syntax_leaks_into_pages(client):
    """A multi-line ``{# … #}`` is not a comment in Django templates: it shows as text."""
    for url in [reverse("portal:home"), reverse("account_login"), reverse("portal:privacy")]:
        body = client.get(url).content.decode()
        assert "{#" not in body and "{%" not in body, url


def test_asking_for_one_role_asks_only_the_apps_that_can_give_it(member, django_assert_num_queries):
    """Whether someone is IOM staff is a question for their memberships only: the youth
    profile is not read for it (a query on every signed-in request); every role at once
    still asks every app, each once."""
    from django.contrib.auth import get_user_model

    from gdpa.accounts import roles

    person = get_user_model().objects.get(pk=member.pk)  # nothing read for it yet
    with django_assert_num_queries(1):  # the memberships
        assert not roles.is_iom_staff(person)
        assert roles.has_role(person, roles.MEMBER)
    with django_assert_num_queries(1):  # the youth profile, then nothing more
        assert roles.roles_for(person) == frozenset({roles.MEMBER})
        assert not roles.has_role(person, roles.YOUTH)
