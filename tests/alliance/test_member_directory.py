"""The staff member directory: organizations and people, their filters, sorting and
paging, the bulk actions on a selection, the organization lifecycle table, and the two
export datasets the directory registers."""

import datetime
import re

import pytest
import time_machine
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from alliance import member_directory, member_exports, services
from alliance.models import AllianceSession, Membership, Organization, Participant, Sector
from gdpa.audit.models import AuditEntry
from gdpa.exports.registry import dataset
from gdpa.notify.models import OutboundEmail
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ORGS = "alliance:staff_organizations"
PEOPLE = "alliance:staff_people"


def org(staff, name, *, country="IE", kind=Organization.Kind.DIASPORA, verified=True, admin=None):
    admin = admin or factories.make_user(full_name=f"Admin of {name}")
    return factories.make_organization(
        admin=admin, name=name, country=country, kind=kind, verified_by=staff if verified else None
    )


def attended(person, *, days_ago: int, staff):
    """``person`` attended a session held ``days_ago`` days ago."""
    start = timezone.now() + datetime.timedelta(days=5)
    session = services.session_create(
        actor=staff,
        title=f"Held {days_ago} days ago",
        kind=AllianceSession.Kind.PLENARY,
        time_zone="UTC",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        format=AllianceSession.Format.ONLINE,
        join_url="https://meet.example.org/x",
        status=AllianceSession.Status.SCHEDULED,
    )
    past = timezone.now() - datetime.timedelta(days=days_ago)
    AllianceSession.objects.filter(pk=session.pk).update(
        starts_at=past, ends_at=past + datetime.timedelta(hours=1)
    )
    Participant.objects.create(
        session=session, user=person, email=person.email.lower(), attended=True
    )


def names(body: str) -> list[str]:
    """The organization or person names in the rows, in order."""
    return re.findall(r'<th scope="row"[^>]*>(?:<a [^>]*>)?([^<]+)', body)


def total(body: str) -> str:
    """The tab's total ("12 organizations")."""
    return re.search(r'<p class="small muted">([^<]+)</p>', body).group(1)


# The organization lifecycle ---------------------------------------------------------------


def test_the_transitions_table_is_the_one_lifecycle():
    S = Organization.Status
    assert {
        S.PENDING: {S.VERIFIED, S.REJECTED},
        S.VERIFIED: {S.SUSPENDED},
        S.SUSPENDED: {S.VERIFIED},
        S.REJECTED: set(),
    } == Organization.TRANSITIONS


def test_suspend_mails_the_admins_the_reason_and_reinstate_lifts_it(staff):
    leader = factories.make_user(full_name="Leader")
    organization = org(staff, "Tonga Diaspora", admin=leader)
    services.organization_suspend(actor=staff, organization=organization, reason="Dormant")
    organization.refresh_from_db()
    assert organization.status == Organization.Status.SUSPENDED
    assert organization.suspension_reason == "Dormant"
    mail = OutboundEmail.objects.get(kind="organization_suspended", to_email=leader.email)
    assert "Dormant" in mail.body_text
    assert AuditEntry.objects.filter(action="organization.suspend").count() == 1

    services.organization_reinstate(actor=staff, organization=organization)
    organization.refresh_from_db()
    assert organization.status == Organization.Status.VERIFIED
    assert organization.suspension_reason == ""
    assert OutboundEmail.objects.filter(
        kind="organization_reinstated", to_email=leader.email
    ).exists()
    assert AuditEntry.objects.filter(action="organization.reinstate").count() == 1


def test_moves_outside_the_table_are_refused(staff):
    from django.core.exceptions import ValidationError

    pending = org(staff, "Pending body", verified=False)
    with pytest.raises(ValidationError, match="pending verification organization cannot"):
        services.organization_suspend(actor=staff, organization=pending, reason="No")
    with pytest.raises(ValidationError, match="Only a suspended"):
        services.organization_reinstate(actor=staff, organization=pending)
    services.organization_reject(actor=staff, organization=pending, reason="Not diaspora")
    with pytest.raises(ValidationError):
        services.organization_verify(actor=staff, organization=pending)
    pending.refresh_from_db()
    assert pending.status == Organization.Status.REJECTED


