"""The technical administration site, the operator's fallback: every model of the portal's
apps is there, every list and add form opens for a superuser who passed two-factor, lists
run a fixed number of queries as rows grow, and the audit log and outbound e-mails cannot
be changed from it."""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges

from alliance.models import Recommendation, Sector
from alliance.services import invitation_create
from alliance.services import recommendations as drafting
from gdpa.audit.models import AuditEntry
from gdpa.notify.models import OutboundEmail
from tests import factories
from trainings import services as trainings
from trainings.models import Enrollment, Offering, TrainingProgramme
from youth.stories import story_create

pytestmark = pytest.mark.django_db

OUR_APPS = ["accounts", "audit", "notify", "alliance", "trainings", "youth"]
#: Generous, but fixed: a list that ran a query per row would pass it at 10 rows.
CHANGELIST_QUERY_CEILING = 30


def our_models():
    """The concrete models of the portal's apps; simple-history's historical copies are
    shown through their model's history page instead."""
    return [
        model
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, HistoricalChanges)
    ]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser(db):
    user = factories.make_user(full_name="Site Operator")
    user.is_staff = user.is_superuser = True
    user.save()
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def operator(client, superuser):
    client.force_login(superuser)  # records the second factor (tests/conftest.py)
    return client


def make_offering(staff, *, capacity: int = 20) -> Offering:
    programme = trainings.programme_create(
        actor=staff,
        title="Engaging your diaspora",
        summary="How governments work with their diasporas.",
        learning_objectives="Map the diaspora.",
        audience=TrainingProgramme.Audience.GOVERNMENT,
        language="en",
        mode=TrainingProgramme.Mode.ONLINE,
        published=True,
    )
    now = timezone.now()
    return trainings.offering_create(
        actor=staff,
        programme=programme,
        title="Spring cohort",
        starts_on=(now + datetime.timedelta(days=30)).date(),
        ends_on=(now + datetime.timedelta(days=34)).date(),
        time_zone="Pacific/Fiji",
        join_url="https://meet.example.org/training",
        capacity=capacity,
        enrollment_opens_at=now - datetime.timedelta(days=1),
        enrollment_closes_at=now + datetime.timedelta(days=20),
        status=Offering.Status.OPEN,
    )


def enroll_officials(staff, government, offering, n: int) -> None:
    for _ in range(n):
        person = factories.add_member(staff=staff, organization=government)
        trainings.enrollment_create(user=person, offering=offering)


@pytest.fixture
def world(staff, diaspora_org, member, government, scheduled):
    """A few rows of the main models, made through the services."""
    invitation_create(
        actor=staff, organization=diaspora_org, email="new@example.org", role="member"
    )
    offering = make_offering(staff)
    enroll_officials(staff, government, offering, 2)
    track = drafting.track_create(
        actor=staff, sector=Sector.objects.get(slug="climate"), title="Climate Action"
    )
    recommendation = drafting.recommendation_create(
        actor=staff, track=track, original_language="en", title_en="Green bonds", text_en="<p>T</p>"
    )
    drafting.recommendation_update(actor=staff, recommendation=recommendation, title_en="Bonds")
    youth = factories.make_youth_participant(full_name="Tevita Ratu", public_consent=True)
    story_create(
        author=youth,
        title="Mangroves",
        summary="How we planted mangroves.",
        text="<p>We planted mangroves.</p>",
        language="en",
        sector=Sector.objects.get(slug="climate"),
        country="FJ",
    )
    return {"offering": offering, "recommendation": recommendation}


def test_every_model_of_our_apps_is_on_the_admin_site():
    missing = [model._meta.label for model in our_models() if not admin.site.is_registered(model)]
    assert missing == []


def test_every_list_add_and_change_page_opens_for_the_operator(operator, superuser, world, rf):
    request = rf.get("/admin/")
    request.user = superuser
    failures = []
    for model in our_models():
        model_admin = admin.site._registry[model]
        with CaptureQueriesContext(connection) as queries:
            status = operator.get(admin_url(model, "changelist")).status_code
        if status != 200 or len(queries) > CHANGELIST_QUERY_CEILING:
            failures.append(f"{model._meta.label} list: {status}, {len(queries)} queries")
        pages = []
        if model_admin.has_add_permission(request):
            pages.append(admin_url(model, "add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(admin_url(model, "change", first.pk))
        for url in pages:
            status = operator.get(url).status_code
            if status != 200:
                failures.append(f"{url}: {status}")
    assert failures == []


def test_the_main_models_have_rows_in_the_lists(operator, world):
    """The pages above were checked with data in them, not only empty."""
    for model, text in [
        (Enrollment, "Spring cohort"),
        (Recommendation, "Bonds"),
        (Offering, "Engaging your diaspora"),
    ]:
        assert text in operator.get(admin_url(model, "changelist")).content.decode()


def test_a_recommendations_history_shows_its_earlier_versions(operator, world):
    recommendation = world["recommendation"]
    url = admin_url(Recommendation, "history", recommendation.pk)
    response = operator.get(url)
    assert response.status_code == 200
    first = recommendation.history.earliest("history_date")
    assert f'href="{url}{first.history_id}/"' in response.content.decode()
    assert "Green bonds" in response.content.decode()
    assert operator.get(f"{url}{first.history_id}/").status_code == 200


def test_the_enrollment_list_runs_as_many_queries_at_10_rows_as_at_2(operator, staff, government):
    offering = make_offering(staff)
    url = admin_url(Enrollment, "changelist")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert operator.get(url).status_code == 200
        return len(queries)

    enroll_officials(staff, government, offering, 2)
    at_two = count()
    enroll_officials(staff, government, offering, 8)
    assert Enrollment.objects.count() == 10
    assert count() == at_two <= CHANGELIST_QUERY_CEILING


@pytest.mark.parametrize("model", [AuditEntry, OutboundEmail])
def test_the_audit_log_and_outbound_emails_are_read_only(operator, world, model):
    """Building the world wrote audit entries and queued e-mails (the invitation)."""
    entry = model.objects.order_by("pk").first()
    assert entry is not None
    assert operator.get(admin_url(model, "add")).status_code == 403
    page = operator.get(admin_url(model, "change", entry.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert operator.post(admin_url(model, "delete", entry.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=entry.pk).exists()
