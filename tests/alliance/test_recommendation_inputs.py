"""Inputs on recommendations (youth voices counted apart), endorsements by member states
through their focal points, and organizations' support."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliance.models import Endorsement, Membership, RecommendationInput
from alliance.services import endorsements, recommendation_inputs
from alliance.services import recommendations as drafting
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_youth_participants_input_is_a_youth_voice_and_a_members_is_not(
    recommendation, youth, member
):
    voice = recommendation_inputs.input_create(
        author=youth, recommendation=recommendation, kind="comment", text="<p>Include us.</p>"
    )
    other = recommendation_inputs.input_create(
        author=member,
        recommendation=recommendation,
        kind="amendment",
        text="Be precise.",
        proposed_text="<p>Match savings <script>x()</script>one to one.</p>",
    )
    assert voice.is_youth and not other.is_youth
    assert other.proposed_text == "<p>Match savings one to one.</p>"
    assert recommendation.inputs.filter(is_youth=True).count() == 1


def test_no_input_after_the_closing_date(recommendation, member, time_machine):
    time_machine.move_to(timezone.now() + dt.timedelta(days=8))
    with pytest.raises(ValidationError, match="closed on its closing date"):
        recommendation_inputs.input_create(
            author=member, recommendation=recommendation, kind="comment", text="Late"
        )
    assert not RecommendationInput.objects.exists()


def test_people_outside_the_alliance_and_staff_give_no_input(recommendation, staff):
    stranger = factories.make_user(full_name="No Organization")
    for person, reason in ((stranger, "members of verified"), (staff, "IOM staff answer")):
        with pytest.raises(ValidationError, match=reason):
            recommendation_inputs.input_create(
                author=person, recommendation=recommendation, kind="comment", text="Hello"
            )
    assert not RecommendationInput.objects.exists()


def test_an_amendment_needs_its_wording_and_a_comment_its_words(recommendation, member):
    with pytest.raises(ValidationError) as caught:
        recommendation_inputs.input_create(
            author=member,
            recommendation=recommendation,
            kind="amendment",
            text="<script>only()</script>",
            proposed_text=" ",
        )
    assert set(caught.value.message_dict) == {"text", "proposed_text"}


def test_speaking_for_another_organization_is_refused(recommendation, member, other_org):
    with pytest.raises(ValidationError) as caught:
        recommendation_inputs.input_create(
            author=member,
            recommendation=recommendation,
            kind="comment",
            text="For them",
            organization=other_org,
        )
    assert "organization" in caught.value.message_dict


def test_staff_answer_an_input_with_a_reason_the_author_sees(recommendation, member, staff):
    given = recommendation_inputs.input_create(
        author=member, recommendation=recommendation, kind="comment", text="Add remittances."
    )
    with pytest.raises(ValidationError) as caught:
        recommendation_inputs.input_respond(
            actor=staff, given=given, status="taken_up", response=""
        )
    assert "response" in caught.value.message_dict
    answered = recommendation_inputs.input_respond(
        actor=staff, given=given, status="taken_up", response="Added to paragraph 2."
    )
    assert (answered.status, answered.response) == ("taken_up", "Added to paragraph 2.")


def test_a_focal_point_endorses_once_for_their_state_and_the_record_survives_them(
    recommendation, focal_point, government, staff
):
    state = government.member_state
    endorsement = endorsements.endorse(
        actor=focal_point, recommendation=recommendation, member_state=state
    )
    with pytest.raises(ValidationError, match="already endorsed"):
        endorsements.endorse(actor=focal_point, recommendation=recommendation, member_state=state)
    colleague = factories.add_member(
        staff=staff, organization=government, role=Membership.Role.FOCAL_POINT
    )
    with pytest.raises(ValidationError, match="already endorsed"):
        endorsements.endorse(actor=colleague, recommendation=recommendation, member_state=state)
    name = focal_point.full_name
    focal_point.delete()
    endorsement.refresh_from_db()
    assert endorsement.endorsed_by is None and endorsement.endorsed_by_name == name


def test_only_a_focal_point_of_a_verified_body_endorses(recommendation, government, staff, member):
    plain = factories.add_member(staff=staff, organization=government, role=Membership.Role.MEMBER)
    for person in (plain, member):
        with pytest.raises(ValidationError) as caught:
            endorsements.endorse(
                actor=person, recommendation=recommendation, member_state=government.member_state
            )
        assert "member_state" in caught.value.message_dict
    assert not Endorsement.objects.exists()


def test_an_endorsement_can_be_withdrawn_until_publication_then_it_stands(
    recommendation, focal_point, government, staff
):
    state = government.member_state
    first = endorsements.endorse(
        actor=focal_point, recommendation=recommendation, member_state=state
    )
    endorsements.endorsement_withdraw(actor=focal_point, endorsement=first)
    again = endorsements.endorse(
        actor=focal_point, recommendation=recommendation, member_state=state
    )
    for status in ("review", "endorsed", "published"):
        drafting.recommendation_transition(
            actor=staff, recommendation=recommendation, status=status
        )
    with pytest.raises(ValidationError, match="endorsements stand"):
        endorsements.endorsement_withdraw(actor=focal_point, endorsement=again)
    assert recommendation.endorsements.filter(withdrawn_at__isnull=True).count() == 1


def test_an_organization_admin_says_their_organization_supports_it_once(
    recommendation, leader, diaspora_org, member
):
    support = endorsements.support_add(
        actor=leader, recommendation=recommendation, organization=diaspora_org
    )
    with pytest.raises(ValidationError, match="already supports"):
        endorsements.support_add(
            actor=leader, recommendation=recommendation, organization=diaspora_org
        )
    with pytest.raises(ValidationError):
        endorsements.support_remove(actor=member, support=support)
    endorsements.support_remove(actor=leader, support=support)
    assert not recommendation.supports.exists()
