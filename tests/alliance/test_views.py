import pytest
from django.core import mail
from django.urls import reverse

from alliance.models import Invitation, Membership, Organization, Sector
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def registration(**overrides):
    data = {
        "kind": "diaspora",
        "name": "Georgian Professionals in Europe",
        "country": "DE",
        "countries_of_origin": ["GE"],
        "countries_of_residence": ["DE", "FR"],
        "sectors": [Sector.objects.get(slug="health").pk],
        "contact_email": "contact@example.org",
    }
    data.update(overrides)
    return data


def test_a_leader_registers_and_sees_the_pending_status(client):
    user = factories.make_user()
    client.force_login(user)
    response = client.post(reverse("alliance:organization_register"), registration(), follow=True)
    org = Organization.objects.get()
    assert response.redirect_chain[-1][0] == reverse("alliance:organization", args=[org.pk])
    page = response.content.decode()
    assert "Pending verification" in page
    assert "waiting for verification by IOM staff" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "x" * 201, "at most 200 characters"),
        ("name", "", "Enter the name of the organization"),
        ("country", "XX", "Choose one of the options in the list"),
        ("contact_email", "not-an-email", "in the correct format, like name@example.org"),
        ("kind", "government", "Choose one of the options in the list"),
        ("website", "javascript:alert(1)", "in the correct format, like https://www.example.org"),
    ],
)
def test_bad_registration_input_is_explained_next_to_the_field(client, field, value, message):
    client.force_login(factories.make_user())
    response = client.post(
        reverse("alliance:organization_register"), registration(**{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert Organization.objects.count() == 0


def test_duplicate_registration_in_the_same_country_is_explained(client):
    client.force_login(factories.make_user())
    client.post(reverse("alliance:organization_register"), registration())
    client.force_login(factories.make_user())
    response = client.post(
        reverse("alliance:organization_register"),
        registration(name="GEORGIAN professionals in europe"),
    )
    assert "already registered in this country" in response.content.decode()
    assert Organization.objects.count() == 1


def test_a_ten_megabyte_name_is_refused_without_a_server_error(client):
    client.force_login(factories.make_user())
    response = client.post(
        reverse("alliance:organization_register"), registration(name="x" * 10_000_000)
    )
    assert response.status_code == 400
    assert Organization.objects.count() == 0


def test_html_in_text_fields_is_shown_as_text(client, staff):
    client.force_login(factories.make_user())
    client.post(
        reverse("alliance:organization_register"),
        registration(name="<script>alert(1)</script>", description="<b>bold</b>"),
    )
    org = Organization.objects.get(kind="diaspora")
    client.force_login(staff)
    page = client.get(reverse("alliance:organization", args=[org.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_invite_with_htmx_updates_the_people_region(
    client, diaspora_org, leader, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("alliance:invitation_send", args=[diaspora_org.pk]),
            {"email": "friend@example.org", "role": "member"},
            **HTMX,
        )
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="people"')
    assert "friend@example.org" in body
    assert mail.outbox[-1].to == ["friend@example.org"]


def test_invalid_invitation_is_explained_and_sends_nothing(client, diaspora_org, leader, member):
    client.force_login(leader)
    response = client.post(
        reverse("alliance:invitation_send", args=[diaspora_org.pk]),
        {"email": member.email, "role": "member"},
        **HTMX,
    )
    assert response.status_code == 422
    assert "already a member" in response.content.decode()
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_invitation_page_for_a_visitor_offers_sign_in_and_sign_up(client, diaspora_org, leader):
    from alliance import services

    invitation = services.invitation_create(
        actor=leader, organization=diaspora_org, email="new@example.org", role="member"
    )
    url = reverse("alliance:invitation", args=[services.invitation_token(invitation)])
    page = client.get(url).content.decode()
    assert "Fiji Diaspora Network" in page
    assert reverse("account_signup") in page
    person = factories.make_user(email="new@example.org")
    client.force_login(person)
    response = client.post(url)
    assert response.status_code == 302
    assert Membership.objects.filter(user=person, organization=diaspora_org).exists()
    again = client.post(url)
    assert again.status_code == 400
    assert "already been used" in again.content.decode()


def test_a_garbled_invitation_link_is_a_clear_400(client):
    response = client.get(reverse("alliance:invitation", args=["not-a-token"]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_staff_approve_inline_and_the_queue_updates(client, staff):
    pending = factories.make_organization(admin=factories.make_user(), name="Pending One")
    factories.make_organization(admin=factories.make_user(), name="Pending Two")
    client.force_login(staff)
    response = client.post(reverse("alliance:verification_approve", args=[pending.pk]), **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="queue"')
    assert "Pending One is verified" in body
    assert "Pending Two" in body
    pending.refresh_from_db()
    assert pending.status == Organization.Status.VERIFIED


def test_staff_reject_without_reason_keeps_it_pending(client, staff):
    pending = factories.make_organization(admin=factories.make_user(), name="Pending One")
    client.force_login(staff)
    response = client.post(
        reverse("alliance:verification_reject", args=[pending.pk]), {"reason": ""}, **HTMX
    )
    assert response.status_code == 422
    assert "Enter the reason for rejection" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Organization.Status.PENDING


def test_switching_organization_changes_the_dashboard_context(client, staff, diaspora_org, leader):
    second = factories.make_organization(admin=leader, name="Second Org")
    client.force_login(leader)
    client.post(reverse("alliance:switch_organization"), {"organization": second.pk})
    assert client.session["current_organization"] == second.pk
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "Second Org" in page


def test_pages_run_a_fixed_number_of_queries(
    client, staff, diaspora_org, django_assert_max_num_queries
):
    """Every list page, filtered or on a later page, runs as many queries with 60 members
    and 60 pending organizations (more than a page of each) as with 2."""

    def grow(n):
        for _ in range(n):
            factories.add_member(staff=staff, organization=diaspora_org)
            factories.make_organization(admin=factories.make_user(), country="FJ")

    client.force_login(staff)
    organization = reverse("alliance:organization", args=[diaspora_org.pk])
    organizations = reverse("alliance:staff_organizations")
    queue = reverse("alliance:verification_queue")
    member_states = reverse("alliance:member_states")
    urls = [
        organization,
        f"{organization}?page=2",
        f"{organization}?role=member&q=example.org&page=2",
        queue,
        f"{queue}?page=2",
        f"{queue}?kind=diaspora&country=FJ&page=2",
        organizations,
        f"{organizations}?page=2",
        f"{organizations}?q=organization&kind=diaspora&status=pending&country=FJ&page=2",
        member_states,
        f"{member_states}?q=fiji",
        reverse("portal:dashboard"),
    ]
    grow(2)
    small = {}
    for url in urls:
        with django_assert_max_num_queries(30) as captured:
            client.get(url)
        small[url] = len(captured)
    grow(58)
    assert Organization.objects.filter(status=Organization.Status.PENDING).count() == 60
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            response = client.get(url)
        assert response.status_code == 200
    assert "Page 2 of 3" in client.get(f"{queue}?page=2").content.decode()
    assert "Page 2 of 2" in client.get(f"{organization}?page=2").content.decode()


def test_staff_add_a_sector_in_three_languages(client, staff):
    client.force_login(staff)
    url = reverse("alliance:sectors")
    client.post(
        url, {"name_en": "Migration and Development", "name_fr": "Migration et développement"}
    )
    sector = Sector.objects.get(name_en="Migration and Development")
    assert sector.slug == "migration-and-development"
    response = client.post(url, {"name_en": "migration and development"})
    assert "already exists" in response.content.decode()
    assert Sector.objects.filter(name_en__iexact="migration and development").count() == 1
    client.cookies["django_language"] = "fr"
    staff.preferred_language = "fr"
    staff.save()
    page = client.get(reverse("alliance:session_create")).content.decode()
    assert "Migration et développement" in page
