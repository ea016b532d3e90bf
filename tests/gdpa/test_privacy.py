"""A person's data rights: download everything held about them, ask for erasure; staff
carry it out or refuse. The erasure test builds a person with data in every app through
the real services, erases them, then checks every text field of every model (enumerated
from the models, not a hand list) for what identified them."""

import datetime as dt
import json
import re
import time

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import models
from django.urls import reverse

from alliance import selectors as alliance_selectors
from alliance import services as alliance_services
from alliance.models import Membership, Participant, Sector
from alliance.services import feeds
from gdpa.notify.models import OutboundEmail
from gdpa.privacy import services as privacy
from gdpa.privacy.models import ErasureRequest
from gdpa.privacy.registry import REMOVED_TEXT, handler_for, handlers
from tests import factories
from tests import records_support as build
from tests.youth.story_support import image_bytes, upload
from trainings import figures as training_figures
from trainings import services as training_services
from trainings.feedback import feedback_save
from trainings.models import Certificate, Enrollment, TrainingFeedback
from youth import stories
from youth.models import Story, YouthProfile
from youth.services import youth_profile_create

pytestmark = pytest.mark.django_db

User = get_user_model()

#: The apps whose models are checked: ours, and the libraries that store a person's data.
CHECKED_APPS = {
    "accounts",
    "audit",
    "notify",
    "portal",
    "exports",
    "results",
    "privacy",
    "alliance",
    "trainings",
    "youth",
    "account",
    "usersessions",
    "mfa",
    "guardian",
    "admin",
}

#: A field whose name says it may hold personal data.
PERSONAL_NAME = re.compile(
    r"(^|_)(name|email|phone|birth|gender|address|ip|user_agent|photo|text|comment|body"
    r"|about|reason)(_|$)"
)

#: Fields that look personal (or point to a user) but are not a person's data to erase,
#: each with the reason. Anything else must be listed by a registered handler.
NOT_PERSONAL = {
    "admin.LogEntry.user": "the admin site's log of a staff member's action; it points to "
    "the anonymized account",
    "alliance.Sector.name_en": "a sector's name",
    "alliance.Sector.name_fr": "a sector's name",
    "alliance.Sector.name_es": "a sector's name",
    "alliance.DiasporaCapital.name_en": "a diaspora capital's name",
    "alliance.DiasporaCapital.name_fr": "a diaspora capital's name",
    "alliance.DiasporaCapital.name_es": "a diaspora capital's name",
    "alliance.Organization.name": "an organization's name, not a person's",
    "alliance.Organization.rejection_reason": "staff's reason about an organization",
    "alliance.Organization.suspension_reason": "staff's reason about an organization",
    "alliance.StaffImport.file_name": "the name of the spreadsheet staff uploaded",
    "alliance.StaffImportRow.reason": "why an import row was skipped (about the row)",
    "alliance.AllianceSession.created_by": "staff's action; points to the anonymized account",
    "alliance.SessionDocument.uploaded_by": "staff's action; points to the anonymized account",
    "alliance.RecommendationTrack.created_by": "staff's action; points to the anonymized account",
    "alliance.Recommendation.created_by": "staff's action; points to the anonymized account",
    "alliance.Recommendation.text_en": "the secretariat's recommendation text",
    "alliance.Recommendation.text_fr": "the secretariat's recommendation text",
    "alliance.Recommendation.text_es": "the secretariat's recommendation text",
    "alliance.HistoricalRecommendation.created_by": "history of a staff-written text",
    "alliance.HistoricalRecommendation.history_user": "history of a staff-written text",
    "alliance.HistoricalRecommendation.history_change_reason": "history of a staff-written text",
    "alliance.HistoricalRecommendation.text_en": "history of a staff-written text",
    "alliance.HistoricalRecommendation.text_fr": "history of a staff-written text",
    "alliance.HistoricalRecommendation.text_es": "history of a staff-written text",
    "alliance.RecommendationReport.requested_by": "staff's action; points to the anonymized "
    "account",
    "account.EmailConfirmation.email_address": "deleted with the person's e-mail address (cascade)",
    "privacy.ErasureRequest.refusal_reason": "staff's answer to the request, kept as its record",
}

#: What identified the person built below; none of it may remain after erasure.
SENTINELS = ("zephyrine", "quillfeather", "203.0.113.77")


def _checked_models():
    return [m for m in apps.get_models() if m._meta.app_label in CHECKED_APPS]


def _points_to_user(field) -> bool:
    return (
        field.concrete
        and field.is_relation
        and (field.many_to_one or field.one_to_one)
        and field.related_model is User
    )