def test_only_acting_staff_suspend(staff):
    from django.core.exceptions import ValidationError

    leader = factories.make_user()
    organization = org(staff, "Own body", admin=leader)
    with pytest.raises(ValidationError):
        services.organization_suspend(actor=leader, organization=organization, reason="x")
    with pytest.raises(ValidationError, match="reason"):
        services.organization_suspend(actor=staff, organization=organization, reason="  ")


# Organizations tab ----------------------------------------------------------------------


def test_organization_filters_kind_country_sector_capital_status_and_search(client, staff):
    health = Sector.objects.get(slug="health") if Sector.objects.filter(slug="health") else None
    sector = health or Sector.objects.first()
    kenyan = org(staff, "Kenyan Network", country="KE")
    kenyan.sectors.set([sector])
    kenyan.capitals.set([kenyan.capitals.model.objects.first()])
    org(staff, "Kenyan Academy", country="KE", kind=Organization.Kind.ACADEMIA)
    org(staff, "Irish Forum", country="IE")
    org(staff, "Kenyan Pending", country="KE", verified=False)
    client.force_login(staff)
    url = reverse(ORGS)

    body = client.get(url, {"country": "KE", "kind": "diaspora"}).content.decode()
    assert names(body) == ["Kenyan Network", "Kenyan Pending"]
    body = client.get(url, {"status": "pending", "country": "KE"}).content.decode()
    assert names(body) == ["Kenyan Pending"]
    body = client.get(url, {"sector": sector.slug}).content.decode()
    assert names(body) == ["Kenyan Network"]
    capital = kenyan.capitals.first()
    body = client.get(url, {"capital": capital.slug}).content.decode()
    assert names(body) == ["Kenyan Network"]
    body = client.get(url, {"q": "forum"}).content.decode()
    assert names(body) == ["Irish Forum"]


def test_member_state_filter(client, staff):
    fiji = factories.make_government(staff=staff, country="FJ", name="Fiji Ministry")
    factories.make_government(staff=staff, country="GE", name="Georgia Ministry")
    client.force_login(staff)
    body = client.get(reverse(ORGS), {"member_state": fiji.member_state_id}).content.decode()
    assert "Fiji Ministry" in names(body) and "Georgia Ministry" not in names(body)


def test_activity_filters_organizations_by_their_members_sessions(client, staff):
    active = org(staff, "Active Org")
    old = org(staff, "Long Ago Org")
    org(staff, "Quiet Org")
    member = factories.add_member(staff=staff, organization=active)
    attended(member, days_ago=20, staff=staff)
    veteran = factories.add_member(staff=staff, organization=old)
    attended(veteran, days_ago=400, staff=staff)
    client.force_login(staff)
    url = reverse(ORGS)
    body = client.get(
        url, {"activity": "session", "months": 3, "kind": "diaspora"}
    ).content.decode()
    assert names(body) == ["Active Org"]
    body = client.get(url, {"activity": "any", "months": 24, "kind": "diaspora"}).content.decode()
    assert names(body) == ["Active Org", "Long Ago Org"]
    body = client.get(url, {"activity": "none", "months": 3, "kind": "diaspora"}).content.decode()
    assert names(body) == ["Long Ago Org", "Quiet Org"]


