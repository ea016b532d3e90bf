"""Staff import organizations and focal points from CSV or XLSX: a preview that writes
nothing, then a confirmation that writes exactly the previewed valid rows."""

import datetime as dt
import io

import openpyxl
import pytest
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from alliance import imports
from alliance.imports import files as import_files
from alliance.models import Invitation, Membership, Organization, StaffImport
from alliance.services import import_runs, invitation_create, sector_create
from alliance.services import imports as import_services
from gdpa.audit.models import AuditEntry
from gdpa.notify.models import OutboundEmail
from tests import factories

ORG_HEADER = (
    "name,kind,country,member_state,countries_of_origin,sectors,diaspora_capitals,"
    "contact_email,phone,website,description"
)
FP_HEADER = "full_name,email,member_state,organization,title,language"


def csv_file(text: str, name: str = "members.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list], name: str = "members.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def upload(client, kind: str, file):
    return client.post(reverse("alliance:import_upload"), {"kind": kind, "file": file})


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url.rstrip("/").rsplit("/", 1)[-1]


def preview_page(client, token: str, **query):
    return client.get(reverse("alliance:import_preview", args=[token]), query)


def confirm(client, token: str, **extra):
    """Confirm the preview; the import task runs when the confirmation commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("alliance:import_confirm", args=[token]), **extra)


def model_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def fiji(staff):
    """Fiji is a member state with one government body."""
    return factories.make_government(staff=staff, country="FJ", name="Fiji Ministry of Diaspora")


ORGS_CSV = "\n".join(
    [
        ORG_HEADER,
        # 2: new, with sectors and capitals by name and by code
        "Pacific Diaspora Link,diaspora,IE,,FJ; PE,Health and Well-being; climate,human;"
        " Economic capital,link@example.org,+353 1 555,www.pdl.example.org,Links diasporas",
        # 3: new government from its member state's name (country filled from it)
        "Ministry of Fijians Abroad,government,,Fiji,,,,abroad@example.org,,,",
        # 4: bad e-mail and unknown country
        "Broken Partner,academia,Atlantis,,,,,not-an-email,,,",
        # 5: the same organization as line 2 (case differs)
        "PACIFIC DIASPORA LINK,diaspora,Ireland,,,,,other@example.org,,,",
        # 6: already registered (the diaspora_org fixture: Fiji Diaspora Network, IE)
        "fiji diaspora network,diaspora,IE,,,,,net@example.org,,,",
        # 7: unknown sector
        "Green Partners,civil_society,ES,,,Space travel,,green@example.org,,,",
        # 8: new
        "Diaspora Institute Madrid,Academia,Spain,,,,social,inst@example.org,,,",
    ]
)


# The whole journey --------------------------------------------------------------------


def test_preview_lists_every_row_and_writes_nothing_then_confirm_writes_exactly_the_valid_rows(
    staff_client, staff, fiji, diaspora_org, django_capture_on_commit_callbacks
):
    before = model_counts()
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(staff_client, "organizations", csv_file(ORGS_CSV))
    token = token_of(response)
    assert model_counts() == before
    assert callbacks == []
    assert mail.outbox == []

    page = preview_page(staff_client, token)
    body = page.content.decode()
    assert page.status_code == 200
    assert page.context["counts"] == {"new": 3, "duplicate": 2, "invalid": 2}
    assert "Nothing has been saved yet" in body
    assert "Enter an e-mail address in the correct format, like name@example.org" in body
    assert "“Atlantis” is not a country" in body
    assert "Unknown sector: “Space travel”" in body
    assert "The same organization is on line 2." in body
    assert "already registered in this country" in body
    rows = {r["line"]: r for r in page.context["rows"]}
    assert {p["column"] for p in rows[4]["problems"]} == {"country", "contact_email"}
    assert rows[7]["problems"] == [
        {"column": "sectors", "message": "Unknown sector: “Space travel”."}
    ]
    assert model_counts() == before
    # Reference data that changes after the preview does not let a previewed bad row in.
    sector_create(actor=staff, name_en="Space travel")

    response = confirm(staff_client, token)
    assert response.url == reverse("alliance:import_result", args=[token])
    created = Organization.objects.filter(
        name__in=[
            "Pacific Diaspora Link",
            "Ministry of Fijians Abroad",
            "Diaspora Institute Madrid",
        ]
    )
    assert created.count() == 3
    assert set(created.values_list("status", flat=True)) == {Organization.Status.VERIFIED}
    link = created.get(name="Pacific Diaspora Link")
    assert link.kind == "diaspora" and link.country.code == "IE"
    assert [c.code for c in link.countries_of_origin] == ["FJ", "PE"]
    assert set(link.sectors.values_list("slug", flat=True)) == {"health", "climate"}
    assert set(link.capitals.values_list("slug", flat=True)) == {"human", "economic"}
    assert link.website == "https://www.pdl.example.org"
    assert link.decided_by == staff and link.created_by == staff
    assert not Membership.objects.filter(organization__in=created).exists()
    ministry = created.get(name="Ministry of Fijians Abroad")
    assert ministry.member_state == fiji.member_state and ministry.country.code == "FJ"
    assert not Organization.objects.filter(name__in=["Broken Partner", "Green Partners"]).exists()
    assert Organization.objects.filter(name__iexact="pacific diaspora link").count() == 1

    run = StaffImport.objects.get(token=token)
    assert (run.created_count, run.skipped_count, run.created_by) == (3, 4, staff)
    confirmed = AuditEntry.objects.get(action="import.confirm")
    assert confirmed.actor == staff
    assert confirmed.after == {
        "kind": "organizations",
        "file_name": "members.csv",
        "rows": 7,
        "new": 3,
        "duplicate": 2,
        "invalid": 2,
    }
    entry = AuditEntry.objects.get(action="import.finish")
    assert entry.actor == staff
    assert entry.after == {
        "kind": "organizations",
        "file_name": "members.csv",
        "rows": 7,
        "created": 3,
        "skipped": 4,
    }
    assert AuditEntry.objects.filter(action="organization.import").count() == 3

    result = staff_client.get(response.url)
    text = result.content.decode()
    assert "Pacific Diaspora Link" in text and "Green Partners" in text
    assert "Unknown sector" in text


def test_a_confirmed_preview_is_not_imported_twice(staff_client, staff):
    token = token_of(
        upload(
            staff_client,
            "organizations",
            csv_file(f"{ORG_HEADER}\nOnce Only,diaspora,IE,,,,,once@example.org,,,"),
        )
    )
    confirm(staff_client, token)
    again = confirm(staff_client, token, follow=True)
    assert "This import was already confirmed." in again.content.decode()
    assert Organization.objects.filter(name="Once Only").count() == 1
    page = staff_client.get(reverse("alliance:import_preview", args=[token]), follow=True)
    assert "This preview was already confirmed" in page.content.decode()
    assert page.redirect_chain[-1][0] == reverse("alliance:import_result", args=[token])


def test_an_expired_preview_says_so_and_imports_nothing(staff_client, staff, monkeypatch):
    token = token_of(
        upload(
            staff_client,
            "organizations",
            csv_file(f"{ORG_HEADER}\nToo Late,diaspora,IE,,,,,late@example.org,,,"),
        )
    )
    later = timezone.now() + import_services.PREVIEW_LIFETIME + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    page = preview_page(staff_client, token)
    assert "This preview has expired" in page.content.decode()
    assert "Confirm the import" not in page.content.decode()
    response = confirm(staff_client, token, follow=True)
    assert "This preview has expired. Upload the file again." in response.content.decode()
    assert not Organization.objects.filter(name="Too Late").exists()
    assert not StaffImport.objects.exists()


def test_another_staff_members_preview_is_not_found(client, staff):
    client.force_login(staff)
    token = token_of(
        upload(
            client,
            "organizations",
            csv_file(f"{ORG_HEADER}\nMine,diaspora,IE,,,,,mine@example.org,,,"),
        )
    )
    client.force_login(factories.make_staff())
    assert preview_page(client, token).status_code == 404
    assert client.post(reverse("alliance:import_confirm", args=[token])).status_code == 404
    assert not Organization.objects.filter(name="Mine").exists()


# Reading files ------------------------------------------------------------------------


def test_semicolon_csv_with_a_bom_and_headers_in_words(staff_client, staff):
    text = (
        "\ufeffName;Kind;Country;Countries of origin;Contact e-mail;Contact phone\n"
        "Réseau Fidjien;Diaspora organization;France;FJ, PE;reseau@example.org;0102\n"
    )
    token = token_of(upload(staff_client, "organizations", csv_file(text)))
    page = preview_page(staff_client, token)
    assert page.context["counts"]["new"] == 1
    confirm(staff_client, token)
    org = Organization.objects.get(name="Réseau Fidjien")
    assert org.country.code == "FR" and org.contact_phone == "0102"
    assert [c.code for c in org.countries_of_origin] == ["FJ", "PE"]


def test_xlsx_file(staff_client, staff):
    file = xlsx_file(
        [
            ORG_HEADER.split(","),
            [
                "Sheet Org",
                "private_sector",
                "PE",
                None,
                None,
                "Climate Action",
                None,
                "sheet@example.org",
                5551234,
                None,
                None,
            ],
            [None] * 11,
        ]
    )
    token = token_of(upload(staff_client, "organizations", file))
    assert preview_page(staff_client, token).context["counts"] == {
        "new": 1,
        "duplicate": 0,
        "invalid": 0,
    }
    confirm(staff_client, token)
    org = Organization.objects.get(name="Sheet Org")
    assert org.contact_phone == "5551234"
    assert list(org.sectors.values_list("slug", flat=True)) == ["climate"]


def test_a_missing_required_column_is_named(staff_client, staff):
    before = model_counts()
    response = upload(staff_client, "organizations", csv_file("name,kind,country\nA,diaspora,IE\n"))
    assert response.status_code == 422
    body = response.content.decode()
    assert "The required column “contact_email” is missing" in body
    assert model_counts() == before


def test_a_png_renamed_csv_is_refused(staff_client, staff):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = upload(staff_client, "organizations", SimpleUploadedFile("members.csv", png))
    assert response.status_code == 422
    assert "This file is not a CSV or XLSX file" in response.content.decode()


def test_a_file_that_is_not_utf8_is_refused_with_what_to_do(staff_client, staff):
    text = f"{ORG_HEADER}\nRéseau,diaspora,FR,,,,,r@example.org,,,\n"
    response = upload(staff_client, "organizations", csv_file(text, encoding="latin-1"))
    assert response.status_code == 422
    assert "CSV UTF-8" in response.content.decode()


def test_too_many_rows_are_refused(staff_client, staff, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_ROWS", 3)
    rows = "\n".join(f"Org {n},diaspora,IE,,,,,o{n}@example.org,,," for n in range(4))
    response = upload(staff_client, "organizations", csv_file(f"{ORG_HEADER}\n{rows}\n"))
    assert response.status_code == 422
    assert "The file has more than 3 rows" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(staff_client, staff):
    data = f"{ORG_HEADER}\n" + "Org,diaspora,IE,,,,,o@example.org,,,\n" * 50
    with override_settings(UPLOAD_MAX_FILE_BYTES=1024):
        with pytest.raises(imports.FileRefused, match="larger than"):
            imports.read_file("organizations", data.encode())
        response = upload(staff_client, "organizations", csv_file(data))
    assert response.status_code == 413
    assert not Organization.objects.filter(name="Org").exists()


def test_the_template_files_hold_the_expected_headers(staff_client, staff):
    response = staff_client.get(reverse("alliance:import_template", args=["focal_points"]))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").strip() == FP_HEADER
    response = staff_client.get(reverse("alliance:import_template", args=["organizations"]))
    assert response.content.decode("utf-8-sig").strip() == ORG_HEADER
    assert staff_client.get(reverse("alliance:import_template", args=["x"])).status_code == 404


# Focal points -------------------------------------------------------------------------


def test_focal_point_rows_become_invitations_mailed_on_commit(
    staff_client, staff, fiji, django_capture_on_commit_callbacks
):
    focal_point = factories.add_member(
        staff=staff, organization=fiji, role=Membership.Role.FOCAL_POINT
    )
    peru = factories.make_government(staff=staff, country="PE", name="Peru Cancillería")
    invitation_create(
        actor=staff, organization=peru, email="invited@example.org", role="focal_point"
    )
    text = "\n".join(
        [
            FP_HEADER,
            "Ana Ruiz,ana@example.org,Peru,,Director,es",  # 2: new, Spanish e-mail
            f"Already There,{focal_point.email.upper()},FJ,,,",  # 3: member already
            "Open Invite,INVITED@example.org,PE,,,",  # 4: invited already
            "Ana Again,ana@example.org,PE,,,",  # 5: twice in the file
            "Nobody,nobody@example.org,Atlantis,,,",  # 6: unknown country
            "No State,nostate@example.org,CH,,,",  # 7: not a member state
            "Bad Mail,bad-mail,FJ,,,",  # 8
            "Sam Lee,sam@example.org,Fiji,Fiji Ministry of Diaspora,Adviser,",  # 9: new
        ]
    )
    mail_before = OutboundEmail.objects.count()
    token = token_of(upload(staff_client, "focal_points", csv_file(text)))
    assert OutboundEmail.objects.count() == mail_before
    page = preview_page(staff_client, token)
    assert page.context["counts"] == {"new": 2, "duplicate": 3, "invalid": 3}
    body = page.content.decode()
    assert "already a member of Fiji Ministry of Diaspora" in body
    assert "already has an open invitation to Peru Cancillería" in body
    assert "The same person is on line 2." in body
    assert "Switzerland is not a member state of the alliance." in body

    with django_capture_on_commit_callbacks(execute=True):
        confirm(staff_client, token)
    ana = Invitation.objects.get(email="ana@example.org")
    assert (ana.organization, ana.role, ana.invited_by) == (peru, "focal_point", staff)
    sam = Invitation.objects.get(email="sam@example.org")
    assert sam.organization == fiji
    assert Invitation.objects.filter(email__iexact="invited@example.org").count() == 1
    queued = OutboundEmail.objects.filter(kind="organization_invitation").order_by("pk")
    assert {
        e.to_email for e in queued.filter(to_email__in=["ana@example.org", "sam@example.org"])
    } == {
        "ana@example.org",
        "sam@example.org",
    }
    assert queued.get(to_email="ana@example.org").language == "es"
    assert {m.to[0] for m in mail.outbox} >= {"ana@example.org", "sam@example.org"}
    run = StaffImport.objects.get(token=token)
    assert (run.created_count, run.skipped_count) == (2, 6)


def test_a_member_state_with_several_government_bodies_needs_the_organization_column(
    staff_client, staff, fiji
):
    factories.make_government(staff=staff, country="FJ", name="Fiji Foreign Affairs")
    text = (
        f"{FP_HEADER}\nKai,kai@example.org,FJ,,,\nLeo,leo@example.org,FJ,fiji foreign affairs,,\n"
    )
    page = preview_page(
        staff_client, token_of(upload(staff_client, "focal_points", csv_file(text)))
    )
    rows = {r["line"]: r for r in page.context["rows"]}
    assert rows[2]["status"] == "invalid"
    assert rows[2]["problems"][0]["column"] == "organization"
    assert "several government bodies" in rows[2]["problems"][0]["message"]
    assert rows[3]["status"] == "new"


# Writing ----------------------------------------------------------------------------------


def test_a_row_failing_at_write_time_leaves_nothing_of_itself(staff_client, staff, monkeypatch):
    text = "\n".join(
        [
            ORG_HEADER,
            "Good One,diaspora,IE,,,health,human,good@example.org,,,",
            "Breaks Late,diaspora,IE,,,health,human,late@example.org,,,",
            "Good Two,diaspora,IE,,,climate,,two@example.org,,,",
        ]
    )
    token = token_of(upload(staff_client, "organizations", csv_file(text)))
    real = import_services.audit_record

    def failing(**kwargs):
        if str(kwargs.get("target")) == "Breaks Late":
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(import_services, "audit_record", failing)
    confirm(staff_client, token)
    assert not Organization.objects.filter(name="Breaks Late").exists()
    assert not Organization.sectors.through.objects.filter(
        organization__name="Breaks Late"
    ).exists()
    assert set(
        Organization.objects.filter(name__startswith="Good").values_list("name", flat=True)
    ) == {"Good One", "Good Two"}
    run = StaffImport.objects.get(token=token)
    assert run.created_count == 2
    assert list(run.rows.filter(created=False).values_list("line", "label", "reason")) == [
        (3, "Breaks Late", "This row could not be written; nothing of it was saved.")
    ]


def test_a_duplicate_registered_after_the_preview_is_skipped_at_confirmation(staff_client, staff):
    token = token_of(
        upload(
            staff_client,
            "organizations",
            csv_file(f"{ORG_HEADER}\nRace Org,diaspora,IE,,,,,race@example.org,,,"),
        )
    )
    import_services.organization_import(
        actor=staff, name="race org", kind="diaspora", country="IE", contact_email="x@example.org"
    )
    confirm(staff_client, token)
    assert Organization.objects.filter(name__iexact="race org").count() == 1
    run = StaffImport.objects.get(token=token)
    assert run.created_count == 0
    assert "Changed since the preview" in run.rows.get().reason


# Queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 60])
def test_checking_a_file_runs_a_fixed_number_of_queries(
    staff_client, staff, fiji, rows, django_assert_max_num_queries
):
    lines = [
        f"Org {n},{'government' if n % 3 == 0 else 'diaspora'},IE,FJ,PE,health; climate,"
        f"human,org{n}@example.org,,,"
        for n in range(rows)
    ]
    file = csv_file(f"{ORG_HEADER}\n" + "\n".join(lines))
    # The request (session, user, memberships, youth profile, two-factor: 5), the
    # lookups (4), the savepoints import-export opens around the whole dry run (9,
    # none per row) and the sweep of kept previews (1).
    with django_assert_max_num_queries(19):
        token_of(upload(staff_client, "organizations", file))
    people = "\n".join(f"P {n},p{n}@example.org,FJ,,,en" for n in range(rows))
    with django_assert_max_num_queries(19):
        token_of(upload(staff_client, "focal_points", csv_file(f"{FP_HEADER}\n{people}")))


# The import task ----------------------------------------------------------------------


def test_the_result_page_shows_progress_until_the_task_has_written_the_rows(
    staff_client, staff, django_capture_on_commit_callbacks
):
    text = f"{ORG_HEADER}\nTask One,diaspora,IE,,,,,one@example.org,,,\nTask Two,diaspora,IE,,,,,two@example.org,,,"
    token = token_of(upload(staff_client, "organizations", csv_file(text)))
    with django_capture_on_commit_callbacks() as callbacks:  # the task message not yet sent
        staff_client.post(reverse("alliance:import_confirm", args=[token]))
    assert len(callbacks) == 1
    run = StaffImport.objects.get(token=token)
    assert run.status == StaffImport.Status.RUNNING
    page = staff_client.get(reverse("alliance:import_result", args=[token]))
    body = page.content.decode()
    assert "The import is running: 0 of 2 rows done." in body
    assert 'hx-trigger="every 2s"' in body
    region = staff_client.get(
        reverse("alliance:import_result", args=[token]), headers={"HX-Request": "true"}
    )
    assert 'id="import-progress"' in region.content.decode()
    assert "<h1>" not in region.content.decode()

    # A lost message: the sweep enqueues the run again once it has waited long enough.
    assert import_runs.import_sweep() == 0
    later = timezone.now() + import_runs.UNCLAIMED_AFTER + dt.timedelta(minutes=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert import_runs.import_sweep(now=later) == 1
    run.refresh_from_db()
    assert run.status == StaffImport.Status.DONE and run.created_count == 2
    # Running it again (a redelivered message) writes nothing twice.
    assert import_runs.import_run(run_id=run.pk) == 0
    assert Organization.objects.filter(name__startswith="Task ").count() == 2
    done = staff_client.get(reverse("alliance:import_result", args=[token])).content.decode()
    assert "hx-trigger" not in done
    assert "Task One" in done and "Task Two" in done


def test_a_run_cut_short_resumes_after_its_last_recorded_line(staff_client, staff, monkeypatch):
    lines = [f"Resume {n},diaspora,IE,,,,,r{n}@example.org,,," for n in range(3)]
    token = token_of(
        upload(staff_client, "organizations", csv_file(f"{ORG_HEADER}\n" + "\n".join(lines)))
    )
    real = import_runs._write_organization
    calls = []

    def dies_on_third(actor, instance, source):
        calls.append(instance.name)
        if len(calls) == 3:
            raise SystemExit("worker killed")  # not caught per row: the run stops here
        return real(actor, instance, source)

    monkeypatch.setitem(import_runs._WRITERS, "organizations", dies_on_third)
    with pytest.raises(SystemExit):
        confirm(staff_client, token)
    run = StaffImport.objects.get(token=token)
    assert run.status == StaffImport.Status.RUNNING
    assert list(run.rows.values_list("line", flat=True)) == [2, 3]
    assert not Organization.objects.filter(name="Resume 2").exists()

    # Another worker may not take it while the lease holds; after it, it resumes.
    assert import_runs.import_run(run_id=run.pk) == 0
    monkeypatch.setitem(import_runs._WRITERS, "organizations", real)
    StaffImport.objects.filter(pk=run.pk).update(
        claimed_at=timezone.now() - import_runs.LEASE - dt.timedelta(minutes=1)
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert import_runs.import_run(run_id=run.pk) == 1
    run.refresh_from_db()
    assert (run.status, run.created_count, run.skipped_count) == ("done", 3, 0)
    assert Organization.objects.filter(name__startswith="Resume ").count() == 3


def test_an_xlsx_that_unpacks_to_too_much_data_is_refused(staff_client, staff, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_XLSX_UNPACKED", 2048)
    file = xlsx_file([ORG_HEADER.split(","), ["Big", "diaspora", "IE"] + ["x" * 3000] + [""] * 7])
    response = upload(staff_client, "organizations", file)
    assert response.status_code == 422
    assert "The XLSX file holds too much data" in response.content.decode()
