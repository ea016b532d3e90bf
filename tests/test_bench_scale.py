"""The scale data set builder (bench/scale.py) at its small size: every relation the pages
read is populated, every lifecycle state is present, rows look as the services leave
them, and the accounts it hands to load tests sign in through the real forms (staff with
their second factor) and hold the role they are listed under."""

import json
import time

from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth import get_user_model
from django.test import Client

from alliance.models import (
    AllianceSession,
    MemberState,
    Organization,
    Participant,
    Recommendation,
    RecommendationInput,
    Sector,
)
from bench import scale
from gdpa.accounts import roles
from gdpa.accounts.models import Gender
from trainings.models import Enrollment, Offering
from youth.models import Story

LIFECYCLES = {
    "alliance.Organization.status": Organization.Status.values,
    "alliance.AllianceSession.status": AllianceSession.Status.values,
    "alliance.Participant.rsvp": Participant.Rsvp.values,
    "trainings.Offering.status": Offering.Status.values,
    "trainings.Enrollment.status": Enrollment.Status.values,
    "alliance.Recommendation.status": Recommendation.Status.values,
    "alliance.RecommendationInput.status": RecommendationInput.Status.values,
    "youth.Story.status": Story.Status.values,
    "accounts.User.gender": [*Gender.values, ""],
}


def _sign_in(role: str, person, password: str) -> Client:
    client = Client()
    email = person["email"] if role == roles.IOM_STAFF else person
    response = client.post("/account/login/", {"login": email, "password": password})
    if role == roles.IOM_STAFF:
        assert response.url.startswith("/account/2fa/authenticate")
        left = 30 - time.time() % 30
        if left < 10:  # allauth accepts no drift: a busy machine may answer in the next window
            time.sleep(left + 0.2)
        counter = next(iter(yield_hotp_counters_from_time()))
        code = format_hotp_value(hotp_value(person["totp_secret"], counter))
        response = client.post("/account/2fa/authenticate/", {"code": code})
    assert response.status_code == 302, role
    return client


def test_the_small_scale_data_set_is_complete_and_its_accounts_sign_in(db, tmp_path):
    path = tmp_path / "accounts.json"
    results = scale.build(scale.SIZES["small"], accounts_path=path)
    counts, small = results["counts"], scale.SIZES["small"]

    assert [label for label, n in counts.items() if not n] == []
    missing = {
        label: sorted(set(states) - set(counts[label])) for label, states in LIFECYCLES.items()
    }
    assert {label: states for label, states in missing.items() if states} == {}
    assert counts["alliance.MemberState"] == small.member_states
    assert sum(counts["alliance.Participant.rsvp"].values()) == small.invitations
    assert sum(counts["trainings.Enrollment.status"].values()) == small.enrollments
    assert sum(counts["alliance.Recommendation.status"].values()) == small.recommendations
    assert sum(counts["alliance.RecommendationInput.status"].values()) == small.inputs
    assert sum(counts["youth.Story.status"].values()) == small.stories

    assert set(
        MemberState.objects.filter(is_benefiting=True).values_list("country", flat=True)
    ) == set(scale.BENEFITING)
    assert set(Sector.objects.values_list("name_en", flat=True)) >= {
        "Health and Well-being",
        "Gender and Youth",
        "Climate Action",
    }
    # Invitations count as e-mailed (the sweep would otherwise send them all again);
    # held sessions have attendance; answered inputs carry their reason; completions
    # follow attendance; published stories are by authors who consent to showing them.
    assert not Participant.objects.filter(invitation_sent_at__isnull=True).exists()
    assert Participant.objects.filter(attended=True, session__status="held").exists()
    assert RecommendationInput.objects.filter(is_youth=True).exists()
    assert not RecommendationInput.objects.exclude(status="submitted").filter(response="").exists()
    assert Enrollment.objects.filter(completed_at__isnull=False).exists()
    assert not Story.objects.filter(
        status="published", author__youth_profile__public_consent_at__isnull=True
    ).exists()
    assert Recommendation.history.filter(history_type="~").exists()

    accounts = json.loads(path.read_text())
    assert set(accounts["roles"]) == set(roles.LABELS)
    users = get_user_model().objects
    for role, people in accounts["roles"].items():
        assert len(people) == small.accounts_per_role, role
        for person in people:
            email = person["email"] if role == roles.IOM_STAFF else person
            assert roles.has_role(users.get(email=email), role), (role, email)
        client = _sign_in(role, people[0], accounts["password"])
        assert client.get("/dashboard/").status_code == 200, role