def test_bad_filter_values_are_explained_and_ignored(client, staff):
    org(staff, "Alpha Org")
    org(staff, "Beta Org", kind=Organization.Kind.ACADEMIA)
    client.force_login(staff)
    response = client.get(
        reverse(ORGS),
        {
            "months": "soon",
            "activity": "dancing",
            "sector": "nope",
            "member_state": "x",
            "sort": "secret",
            "kind": "academia",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    for message in (
        "Enter a whole number of months.",
        "Choose one of the activities in the list.",
        "Choose one of the sectors in the list.",
        "Choose one of the member states in the list.",
        "This column cannot be sorted",
    ):
        assert message in body
    assert names(body) == ["Beta Org"]  # the valid kind filter still applies


def test_sorting_by_a_column_marks_it_with_aria_sort(client, staff):
    org(staff, "Bravo", country="FJ")
    org(staff, "Alpha", country="SN")
    org(staff, "Charlie", country="AR")
    client.force_login(staff)
    url = reverse(ORGS)
    body = client.get(url, {"kind": "diaspora"}).content.decode()
    assert names(body)[:3] == ["Alpha", "Bravo", "Charlie"]
    assert re.search(r'aria-sort="ascending"><a href="\?kind=diaspora&amp;sort=-name"', body)
    body = client.get(url, {"kind": "diaspora", "sort": "-name"}).content.decode()
    assert names(body)[:3] == ["Charlie", "Bravo", "Alpha"]
    assert 'aria-sort="descending"' in body
    body = client.get(url, {"kind": "diaspora", "sort": "country"}).content.decode()
    assert names(body)[:3] == ["Charlie", "Bravo", "Alpha"]  # Argentina, Fiji, Senegal


def test_the_results_region_swaps_with_htmx(client, staff):
    org(staff, "Alpha Org")
    client.force_login(staff)
    response = client.get(reverse(ORGS), {"q": "alpha"}, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "Alpha Org" in body
    assert "HX-Request" in response.headers["Vary"]


def test_select_all_on_this_page_works_without_javascript(client, staff):
    org(staff, "Alpha Org")
    org(staff, "Beta Org")
    client.force_login(staff)
    body = client.get(reverse(ORGS)).content.decode()
    assert "checked" not in re.findall(r'<input type="checkbox"[^>]*>', body)[0]
    body = client.get(reverse(ORGS), {"check": "page"}).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="selected"[^>]*>', body)
    assert boxes and all(" checked" in box for box in boxes)


def test_export_links_carry_the_filters(client, staff):
    org(staff, "Alpha Org", country="KE")
    client.force_login(staff)
    body = client.get(reverse(ORGS), {"country": "KE", "page": "1"}).content.decode()
    assert 'href="/staff/exports/start/?country=KE&amp;dataset=members-organizations"' in body


def _grow(staff, n):
    sectors = list(Sector.objects.all())
    for i in range(n):
        organization = org(staff, f"Grown {i:03d}", verified=i % 2 == 0)
        organization.sectors.set(sectors)
        person = factories.add_member(staff=staff, organization=organization)
        attended(person, days_ago=10 + i, staff=staff)


@pytest.mark.parametrize("n", [2, 12])
def test_the_organization_tab_runs_a_fixed_number_of_queries(
    client, staff, n, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(member_directory, "PER_PAGE", 5)
    _grow(staff, n)
    client.force_login(staff)
    client.get(reverse(ORGS))  # warm the session and the sign-in caches
    sector = Sector.objects.first().slug
    for query in [{}, {"activity": "any", "sector": sector, "sort": "-registered", "page": 2}]:
        with django_assert_max_num_queries(13):
            assert client.get(reverse(ORGS), query).status_code == 200


@pytest.mark.parametrize("n", [2, 12])
def test_the_people_tab_runs_a_fixed_number_of_queries(
    client, staff, n, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(member_directory, "PER_PAGE", 5)
    _grow(staff, n)
    client.force_login(staff)
    client.get(reverse(PEOPLE))
    for query in [{}, {"activity": "any", "kind": "diaspora", "sort": "-joined", "page": 2}]:
        with django_assert_max_num_queries(13):
            assert client.get(reverse(PEOPLE), query).status_code == 200


# People tab -----------------------------------------------------------------------------


def test_people_rows_show_organizations_roles_residence_and_last_activity(client, staff):
    organization = org(staff, "Samoan Council")
    person = factories.make_user(full_name="Sefa Tuilagi", country_of_residence="NZ")
    factories.add_member(
        staff=staff, organization=organization, user=person, role=Membership.Role.FOCAL_POINT
    )
    attended(person, days_ago=3, staff=staff)
    client.force_login(staff)
    body = client.get(reverse(PEOPLE), {"q": "tuilagi"}).content.decode()
    row = body[body.index("Sefa Tuilagi") : body.index("</tr>", body.index("Sefa Tuilagi"))]
    assert person.email in row
    assert "Samoan Council</a> (Focal point)" in row
    assert "New Zealand" in row
    three_days_ago = timezone.localdate() - datetime.timedelta(days=3)
    assert three_days_ago.strftime("%Y") in row and "None" not in row


def test_people_filters_by_their_organizations_and_activity(client, staff):
    diaspora = org(staff, "Diaspora One")
    academy = org(staff, "Academy One", kind=Organization.Kind.ACADEMIA)
    a = factories.add_member(
        staff=staff, organization=diaspora, user=factories.make_user(full_name="Ana Diaspora")
    )
    factories.add_member(
        staff=staff, organization=academy, user=factories.make_user(full_name="Bo Academic")
    )
    attended(a, days_ago=5, staff=staff)
    client.force_login(staff)
    url = reverse(PEOPLE)
    body = client.get(url, {"kind": "academia"}).content.decode()
    assert "Bo Academic" in names(body) and "Ana Diaspora" not in names(body)
    body = client.get(url, {"activity": "session", "months": 1}).content.decode()
    assert names(body) == ["Ana Diaspora"]
    body = client.get(url, {"activity": "none", "q": "one"}).content.decode()
    assert "Ana Diaspora" not in body
    body = client.get(url, {"q": a.email}).content.decode()
    assert names(body) == ["Ana Diaspora"]


def test_people_tab_offers_the_registered_people_actions(client, staff):
    client.force_login(staff)
    body = client.get(reverse(PEOPLE)).content.decode()
    assert f'formaction="{reverse("trainings:staff_nominate_people")}' in body
    assert "Nominate to a training" in body
    assert "<legend>With the selected rows</legend>" in body


# Bulk actions on organizations -----------------------------------------------------------


def test_verify_confirms_first_then_verifies_the_pending_and_names_the_others(client, staff):
    first = org(staff, "First Pending", verified=False)
    second = org(staff, "Second Pending", verified=False)
    done = org(staff, "Already Verified")
    client.force_login(staff)
    url = reverse("alliance:staff_organizations_action")
    selection = {"action": "verify", "selected": [first.pk, second.pk, done.pk]}
    page = client.post(url, selection).content.decode()
    assert "First Pending" in page and "Second Pending" in page
    assert "Already Verified: it is verified, not pending verification" in page
    assert Organization.objects.filter(status="pending").count() == 2  # nothing yet

    response = client.post(f"{url}?country=IE", {**selection, "confirm": "yes"}, follow=True)
    assert response.redirect_chain[0][0] == f"{reverse(ORGS)}?country=IE"
    body = response.content.decode()
    assert "2 organizations verified: First Pending, Second Pending" in body
    assert "1 organization was left as it was: Already Verified" in body
    assert set(Organization.objects.filter(status="verified").values_list("name", flat=True)) >= {
        "First Pending",
        "Second Pending",
    }
    assert OutboundEmail.objects.filter(kind="organization_verified").count() >= 2


def test_totals_are_kept_a_minute_and_forgotten_when_staff_change_a_status(client, staff):
    pending = org(staff, "Waiting Body", verified=False)
    client.force_login(staff)
    url = reverse(ORGS)
    assert total(client.get(url, {"status": "pending"}).content.decode()) == "1 organization"
    org(staff, "Later Body", verified=False)  # registered meanwhile (no directory action)
    body = client.get(url, {"status": "pending"}).content.decode()
    assert names(body) == ["Later Body", "Waiting Body"]  # the rows are read afresh
    assert total(body) == "1 organization"  # the one counted a moment ago

    client.post(
        reverse("alliance:staff_organizations_action"),
        {"action": "verify", "selected": [pending.pk], "confirm": "yes"},
    )
    body = client.get(url, {"status": "pending"}).content.decode()
    assert names(body) == ["Later Body"]
    assert total(body) == "1 organization"  # counted again after the verification
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        org(staff, "Third Body", verified=False)
        body = client.get(url, {"status": "pending"}).content.decode()
    assert total(body) == "2 organizations"  # a minute later it is counted again


def test_suspend_needs_a_reason_and_then_suspends_the_verified(client, staff):
    verified = org(staff, "Verified Body")
    pending = org(staff, "Pending Body", verified=False)
    client.force_login(staff)
    url = reverse("alliance:staff_organizations_action")
    selection = {"action": "suspend", "selected": [verified.pk, pending.pk], "confirm": "yes"}
    response = client.post(url, {**selection, "reason": " "})
    assert response.status_code == 422
    assert "Give the reason" in response.content.decode()
    verified.refresh_from_db()
    assert verified.status == Organization.Status.VERIFIED

    response = client.post(url, {**selection, "reason": "Unreachable for a year"}, follow=True)
    body = response.content.decode()
    assert "1 organization suspended: Verified Body" in body
    assert "Pending Body: it is pending verification, not verified" in body
    verified.refresh_from_db()
    pending.refresh_from_db()
    assert verified.status == Organization.Status.SUSPENDED
    assert verified.suspension_reason == "Unreachable for a year"
    assert pending.status == Organization.Status.PENDING


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "verify"}, "Select at least one organization."),
        ({"action": "verify", "selected": "abc"}, "The selection is not valid"),
        ({"action": "explode", "selected": "1"}, "Choose one of the actions offered."),
    ],
)
def test_bad_bulk_input_is_explained_and_changes_nothing(client, staff, data, message):
    pending = org(staff, "Still Pending", verified=False)
    client.force_login(staff)
    response = client.post(
        reverse("alliance:staff_organizations_action"), {**data, "confirm": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Organization.Status.PENDING


def test_export_of_a_selection_goes_to_the_exports_kernel(client, staff):
    a = org(staff, "Alpha Org")
    b = org(staff, "Beta Org")
    client.force_login(staff)
    response = client.post(
        reverse("alliance:staff_organizations_action") + "?kind=diaspora&page=2",
        {"action": "export", "selected": [a.pk, b.pk]},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/staff/exports/start/?")
    query = QueryDict(location.split("?", 1)[1])
    assert query["dataset"] == "members-organizations"
    assert query["kind"] == "diaspora" and "page" not in query
    assert sorted(query.getlist("selected")) == sorted([str(a.pk), str(b.pk)])


# Bulk actions on people -----------------------------------------------------------------


def test_invite_people_reports_those_already_invited(client, staff, scheduled):
    organization = org(staff, "Invite Org")
    ana = factories.add_member(
        staff=staff, organization=organization, user=factories.make_user(full_name="Ana")
    )
    bo = factories.add_member(
        staff=staff, organization=organization, user=factories.make_user(full_name="Bo")
    )
    services.session_invite(actor=staff, session=scheduled, emails=[bo.email])
    client.force_login(staff)
    url = reverse("alliance:staff_people_action")
    selection = {"action": "invite", "person": [ana.pk, bo.pk], "session": scheduled.pk}
    preview = client.post(url, selection).content.decode()
    assert "already invited to this session" in preview
    assert not Participant.objects.filter(session=scheduled, email=ana.email.lower()).exists()

    body = client.post(url, {**selection, "confirm": "yes"}, follow=True).content.decode()
    assert "1 person invited to" in body
    assert "1 was already invited and was left as they were: Bo" in body
    assert Participant.objects.filter(session=scheduled, user=ana).count() == 1
    assert Participant.objects.filter(session=scheduled, email=bo.email.lower()).count() == 1


def test_invite_needs_an_upcoming_session(client, staff, make_session):
    person = factories.make_user()
    draft = make_session(status=AllianceSession.Status.DRAFT)
    client.force_login(staff)
    url = reverse("alliance:staff_people_action")
    response = client.post(url, {"action": "invite", "person": person.pk, "confirm": "yes"})
    assert response.status_code == 422
    assert "Choose the session to invite them to." in response.content.decode()
    response = client.post(
        url, {"action": "invite", "person": person.pk, "session": draft.pk, "confirm": "yes"}
    )
    assert response.status_code == 422
    assert "Choose one of the upcoming sessions" in response.content.decode()
    assert not Participant.objects.exists()


# Export datasets ------------------------------------------------------------------------


def test_both_datasets_are_registered_with_the_directory_forms():
    organizations = dataset("members-organizations")
    people = dataset("members-people")
    assert organizations.filter_form is member_directory.OrganizationDirectoryForm
    assert people.filter_form is member_directory.PeopleDirectoryForm
    personal = {c.key for c in people.columns if c.personal}
    assert {"name", "email", "gender"} <= personal
    assert {c.key for c in organizations.columns if c.personal} == {
        "contact_email",
        "contact_phone",
    }


def test_organization_rows_honour_the_filters_and_the_selection(staff):
    kenyan = org(staff, "Kenyan Network", country="KE")
    kenyan.sectors.set(Sector.objects.all()[:2])
    other = org(staff, "Kenyan Other", country="KE")
    org(staff, "Irish Forum", country="IE")
    rows = list(member_exports.organizations_rows(QueryDict("country=KE"), personal=True))
    assert [r["name"] for r in rows] == ["Kenyan Network", "Kenyan Other"]
    assert rows[0]["country"] == "Kenya"
    assert rows[0]["sectors"].count(";") == 1
    assert rows[0]["contact_email"]
    assert member_exports.organizations_count(QueryDict("country=KE")) == 2
    selected = QueryDict(f"country=KE&selected={other.pk}")
    assert [r["name"] for r in member_exports.organizations_rows(selected, personal=True)] == [
        "Kenyan Other"
    ]
    assert member_exports.organizations_count(selected) == 1
    plain = next(iter(member_exports.organizations_rows(QueryDict("country=KE"), personal=False)))
    assert "contact_email" not in plain and "contact_phone" not in plain


def test_people_rows_without_the_personal_permission_hold_no_personal_keys(staff):
    organization = org(staff, "People Org")
    person = factories.add_member(
        staff=staff,
        organization=organization,
        user=factories.make_user(full_name="Rosa Flores", country_of_residence="PE"),
    )
    query = QueryDict(f"q={person.email}")
    personal = {c.key for c in dataset("members-people").columns if c.personal}
    rows = list(member_exports.people_rows(query, personal=False))
    assert len(rows) == 1 and not personal & set(rows[0])
    assert rows[0]["organizations"] == "People Org (Member)"
    assert rows[0]["country_of_residence"] == "Peru"
    full = next(iter(member_exports.people_rows(query, personal=True)))
    assert full["name"] == "Rosa Flores" and full["email"] == person.email
    assert member_exports.people_count(query) == 1
    assert member_exports.people_count(QueryDict("q=nobody-at-all")) == 0


@pytest.mark.django_db
def test_name_and_email_searches_are_answered_from_trigram_indexes():
    """ "Contains" searches over 100,000 people were a scan of every account; on
    PostgreSQL the trigram indexes answer them (the planner is told to look rows up by
    bitmap only: on a test database's few rows a scan or the name order would be
    cheaper)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's; CI runs this on PostgreSQL")
    people = member_directory.people_directory({"q": "quispe"}).only("pk")
    organizations = member_directory.organizations_directory({"q": "network"}).only("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plans = []
        for queryset in (people, organizations):
            sql, params = queryset.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert "accounts_user_full_name_trgm" in plans[0] and "accounts_user_email_trgm" in plans[0]
    assert "alliance_organization_name_trgm" in plans[1]
    assert "alliance_organization_contact_email_trgm" in plans[1]


def _filters(body: str) -> str:
    return body[body.index('role="search"') : body.index("</form>", body.index('role="search"'))]


def test_the_filter_form_is_kept_with_its_values_and_never_with_errors(client, staff):
    org(staff, "Lima Diaspora Body", country="PE")
    client.force_login(staff)
    url = reverse(ORGS)
    for kind in ("academia", "diaspora", "academia"):
        form = _filters(client.get(url, {"kind": kind}).content.decode())
        assert f'<option value="{kind}" selected>' in form
    wrong = _filters(client.get(url, {"months": "many"}).content.decode())
    assert "Enter a whole number of months." in wrong
    mended = _filters(client.get(url, {"months": "6"}).content.decode())
    assert "Enter a whole number of months." not in mended and 'value="6"' in mended
    staff.preferred_language = "fr"
    staff.save(update_fields=["preferred_language"])
    french = _filters(client.get(url, {"kind": "academia"}).content.decode())
    assert "Pérou" in french and "Peru" not in french


def test_a_new_organizations_country_joins_the_filter_within_a_minute(client, staff):
    org(staff, "Lima Diaspora Body", country="PE")
    client.force_login(staff)
    url = reverse(ORGS)
    assert '<option value="FJ">' not in _filters(client.get(url).content.decode())
    org(staff, "Suva Diaspora Body", country="FJ")
    assert '<option value="FJ">' not in _filters(client.get(url).content.decode())  # kept
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        form = _filters(client.get(url).content.decode())
    assert '<option value="FJ">Fiji</option>' in form and '<option value="PE">Peru' in form