def test_every_personal_field_has_a_handler_or_a_reason():
    """A new model with a foreign key to the user, or a field named like personal data,
    fails here until a handler lists it (or it is allowed, with a reason)."""
    missing = []
    for model in _checked_models():
        handler = handler_for(model._meta.label)
        listed = set(handler.fields) if handler else set()
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or field.auto_created:
                continue
            if not (_points_to_user(field) or PERSONAL_NAME.search(field.name)):
                continue
            key = f"{model._meta.label}.{field.name}"
            if field.name not in listed and key not in NOT_PERSONAL:
                missing.append(key)
    assert missing == []


def test_the_registry_names_real_models_and_fields():
    for handler in handlers():
        model = apps.get_model(handler.model_label)
        for name in handler.fields:
            model._meta.get_field(name)  # raises for a typo
        assert not any(f"{handler.model_label}.{name}" in NOT_PERSONAL for name in handler.fields)


# --- a person with data in every app ------------------------------------------------------


def _person_everywhere(staff, government, *, name="Zephyrine Quillfeather", mark="Quillfeather"):
    slug = name.split()[0].lower()
    person = factories.make_user(
        full_name=name,
        email=f"{slug}.q@example.org",
        country_of_residence="FJ",
        gender="self_described",
        gender_self_description=f"{mark} spirit",
    )
    factories.add_member(
        staff=staff, organization=government, user=person, role=Membership.Role.FOCAL_POINT
    )
    UserSession.objects.create(
        user=person,
        session_key=f"s-{person.pk}",
        ip="203.0.113.77" if mark == "Quillfeather" else "198.51.100.9",
        user_agent=f"{mark}Browser/1.0",
    )
    feeds.calendar_feed_get(user=person)
    # Alliance: a session they attended, an input, an endorsement, an organization's support.
    session = build.session_with(staff, [person], accepted=[person], attended=[person])
    recommendation = build.open_recommendation(staff)
    build.give_input(person, recommendation, f"{mark}: match remittances.")
    build.endorse(person, recommendation, government.member_state)
    own = factories.make_organization(admin=person, verified_by=staff)
    build.support(person, recommendation, own)
    # An invitation to another organization, sent to their address.
    other = factories.make_organization(admin=factories.make_user(), verified_by=staff)
    alliance_services.invitation_create(
        actor=staff, organization=other, email=person.email, role=Membership.Role.MEMBER
    )
    # Trainings: enrolled, attended, completed with a certificate, feedback with a comment.
    offering = build.offering(staff)
    enrollment = training_services.enrollment_create(user=person, offering=offering)
    build.complete_with_certificate(staff, offering, [enrollment])
    start = dt.datetime.combine(offering.starts_on, dt.time(12), tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        feedback_save(
            user=person,
            offering=offering,
            overall=5,
            content=4,
            facilitation=5,
            relevance=4,
            comment=f"{mark} found it useful.",
        )
    # Youth: a profile and a story with a photo.
    youth_profile_create(
        user=person,
        date_of_birth=dt.date(2001, 3, 27),
        heritage_countries=["PE"],
        about=f"{mark} writes about herself.",
        consent=True,
    )
    person = User.objects.get(pk=person.pk)
    story = stories.story_create(
        author=person,
        title=f"{mark} clinic",
        summary="How we opened a health desk.",
        text=f"{mark} tells the story.",
        language="en",
        sector=Sector.objects.get(slug="health"),
        country="PE",
        photo=upload(image_bytes()),
        photo_alt=f"{mark} at the desk",
    )
    return person, {"session": session, "offering": offering, "story": story, "org": own}


def _sentinel_hits(exclude_pks=()):
    """Every (model.field, pk) whose text still contains what identified the person."""
    hits = []
    for model in _checked_models():
        for field in model._meta.concrete_fields:
            if not isinstance(
                field,
                models.CharField
                | models.TextField
                | models.JSONField
                | models.GenericIPAddressField,
            ):
                continue
            for sentinel in SENTINELS:
                rows = model._default_manager.filter(**{f"{field.name}__icontains": sentinel})
                if model is OutboundEmail:
                    rows = rows.exclude(pk__in=exclude_pks)
                for pk in rows.values_list("pk", flat=True):
                    hits.append((f"{model._meta.label}.{field.name}", pk, sentinel))
    return hits


def test_erasure_leaves_nothing_that_identifies_the_person(
    staff, government, django_capture_on_commit_callbacks
):
    person, made = _person_everywhere(staff, government)
    story = Story.objects.get(pk=made["story"].pk)
    photos = [story.photo.name, story.photo_small.name]
    assert all(photos) and all(default_storage.exists(p) for p in photos)
    assert _sentinel_hits(), "the person's data was built"
    request = privacy.erasure_request_create(user=person)

    with django_capture_on_commit_callbacks(execute=True):
        privacy.erasure_carry_out(actor=staff, request_id=request.pk)

    notice = OutboundEmail.objects.get(kind="privacy_erasure_done")
    assert notice.to_email == "zephyrine.q@example.org"  # told at the address they had
    assert _sentinel_hits(exclude_pks=[notice.pk]) == []

    person = User.objects.get(pk=person.pk)
    assert person.full_name == f"Erased person #{person.pk}"
    assert person.email == f"erased-{person.pk}@invalid"
    assert not person.is_active and not person.has_usable_password()
    assert (person.country_of_residence, person.gender, person.gender_self_description) == (
        "",
        "",
        "",
    )
    assert not UserSession.objects.filter(user=person).exists()
    assert not person.emailaddress_set.exists()
    # Every FK to the user that still points to them points to the anonymized account,
    # and every file field a handler lists is empty, its file gone.
    for handler in handlers():
        model = apps.get_model(handler.model_label)
        for name in handler.fields:
            field = model._meta.get_field(name)
            if isinstance(field, models.FileField):
                assert (
                    not model._default_manager.exclude(**{name: ""})
                    .filter(pk__in=_rows_of(model, person))
                    .exists()
                ), f"{handler.model_label}.{name}"
    assert not any(default_storage.exists(p) for p in photos)
    assert not Story.objects.filter(author=person).exists()
    assert not YouthProfile.objects.filter(user=person).exists()
    # Records others rely on stay, without the identity.
    assert Membership.objects.filter(user=person).exists()
    participant = Participant.objects.get(session=made["session"], user=person)
    assert participant.attended and participant.email == person.email
    enrollment = Enrollment.objects.get(user=person, offering=made["offering"])
    assert Certificate.objects.get(enrollment=enrollment).learner_name == person.full_name
    assert TrainingFeedback.objects.get(enrollment=enrollment).comment == REMOVED_TEXT
    assert person.recommendation_inputs.get().text == REMOVED_TEXT
    assert ErasureRequest.objects.get(pk=request.pk).status == "done"
    # The organization they registered is the organization's record: its audit trail
    # keeps its name.
    from gdpa.audit.models import AuditEntry

    assert AuditEntry.objects.filter(
        action="organization.register", target_label=made["org"].name
    ).exists()


def _rows_of(model, person):
    """The pks of the rows of ``model`` that point to the person by any FK."""
    query = models.Q(pk__in=[])
    for field in model._meta.concrete_fields:
        if _points_to_user(field):
            query |= models.Q(**{field.name: person})
    return model._default_manager.filter(query).values("pk")


def test_figures_count_the_same_after_erasure(staff, government):
    person, made = _person_everywhere(staff, government)

    def counts():
        session = alliance_selectors.participation_figures(made["session"])
        offering = training_figures.offering_figures(made["offering"])

        def total(rows, key):
            return sum(row[key] for row in rows)

        return {
            "session_by_kind": [(r["kind"], r["attended"]) for r in session["by_kind"]],
            "session_attended": total(session["by_country"], "attended"),
            "session_by_gender": total(session["by_gender"], "invited"),
            "offering_overall": offering["overall"][0]["completed"],
            "offering_by_kind": [(r["kind"], r["completed"]) for r in offering["by_kind"]],
            "offering_by_country": total(offering["by_country"], "completed"),
        }

    before = counts()
    privacy.person_erase(actor=staff, user=person)
    assert counts() == before


# --- download ----------------------------------------------------------------------------


def test_download_holds_the_persons_data_from_each_app_and_nobody_elses(client, staff, government):
    person, _ = _person_everywhere(staff, government)
    _person_everywhere(staff, government, name="Otto Brightwater", mark="Brightwater")
    client.force_login(person)
    response = client.get(reverse("privacy:download"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)["data"]
    for label in (
        "accounts.User",
        "alliance.Membership",
        "alliance.Participant",
        "alliance.RecommendationInput",
        "alliance.Endorsement",
        "trainings.Enrollment",
        "trainings.Certificate",
        "trainings.TrainingFeedback",
        "youth.YouthProfile",
        "youth.Story",
        "usersessions.UserSession",
    ):
        assert data.get(label), label
    text = response.content.decode()
    assert "Quillfeather: match remittances." in text and "203.0.113.77" in text
    assert "Brightwater" not in text and "otto" not in text.lower()

    summary = client.get(reverse("privacy:summary"))
    page = summary.content.decode()
    assert "Zephyrine Quillfeather" in page and "Quillfeather tells the story." in page
    # Readable: each value under its field's label, not its code.
    assert "<dt>Date of birth</dt>" in page and "date_of_birth" not in page
    assert "Brightwater" not in page


def test_download_runs_a_fixed_number_of_queries(
    client, staff, government, django_assert_max_num_queries
):
    person, _ = _person_everywhere(staff, government)
    client.force_login(person)
    with django_assert_max_num_queries(45):
        assert client.get(reverse("privacy:download")).status_code == 200
    for _n in range(3):
        build.give_input(person, build.open_recommendation(staff), "Another idea.")
        build.session_with(staff, [person], accepted=[person])
    with django_assert_max_num_queries(45):
        assert client.get(reverse("privacy:download")).status_code == 200


def test_staff_can_see_no_one_elses_data_through_the_download(client, staff, government):
    _person_everywhere(staff, government)
    client.force_login(staff)
    text = client.get(reverse("privacy:download")).content.decode()
    assert "Quillfeather" not in text


# --- asking and answering -----------------------------------------------------------------


def _reauthenticated_now(client) -> None:
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY].append(
        {"method": "password", "at": time.time(), "reauthenticated": True}
    )
    session.save()


def test_the_person_asks_staff_refuse_with_a_reason_and_the_person_is_told(client, staff, member):
    client.force_login(member)
    _reauthenticated_now(client)
    page = client.get(reverse("privacy:erase_request"))
    assert "cannot be undone" in page.content.decode()
    assert client.post(reverse("privacy:erase_request"), {}).status_code == 422
    assert not ErasureRequest.objects.exists()
    response = client.post(reverse("privacy:erase_request"), {"confirm": "on"})
    assert response.status_code == 302
    request = ErasureRequest.objects.get(user=member)
    assert request.status == "requested"
    # Asking again does not make a second request.
    client.post(reverse("privacy:erase_request"), {"confirm": "on"})
    assert ErasureRequest.objects.filter(user=member).count() == 1

    client.force_login(staff)
    listing = client.get(reverse("privacy:staff_requests")).content.decode()
    assert member.full_name in listing
    url = reverse("privacy:staff_refuse", args=[request.pk])
    assert client.post(url, {"reason": ""}).status_code == 422
    client.post(url, {"reason": "An audit of your organization needs the records."})
    request.refresh_from_db()
    assert request.status == "refused" and request.decided_by == staff
    email = OutboundEmail.objects.get(kind="privacy_erasure_refused")
    assert email.to_email == member.email and "An audit" in email.body_text
    member.refresh_from_db()
    assert member.is_active
    # Answered once: erasing it now is refused with a message, nothing changes.
    client.post(reverse("privacy:staff_erase", args=[request.pk]), {"confirm": "on"})
    member.refresh_from_db()
    assert member.is_active and member.full_name != f"Erased person #{member.pk}"


def test_staff_erase_needs_the_confirmation_then_erase_and_audit(client, staff, member):
    request = privacy.erasure_request_create(user=member)
    client.force_login(staff)
    url = reverse("privacy:staff_erase", args=[request.pk])
    assert client.post(url, {}).status_code == 422
    member.refresh_from_db()
    assert member.is_active
    assert client.post(url, {"confirm": "on"}).status_code == 302
    member.refresh_from_db()
    assert not member.is_active and member.email == f"erased-{member.pk}@invalid"
    from gdpa.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="privacy.erase", actor=staff).exists()
    assert AuditEntry.objects.filter(action="privacy.erasure_done", actor=staff).exists()


