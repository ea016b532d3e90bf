"""Demo youth participants, created through the real services."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from alliance.demo import demo_email
from alliance.models import Sector
from gdpa.accounts.models import Gender
from gdpa.accounts.services import user_create

from . import services
from .models import YouthProfile

#: name, language, time zone, based in, heritage, (age, birth month, birth day), gender, ...
#: The age is the one they reach this year, so the demo people stay within 18 to 35.
YOUTH = [
    (
        "Valeria Flores",
        "es",
        "America/Los_Angeles",
        "US",
        ["SV"],
        (23, 5, 14),
        Gender.WOMAN,
        "",
        ["health"],
    ),
    (
        "Tevita Ratu",
        "en",
        "Australia/Sydney",
        "AU",
        ["FJ"],
        (26, 9, 3),
        Gender.MAN,
        "",
        ["climate"],
    ),
    (
        "Sam Okonjo-Dewan",
        "en",
        "Europe/London",
        "GB",
        ["MU", "GE"],
        (21, 11, 27),
        Gender.SELF_DESCRIBED,
        "Genderfluid",
        ["gender-youth"],
    ),
    (
        "Lucía Paredes",
        "es",
        "Europe/Madrid",
        "ES",
        ["PE"],
        (24, 2, 8),
        Gender.PREFER_NOT_TO_SAY,
        "",
        ["climate", "gender-youth"],
    ),
]


def _date_of_birth(age: int, month: int, day: int) -> datetime.date:
    return datetime.date(timezone.localdate().year - age, month, day)


def seed(password: str) -> list[tuple[str, str]]:
    logins = []
    User = get_user_model()
    for name, lang, zone, based, heritage, birthday, gender, described, interests in YOUTH:
        email = demo_email(name, "youth.example.org")
        user = User.objects.filter(email__iexact=email).first() or user_create(
            email=email,
            full_name=name,
            password=password,
            email_verified=True,
            preferred_language=lang,
            time_zone=zone,
            country_of_residence=based,
            gender=gender,
            gender_self_description=described,
        )
        if not YouthProfile.objects.filter(user=user).exists():
            services.youth_profile_create(
                user=user,
                date_of_birth=_date_of_birth(*birthday),
                heritage_countries=heritage,
                interests=list(Sector.objects.filter(slug__in=interests)),
                consent=True,
            )
        logins.append(("Youth participant", user.email))
    return logins
