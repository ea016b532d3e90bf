"""The staff page of a person: account facts, each app's section, the e-mails sent to
them and the audit trail of changes to them."""

import pytest
from django.urls import reverse

from alliance import services as alliance_services
from alliance.models import Membership
from gdpa.portal.registry import person_sections
from tests import factories
from tests import records_support as build
from trainings import services as training_services
from trainings.models import Enrollment, TrainingProgramme
from trainings.nominations import nomination_create
from youth import stories
from youth.services import (
    youth_consent_withdraw,
    youth_public_consent_give,
    youth_public_consent_withdraw,
)

pytestmark = pytest.mark.django_db


def page_of(client, staff, person, **query) -> str:
    client.force_login(staff)
    response = client.get(reverse("portal:staff_person", args=[person.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def section_html(page: str, key: str) -> str:
    """The HTML of one section of the page (up to the next card)."""
    start = page.index(f'id="record-{key}"')
    end = page.find('<section class="card"', start)
    return page[start : end if end != -1 else None]


def test_staff_see_the_account_facts(client, staff):
    person = factories.make_user(
        full_name="Amelia Rokotuivuna",
        country_of_residence="FJ",
        gender="self_described",
        gender_self_description="Two-spirit",
        time_zone="Pacific/Fiji",
        preferred_language="fr",
    )
    account = section_html(page_of(client, staff, person), "account")
    assert "Amelia Rokotuivuna" in account
    assert person.email in account and "confirmed" in account and "not confirmed" not in account
    assert "Fiji" in account and "Pacific/Fiji" in account and "French" in account
    assert "Two-spirit" in account
    assert "Two-factor authentication</dt><dd>off" in account
    assert "Last signed in</dt><dd>never" in account

    unstated = factories.make_user(full_name="No Details")
    account = section_html(page_of(client, staff, unstated), "account")
    assert "Gender</dt><dd>not stated" in account
    assert "Country of residence</dt><dd>not stated" in account


def test_staff_page_says_two_factor_is_on_for_staff(client, staff):
    other_staff = factories.make_staff()
    account = section_html(page_of(client, staff, other_staff), "account")
    assert "Two-factor authentication</dt><dd>on" in account


def test_alliance_sections_show_memberships_sessions_inputs_and_endorsements(
    client, staff, government, focal_point, diaspora_org
):
    alliance_services.membership_add(
        actor=staff, organization=diaspora_org, user=focal_point, role=Membership.Role.MEMBER
    )
    membership = Membership.objects.get(user=focal_point, organization=diaspora_org)
    leader = Membership.objects.get(organization=diaspora_org, role="admin").user
    alliance_services.membership_set_member_management(
        actor=leader, membership=membership, allowed=True
    )
    build.session_with(
        staff, [focal_point], accepted=[focal_point], attended=[focal_point], title="Health WG"
    )
    build.session_with(staff, [focal_point], title="Climate WG")
    recommendation = build.open_recommendation(staff, "Portable pensions")
    build.give_input(focal_point, recommendation, "Cover seasonal workers too.")
    build.endorse(focal_point, recommendation, government.member_state)

    page = page_of(client, staff, focal_point)
    memberships = section_html(page, "alliance-memberships")
    assert government.name in memberships and "Focal point" in memberships
    assert diaspora_org.name in memberships and "yes, delegated" in memberships
    assert reverse("alliance:staff_organization", args=[government.pk]) in memberships
    sessions = section_html(page, "alliance-sessions")
    assert "Invited to 2 sessions" in sessions and "accepted 1" in sessions
    assert "attended 1" in sessions
    assert "Health WG" in sessions and "Climate WG" in sessions
    inputs = section_html(page, "alliance-inputs")
    assert "Portable pensions" in inputs and "Cover seasonal workers too." in inputs
    assert "Submitted" in inputs
    endorsements = section_html(page, "alliance-endorsements")
    assert "Portable pensions" in endorsements and str(government.member_state) in endorsements


def test_trainings_section_shows_enrollments_attendance_completion_certificate_nominations(
    client, staff, government, focal_point
):
    offering = build.offering(staff, title="Engaging your diaspora")
    enrollment = training_services.enrollment_create(user=focal_point, offering=offering)
    build.complete_with_certificate(staff, offering, [enrollment])
    official = factories.add_member(
        staff=staff, organization=government, user=factories.make_user(full_name="Nominee One")
    )
    second = build.offering(staff, title="Diaspora data")
    nomination_create(
        nominator=focal_point, offering=second, organization=government, person_pk=official.pk
    )
    enrollment.refresh_from_db()

    trainings = section_html(page_of(client, staff, focal_point), "trainings")
    assert "Engaging your diaspora" in trainings and "Enrolled" in trainings
    assert "1 of 1 meeting" in trainings
    assert "not yet" not in trainings  # completed, with its date
    assert enrollment.certificate.code in trainings and "issued on" in trainings
    assert "Nominations this person made" in trainings
    assert "Nominee One" in trainings and "Diaspora data" in trainings

    nominee = section_html(page_of(client, staff, official), "trainings")
    assert "Diaspora data" in nominee and "nominated" in nominee


def test_youth_section_shows_profile_consents_and_stories(client, staff):
    youth = factories.make_youth_participant(full_name="Nadia K.", heritage_countries=["PE"])
    youth_public_consent_give(user=youth)
    story = build_story(youth, "Our clinic")
    stories.story_submit(author=youth, story=story)

    section = section_html(page_of(client, staff, youth), "youth")
    assert "Peru" in section
    assert "Consent to take part</dt><dd>given on" in section and "text version 2026-11" in section
    assert "Consent to public display</dt><dd>given on" in section
    assert "Our clinic" in section and "Waiting for moderation" in section
    assert "Consent to public display given" in section  # the consent history


def test_withdrawn_consents_are_shown(client, staff):
    youth = factories.make_youth_participant(full_name="Nadia K.", public_consent=True)
    youth_public_consent_withdraw(user=youth)
    section = section_html(page_of(client, staff, youth), "youth")
    assert "Consent to public display</dt><dd>not given" in section
    assert "Consent to public display withdrawn" in section

    youth_consent_withdraw(user=youth)
    section = section_html(page_of(client, staff, youth), "youth")
    assert "No longer a youth participant: withdrew their consent on" in section
    assert "Youth consent withdrawn" in section
    assert "2026-11" in section  # the text version it had been given under


def build_story(author, title: str):
    from alliance.models import Sector

    return stories.story_create(
        author=author,
        title=title,
        summary="How we opened a health desk.",
        text="Our story.",
        language="en",
        sector=Sector.objects.get(slug="health"),
        country="PE",
    )


def test_audit_trail_shows_a_change_made_to_the_person(client, staff, diaspora_org, member):
    membership = Membership.objects.get(user=member, organization=diaspora_org)
    alliance_services.membership_change_role(
        actor=staff, membership=membership, role=Membership.Role.ADMIN
    )
    page = page_of(client, staff, member)
    trail = page[page.index('id="audit-trail"') :]
    assert 'data-action="membership.change_role"' in trail
    assert "Member" in trail and "Administrator" in trail  # role labels, not codes
    assert 'data-action="membership.add"' in trail  # recorded on the organization
    assert reverse("portal:staff_person", args=[staff.pk]) in trail  # who did it


def test_audit_trail_pages_swap_with_htmx(client, staff, diaspora_org, member):
    membership = Membership.objects.get(user=member, organization=diaspora_org)
    for role in ["admin", "member"] * 14:
        alliance_services.membership_change_role(actor=staff, membership=membership, role=role)
    client.force_login(staff)
    url = reverse("portal:staff_person", args=[member.pk])
    first = client.get(url).content.decode()
    assert "Page 1 of 2" in first
    partial = client.get(url, {"page": 2}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial.status_code == 200 and "Page 2 of 2" in body
    assert "<html" not in body and 'id="record-account"' not in body
    assert "HX-Request" in partial["Vary"]


def test_the_page_lists_the_emails_sent_to_the_person(client, staff, diaspora_org):
    alliance_services.invitation_create(
        actor=staff, organization=diaspora_org, email="later@example.org", role="member"
    )
    person = factories.make_user(email="later@example.org", full_name="Later Person")
    emails = section_html(page_of(client, staff, person), "emails")
    assert "Fiji Diaspora Network" in emails  # the invitation, sent before the account
    assert f"{reverse('notify:outbox')}?recipient=later%40example.org" in emails


def test_audit_log_and_email_log_link_to_the_person(client, staff, leader):
    from gdpa.notify.models import OutboundEmail

    client.force_login(staff)
    audit_log = client.get(reverse("audit:log")).content.decode()
    assert reverse("portal:staff_person", args=[staff.pk]) in audit_log
    # The leader was told that their organization is verified.
    email = OutboundEmail.objects.filter(user=leader).first()
    assert email is not None
    person_url = reverse("portal:staff_person", args=[leader.pk])
    assert person_url in client.get(reverse("notify:outbox")).content.decode()
    detail = client.get(reverse("notify:email_detail", args=[email.pk])).content.decode()
    assert person_url in detail


def test_only_acting_staff_see_the_page(client, staff, staff_without_mfa, member, leader):
    url = reverse("portal:staff_person", args=[member.pk])
    client.force_login(leader)
    assert client.get(url).status_code == 404  # their own member's page too
    client.force_login(member)
    assert client.get(url).status_code == 404  # and their own
    client.force_login(staff_without_mfa)
    assert client.get(url).status_code == 302
    client.force_login(staff)
    assert client.get(reverse("portal:staff_person", args=[10**9])).status_code == 404


def rich_person(staff, government, n: int):
    """A youth participant with ``n`` records in every section."""
    person = factories.make_youth_participant(full_name="Busy Person", public_consent=True)
    for _ in range(n):
        organization = factories.make_organization(admin=factories.make_user(), verified_by=staff)
        factories.add_member(staff=staff, organization=organization, user=person)
    for _ in range(n):
        build.session_with(staff, [person], accepted=[person])
    recommendation = build.open_recommendation(staff)
    for i in range(n):
        build.give_input(person, recommendation, f"Input {i}")
    for _ in range(n):
        offering = build.offering(staff, audience=TrainingProgramme.Audience.YOUTH)
        training_services.enrollment_create(user=person, offering=offering)
    for i in range(n):
        build_story(person, f"Story {i}")
    return person


@pytest.mark.parametrize("n", [1, 20])
def test_the_page_runs_a_fixed_number_of_queries(
    client, staff, government, n, django_assert_max_num_queries
):
    person = rich_person(staff, government, n)
    assert Enrollment.objects.filter(user=person).count() == n
    client.force_login(staff)
    url = reverse("portal:staff_person", args=[person.pk])
    client.get(url)  # warm the content-type cache
    with django_assert_max_num_queries(30):
        response = client.get(url)
    assert response.status_code == 200
    if n == 20:
        assert "And 10 more, not shown." in response.content.decode()


@pytest.mark.parametrize("n", [1, 20])
def test_each_section_runs_a_fixed_number_of_queries(
    staff, government, n, django_assert_max_num_queries
):
    person = rich_person(staff, government, n)
    sections = person_sections()
    assert {s.key for s in sections} >= {
        "alliance-memberships",
        "alliance-sessions",
        "alliance-inputs",
        "alliance-endorsements",
        "trainings",
        "youth",
    }
    for section in sections:
        section.context(person)  # warm the content-type cache
        with django_assert_max_num_queries(5):
            section.context(person)