def test_asking_for_erasure_asks_for_the_password_again(client, member):
    client.force_login(member)
    response = client.post(reverse("privacy:erase_request"), {"confirm": "on"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not ErasureRequest.objects.exists()
    # The right password lets the request through (allauth replays it).
    client.post(response.url, {"password": factories.PASSWORD}, follow=True)
    assert ErasureRequest.objects.filter(user=member, status="requested").exists()


def test_staff_list_of_requests_runs_a_fixed_number_of_queries(
    client, staff, django_assert_max_num_queries
):
    privacy.erasure_request_create(user=factories.make_user(full_name="First Asker"))
    client.force_login(staff)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("privacy:staff_requests")).content.decode()
    assert "First Asker" in page
    for n in range(6):
        privacy.erasure_request_create(user=factories.make_user(full_name=f"Asker {n}"))
    with django_assert_max_num_queries(25):
        page = client.get(reverse("privacy:staff_requests"), {"status": "requested"})
    assert "Asker 5" in page.content.decode()
    done = client.get(reverse("privacy:staff_requests"), {"status": "done"}).content.decode()
    assert "Asker 5" not in done and "No erasure requests" in done


def test_the_profile_page_leads_to_the_personal_data_page(client, member):
    client.force_login(member)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("privacy:summary") in page


def test_every_privacy_action_and_email_kind_has_words():
    import pathlib

    from gdpa.audit import registry as audit_registry

    source = (pathlib.Path(privacy.__file__)).read_text()
    codes = set(re.findall(r'"(privacy\.[a-z_]+)"', source))
    assert codes >= {"privacy.erase", "privacy.erasure_request", "privacy.erasure_done"}
    assert not {c for c in codes if audit_registry.action(c) is None}
    for kind in re.findall(r'kind="(privacy_[a-z_]+)"', source):
        assert audit_registry.value_label("notify.outboundemail", "kind", kind) != kind
