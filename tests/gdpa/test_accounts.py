import re

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.urls import reverse

from gdpa.accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def current_totp(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_sign_up_confirm_email_then_land_on_the_dashboard(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "full_name": "Mele Tuilagi",
                "email": "mele@example.org",
                "password1": "correct horse battery",
                "password2": "correct horse battery",
                "country_of_residence": "NZ",
                "time_zone": "Pacific/Auckland",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="mele@example.org")
    assert (user.full_name, user.time_zone, user.country_of_residence.code) == (
        "Mele Tuilagi",
        "Pacific/Auckland",
        "NZ",
    )
    # Not confirmed yet: signing in is refused until the link is used.
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "mele@example.org", "password": "correct horse battery"}
    )
    assert "/confirm-email/" in response.url
    confirm_url = re.search(r"https?://[^/]+(/account/confirm-email/[^\s]+)", mail.outbox[-1].body)
    response = client.post(confirm_url.group(1))
    assert response.status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_sign_up_in_french_gets_french_email_and_interface(
    client, django_capture_on_commit_callbacks
):
    client.cookies["django_language"] = "fr"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "full_name": "Aurélie",
                "email": "aurelie@example.org",
                "password1": "correct horse battery",
                "password2": "correct horse battery",
                "time_zone": "Europe/Paris",
            },
            follow=True,
        )
    assert User.objects.get(email="aurelie@example.org").preferred_language == "fr"
    assert response.headers["Content-Language"] == "fr"
    assert "Confirmez votre adresse" in mail.outbox[-1].subject


def test_repeated_failed_logins_are_rate_limited(client):
    user = factories.make_user()
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": factories.PASSWORD}
    )
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_staff_without_two_factor_are_sent_to_set_it_up(client, staff_without_mfa):
    client.force_login(staff_without_mfa)
    response = client.get(reverse("alliance:verification_queue"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_staff_sign_in_asks_for_the_two_factor_code(client, staff):
    response = client.post(
        reverse("account_login"), {"login": staff.email, "password": factories.PASSWORD}
    )
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("portal:dashboard")).status_code == 302  # not signed in yet
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp(staff.totp_secret)})
    assert response.status_code == 302
    assert client.get(reverse("alliance:verification_queue")).status_code == 200


def test_language_choice_sticks_for_signed_in_people(client):
    user = factories.make_user()
    client.force_login(user)
    client.post(reverse("accounts:language"), {"language": "es", "next": "/dashboard/"})
    user.refresh_from_db()
    assert user.preferred_language == "es"
    client.cookies.clear()
    client.force_login(user)
    response = client.get(reverse("portal:dashboard"))
    assert response.headers["Content-Language"] == "es"


def test_language_switch_ignores_foreign_redirects(client):
    response = client.post(
        reverse("accounts:language"), {"language": "fr", "next": "https://evil.example.com/"}
    )
    assert response.url == "/"


def test_profile_rejects_unknown_time_zone_and_keeps_the_old_one(client):
    user = factories.make_user(time_zone="Europe/Dublin")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "New Name", "preferred_language": "en", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.full_name, user.time_zone) == ("Test Person", "Europe/Dublin")


def test_gender_is_self_described_or_not_said(client):
    user = factories.make_user()
    client.force_login(user)
    base = {"full_name": "Kim", "preferred_language": "en", "time_zone": "UTC"}
    response = client.post(reverse("accounts:profile"), {**base, "gender": "self_described"})
    assert response.status_code == 200
    assert "Please describe your gender" in response.content.decode()
    client.post(
        reverse("accounts:profile"),
        {**base, "gender": "self_described", "gender_self_description": "Two-spirit"},
    )
    user.refresh_from_db()
    assert user.gender_display == "Two-spirit"
    client.post(reverse("accounts:profile"), {**base, "gender": "prefer_not_to_say"})
    user.refresh_from_db()
    assert (user.gender, user.gender_self_description) == ("prefer_not_to_say", "")


@pytest.mark.django_db
def test_allauth_forms_say_what_to_do(client):
    """Sign-in and sign-up use the portal's message pattern, not "This field is required"."""
    login = client.post(reverse("account_login"), {}).content.decode()
    assert "Enter your e-mail address" in login
    assert "Enter your password" in login
    signup = client.post(reverse("account_signup"), {}).content.decode()
    assert "Enter a password" in signup
    assert "This field is required" not in login + signup


@pytest.mark.django_db
def test_the_email_addresses_page_speaks_in_sentence_case(client):
    client.force_login(factories.make_user())
    body = client.get(reverse("account_email")).content.decode()
    assert "E-mail addresses" in body and "Make it the main address" in body
    assert "Email Addresses" not in body and "Make Primary" not in body
