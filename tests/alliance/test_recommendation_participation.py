"""Taking part on a recommendation's page: inputs (with htmx errors and refusals), youth
voices, staff's answers the author sees, endorsements by focal points until publication,
and organizations' support."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.models import Endorsement, OrganizationSupport, RecommendationInput
from alliance.services import endorsements, recommendation_inputs
from alliance.services import recommendations as drafting
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def page_url(recommendation):
    return reverse("alliance:recommendation", args=[recommendation.pk])


def input_url(recommendation):
    return reverse("alliance:recommendation_input", args=[recommendation.pk])


def publish(staff, recommendation):
    for status in ("review", "endorsed", "published"):
        drafting.recommendation_transition(
            actor=staff, recommendation=recommendation, status=status
        )


# Inputs -----------------------------------------------------------------------------------


def test_a_member_comments_through_the_page_without_javascript(
    client, recommendation, member, diaspora_org
):
    client.force_login(member)
    page = client.get(page_url(recommendation)).content.decode()
    assert 'id="input-form"' in page and "Fiji Diaspora Network" in page
    response = client.post(
        input_url(recommendation),
        {"kind": "comment", "text": "Add remittance data.", "organization": diaspora_org.pk},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"{page_url(recommendation)}#inputs")
    given = RecommendationInput.objects.get()
    assert (given.author, given.organization, given.is_youth) == (member, diaspora_org, False)
    page = client.get(page_url(recommendation)).content.decode()
    assert "Thank you: your input is recorded." in page
    assert "Add remittance data." in page and "on behalf of Fiji Diaspora Network" in page


def test_an_htmx_input_appears_in_the_region_and_errors_answer_422_in_place(
    client, recommendation, member
):
    client.force_login(member)
    bad = client.post(
        input_url(recommendation), {"kind": "amendment", "text": "Reword it"}, headers=HTMX
    )
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "<html" not in body and 'id="inputs"' in body
    assert "There is a problem" in body and "Enter the wording you propose" in body
    assert "Reword it" in body  # what was typed is kept
    assert not RecommendationInput.objects.exists()
    good = client.post(
        input_url(recommendation),
        {"kind": "amendment", "text": "Reword it", "proposed_text": "Match one to one."},
        headers=HTMX,
    )
    assert good.status_code == 200
    body = good.content.decode()
    assert "Thank you: your input is recorded." in body
    assert "Proposed amendment" in body and "Match one to one." in body
    assert "1 input," in body


def test_after_the_closing_date_input_is_refused_with_the_reason(
    client, recommendation, member, time_machine
):
    time_machine.move_to(timezone.now() + dt.timedelta(days=8))
    client.force_login(member)
    page = client.get(page_url(recommendation)).content.decode()
    assert 'id="input-form"' not in page
    assert "Input on this recommendation closed on its closing date." in page
    for headers in (HTMX, {}):
        response = client.post(
            input_url(recommendation), {"kind": "comment", "text": "Late"}, headers=headers
        )
        assert response.status_code == 422
        assert "closed on its closing date" in response.content.decode()
    assert not RecommendationInput.objects.exists()


def test_staff_are_told_they_answer_inputs_rather_than_give_them(client, recommendation, staff):
    client.force_login(staff)
    response = client.post(input_url(recommendation), {"kind": "comment", "text": "Hi"})
    assert response.status_code == 422
    assert "IOM staff answer inputs rather than give them." in response.content.decode()
    assert not RecommendationInput.objects.exists()


def test_speaking_for_an_organization_one_is_not_in_is_refused(
    client, recommendation, member, staff
):
    other = factories.make_organization(
        admin=factories.make_user(full_name="Someone Else"), name="Other Org", verified_by=staff
    )
    client.force_login(member)
    response = client.post(
        input_url(recommendation),
        {"kind": "comment", "text": "For them", "organization": other.pk},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "Choose one of the options in the list" in response.content.decode()
    assert not RecommendationInput.objects.exists()


def test_a_youth_participants_input_is_labelled_and_counted_as_a_youth_voice(
    client, recommendation, youth, member
):
    client.force_login(youth)
    client.post(input_url(recommendation), {"kind": "comment", "text": "Include young people."})
    recommendation_inputs.input_create(
        author=member, recommendation=recommendation, kind="comment", text="Fine by us."
    )
    page = client.get(page_url(recommendation)).content.decode()
    voice, other = (
        RecommendationInput.objects.get(author=youth),
        RecommendationInput.objects.get(author=member),
    )
    youth_item = page.split(f'id="input-{voice.pk}"')[1].split("</li>")[0]
    assert "Nadia K." in youth_item
    assert '<span class="badge badge--info">Youth voice</span>' in youth_item
    member_item = page.split(f'id="input-{other.pk}"')[1].split("</li>")[0]
    assert "Youth voice" not in member_item
    assert "2 inputs, of which 1 youth voice" in " ".join(page.split())


# Staff's answers --------------------------------------------------------------------------


def answer_url(recommendation, given):
    return reverse("alliance:recommendation_input_respond", args=[recommendation.pk, given.pk])


def test_staff_answer_an_input_with_htmx_and_the_author_sees_status_and_reason(
    client, recommendation, member, staff
):
    given = recommendation_inputs.input_create(
        author=member, recommendation=recommendation, kind="comment", text="Add remittances."
    )
    client.force_login(member)
    assert (
        f'id="answer-{given.pk}-form"' not in client.get(page_url(recommendation)).content.decode()
    )
    client.force_login(staff)
    assert f'id="answer-{given.pk}-form"' in client.get(page_url(recommendation)).content.decode()
    prefix = f"answer-{given.pk}"
    missing = client.post(
        answer_url(recommendation, given), {f"{prefix}-status": "taken_up"}, headers=HTMX
    )
    assert missing.status_code == 422
    assert "Give the author a short reason" in missing.content.decode()
    given.refresh_from_db()
    assert given.status == "submitted"
    done = client.post(
        answer_url(recommendation, given),
        {f"{prefix}-status": "taken_up", f"{prefix}-response": "Added to paragraph 2."},
        headers=HTMX,
    )
    assert done.status_code == 200
    body = done.content.decode()
    assert body.lstrip().startswith(f'<li class="input-item card" id="input-{given.pk}"')
    assert "Taken up" in body and "Added to paragraph 2." in body
    assert "Your answer is saved; the author sees it." in body
    client.force_login(member)
    page = client.get(page_url(recommendation)).content.decode()
    assert "Taken up" in page and "Added to paragraph 2." in page


def test_a_staff_answer_without_javascript_shows_errors_on_the_page(
    client, recommendation, member, staff
):
    given = recommendation_inputs.input_create(
        author=member, recommendation=recommendation, kind="comment", text="Add remittances."
    )
    client.force_login(staff)
    prefix = f"answer-{given.pk}"
    response = client.post(answer_url(recommendation, given), {f"{prefix}-response": "Why"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "There is a problem" in body and "Choose taken up, merged or not taken up" in body
    assert f'href="#id_{prefix}-status_0"' in body
    response = client.post(
        answer_url(recommendation, given),
        {f"{prefix}-status": "not_taken_up", f"{prefix}-response": "Out of scope."},
    )
    assert response.status_code == 302
    given.refresh_from_db()
    assert (given.status, given.response) == ("not_taken_up", "Out of scope.")


def test_only_acting_staff_answer_inputs(client, recommendation, member, staff_without_mfa):
    given = recommendation_inputs.input_create(
        author=member, recommendation=recommendation, kind="comment", text="Add remittances."
    )
    client.force_login(member)
    prefix = f"answer-{given.pk}"
    data = {f"{prefix}-status": "taken_up", f"{prefix}-response": "Me"}
    assert client.post(answer_url(recommendation, given), data).status_code == 404
    given.refresh_from_db()
    assert given.status == "submitted"


# Endorsements -----------------------------------------------------------------------------


def endorse_url(recommendation):
    return reverse("alliance:recommendation_endorse", args=[recommendation.pk])


def test_a_focal_point_endorses_for_their_state_once(
    client, recommendation, focal_point, government
):
    state = government.member_state
    client.force_login(focal_point)
    page = client.get(page_url(recommendation)).content.decode()
    assert f"Endorse on behalf of {state}" in page and 'aria-pressed="false"' in page
    response = client.post(endorse_url(recommendation), {"member_state": state.pk}, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"{state} endorses this recommendation." in body
    assert 'aria-pressed="true"' in body and "Withdraw the endorsement" in body
    again = client.post(endorse_url(recommendation), {"member_state": state.pk}, headers=HTMX)
    assert again.status_code == 422
    assert "This member state has already endorsed it." in again.content.decode()
    assert Endorsement.objects.filter(withdrawn_at__isnull=True).count() == 1
    listing = client.get(reverse("alliance:recommendations")).content.decode()
    assert "Endorsed by 1 member state" in listing


def test_people_who_speak_for_no_member_state_cannot_reach_the_endorsement(
    client, recommendation, member, staff, government, focal_point
):
    plain = factories.add_member(staff=staff, organization=government)
    for person in (member, plain, staff):
        client.force_login(person)
        response = client.post(endorse_url(recommendation), {"member_state": ""})
        assert response.status_code == 404
        assert "Endorse on behalf of" not in client.get(page_url(recommendation)).content.decode()
    client.force_login(focal_point)
    other_state = factories.make_member_state(actor=staff, country="PE")
    assert (
        client.post(endorse_url(recommendation), {"member_state": other_state.pk}).status_code
        == 404
    )
    assert not Endorsement.objects.exists()


def test_an_endorsement_is_withdrawn_after_confirmation_until_publication(
    client, recommendation, focal_point, government, staff
):
    state = government.member_state
    first = endorsements.endorse(
        actor=focal_point, recommendation=recommendation, member_state=state
    )
    url = reverse(
        "alliance:recommendation_endorsement_withdraw", args=[recommendation.pk, first.pk]
    )
    client.force_login(focal_point)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert 'type="submit" class="btn btn--danger"' in confirm.content.decode()
    first.refresh_from_db()
    assert first.withdrawn_at is None  # nothing changes on GET
    response = client.post(url)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.withdrawn_at is not None
    assert client.get(url).status_code == 404  # withdrawn: nothing left to withdraw
    again = endorsements.endorse(
        actor=focal_point, recommendation=recommendation, member_state=state
    )
    publish(staff, recommendation)
    url = reverse(
        "alliance:recommendation_endorsement_withdraw", args=[recommendation.pk, again.pk]
    )
    confirm = client.get(url).content.decode()
    assert "its endorsements stand" in confirm and "btn--danger" not in confirm
    refused = client.post(url, headers=HTMX)
    assert refused.status_code == 422
    assert "its endorsements stand" in refused.content.decode()
    again.refresh_from_db()
    assert again.withdrawn_at is None
    page = client.get(page_url(recommendation)).content.decode()
    assert "Withdraw the endorsement" not in page and str(state) in page


def test_another_states_focal_point_cannot_withdraw_an_endorsement(
    client, recommendation, focal_point, government, staff
):
    endorsement = endorsements.endorse(
        actor=focal_point, recommendation=recommendation, member_state=government.member_state
    )
    other_government = factories.make_government(staff=staff, country="PE")
    other = factories.add_member(staff=staff, organization=other_government, role="focal_point")
    client.force_login(other)
    url = reverse(
        "alliance:recommendation_endorsement_withdraw", args=[recommendation.pk, endorsement.pk]
    )
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    endorsement.refresh_from_db()
    assert endorsement.withdrawn_at is None


# Support ----------------------------------------------------------------------------------


def support_url(recommendation):
    return reverse("alliance:recommendation_support", args=[recommendation.pk])


def test_an_organization_admin_gives_and_takes_back_support(
    client, recommendation, leader, diaspora_org
):
    client.force_login(leader)
    page = client.get(page_url(recommendation)).content.decode()
    assert "Fiji Diaspora Network supports it" in page
    given = client.post(
        support_url(recommendation),
        {"organization": diaspora_org.pk, "support": "yes"},
        headers=HTMX,
    )
    assert given.status_code == 200
    body = given.content.decode()
    assert "Fiji Diaspora Network supports this recommendation." in body
    assert 'aria-pressed="true"' in body
    assert OrganizationSupport.objects.filter(organization=diaspora_org).exists()
    twice = client.post(
        support_url(recommendation),
        {"organization": diaspora_org.pk, "support": "yes"},
        headers=HTMX,
    )
    assert twice.status_code == 422
    assert "This organization already supports it." in twice.content.decode()
    taken_back = client.post(
        support_url(recommendation), {"organization": diaspora_org.pk, "support": "no"}
    )
    assert taken_back.status_code == 302
    assert not OrganizationSupport.objects.exists()
    page = client.get(page_url(recommendation)).content.decode()
    assert "no longer supports this recommendation" in page


def test_plain_members_and_staff_cannot_give_support(
    client, recommendation, member, staff, diaspora_org
):
    for person in (member, staff):
        client.force_login(person)
        response = client.post(
            support_url(recommendation), {"organization": diaspora_org.pk, "support": "yes"}
        )
        assert response.status_code == 404
    assert not OrganizationSupport.objects.exists()
