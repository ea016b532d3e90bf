"""Staff pages people can read: the audit log in words and the sent e-mails."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from alliance import services as alliance_services
from alliance.models import Organization
from gdpa.audit import registry
from gdpa.audit.display import describe
from gdpa.audit.models import AuditEntry
from gdpa.audit.services import audit_record

pytestmark = pytest.mark.django_db

LOG = "/staff/audit/"


def text_of(response) -> str:
    """The page's text, tags removed and whitespace collapsed."""
    body = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", response.content.decode())
    body = re.sub(r"</?span[^>]*>", "", body)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


def shown_actions(response) -> list[str]:
    return re.findall(r'<tr data-action="([^"]*)"', response.content.decode())


def reader(staff, language: str, zone: str = "Pacific/Fiji"):
    staff.preferred_language = language
    staff.time_zone = zone
    staff.save(update_fields=["preferred_language", "time_zone"])
    return staff


def test_the_log_url_is_the_one_the_tests_use():
    assert reverse("audit:log") == LOG


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_session_time_change_reads_as_a_reschedule_in_the_readers_language_and_zone(
    client, staff, scheduled, language
):
    start = dt.datetime(2030, 3, 4, 21, 0, tzinfo=dt.UTC)  # 5 March, 9:00 in Fiji
    alliance_services.session_update(
        actor=staff, session=scheduled, starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    alliance_services.session_update(
        actor=staff, session=scheduled, ends_at=start + dt.timedelta(hours=2)
    )
    client.force_login(reader(staff, language))
    response = client.get(LOG, {"action": "session.update"})
    assert response.status_code == 200
    page = text_of(response)
    with translation.override(language):
        label = gettext("Session rescheduled")
        end_time = capfirst(gettext("end time"))
    assert label in page
    assert "session.update" not in page  # the raw code is not what people read
    # The end moved from 10:00 to 11:00 in Fiji (UTC+12) on one day: the date shows once.
    if language == "en":
        assert f"{end_time}: March 5, 2030, 10 a.m. → 11 a.m." in page
    else:
        assert f"{end_time}: 5 mars 2030 10:00 → 11:00" in page


@pytest.mark.parametrize(("language", "words"), [("en", "Verified"), ("fr", "Vérifié")])
def test_a_verification_shows_the_status_label_and_country_names(client, staff, language, words):
    organization = alliance_services.organization_register(
        actor=staff,
        kind=Organization.Kind.DIASPORA,
        name="Fiji Diaspora Network",
        country="NZ",
        contact_email="fdn@example.org",
        countries_of_origin=["FJ"],
    )
    alliance_services.organization_verify(actor=staff, organization=organization)
    client.force_login(reader(staff, language))
    page = text_of(client.get(LOG))
    with translation.override(language):
        assert gettext("Organization verified") in page
        assert gettext("Organization registered") in page
        pending = gettext("Pending verification")
    assert f"{pending} → {words}" in page
    # Country codes read as names in the reader's language.
    assert ("New Zealand" if language == "en" else "Nouvelle-Zélande") in page
    assert "Fiji" in page or "Fidji" in page


def test_change_detection_compares_real_values_not_their_spelling():
    entry = AuditEntry(
        actor_label="system",
        action="session.update",
        before={
            "ends_at": "2030-03-05 10:00:00+00:00",
            "countries": ["FJ", "WS"],
            "venue": "Suva",
        },
        after={"ends_at": "2030-03-05T10:00:00Z", "countries": ["WS", "FJ"], "venue": "Apia"},
    )
    described = describe(entry)
    assert [c.field for c in described.changes] == ["venue"]
    assert str(described.label) == "Session updated"


def test_unknown_actions_and_fields_fall_back_to_their_code():
    entry = AuditEntry(
        actor_label="system", action="widget.spin", before={"rpm": 1}, after={"rpm": 2, "on": True}
    )
    described = describe(entry)
    assert described.label == "widget.spin"
    assert [(c.label, c.before, c.after) for c in described.changes] == [
        ("on", "—", "Yes"),
        ("rpm", "1", "2"),
    ]


def test_values_are_shown_as_booleans_dates_and_choice_labels():
    from alliance.models import MemberState

    entry = AuditEntry(
        actor_label="system",
        action="member_state.create",
        after={
            "country": "FJ",
            "joined_on": "2026-01-15",
            "status": "active",
            "is_benefiting": False,
        },
    )
    changes = {c.field: c.after for c in describe(entry).changes}
    assert changes == {
        "country": "Fiji",
        "joined_on": "Jan. 15, 2026",
        "status": str(MemberState.Status.ACTIVE.label),
        "is_benefiting": "No",
    }
    assert all(c.before is None for c in describe(entry).changes)


def test_every_action_the_portal_records_has_words():
    """Each literal action code in the services is registered."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    codes = set()
    for path in [
        *root.glob("alliance/services/*.py"),
        *root.glob("trainings/*.py"),
        root / "youth/services.py",
    ]:
        codes |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text()))
    codes |= {"organization.verify", "organization.reject", "email.resend"}
    assert codes and not {c for c in codes if registry.action(c) is None}


def entry_at(action: str, actor_label: str, when: dt.datetime) -> AuditEntry:
    entry = AuditEntry.objects.create(actor_label=actor_label, action=action)
    AuditEntry.objects.filter(pk=entry.pk).update(at=when)
    return entry


def test_the_log_filters_by_person_action_object_and_dates(client, staff):
    AuditEntry.objects.all().delete()
    now = timezone.now()
    entry_at("session.create", "Ana Tui <ana@example.org>", now - dt.timedelta(days=10))
    entry_at("session.cancel", "Ana Tui <ana@example.org>", now - dt.timedelta(days=2))
    entry_at("organization.verify", "Ben Ola <ben@example.org>", now - dt.timedelta(days=2))
    audit_record(actor=staff, action="email.resend", target=staff)
    client.force_login(reader(staff, "en", "UTC"))

    assert sorted(shown_actions(client.get(LOG, {"actor": "ANA@example"}))) == [
        "session.cancel",
        "session.create",
    ]
    assert shown_actions(client.get(LOG, {"action": "session.cancel"})) == ["session.cancel"]
    since = (now - dt.timedelta(days=3)).date().isoformat()
    until = (now - dt.timedelta(days=1)).date().isoformat()
    assert sorted(shown_actions(client.get(LOG, {"start": since, "end": until}))) == [
        "organization.verify",
        "session.cancel",
    ]
    from django.contrib.contenttypes.models import ContentType

    user_type = ContentType.objects.get_for_model(staff)
    assert shown_actions(client.get(LOG, {"target_type": user_type.pk})) == ["email.resend"]

    page = client.get(LOG).content.decode()
    assert '<option value="session.cancel">Session cancelled</option>' in page
    assert f'<option value="{user_type.pk}">' in page


def test_an_end_date_before_the_start_is_explained(client, staff):
    client.force_login(staff)
    response = client.get(LOG, {"start": "2026-05-02", "end": "2026-05-01"})
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.content.decode()


OUTBOX = "/staff/emails/"


def outgoing(to: str, kind: str, status: str = "sent", **extra):
    from gdpa.notify.models import OutboundEmail

    return OutboundEmail.objects.create(
        to_email=to,
        kind=kind,
        language="en",
        subject=f"About {kind}",
        body_text="" if status == "sent" else "Hello, https://example.org/secret-link",
        status=status,
        **extra,
    )


def shown_recipients(response) -> list[str]:
    return sorted(
        re.findall(r"<td data-label=\"Recipient\">([^<]*)</td>", response.content.decode())
    )


def test_the_outbox_filters_by_recipient_kind_and_status(client, staff):
    from gdpa.notify.models import OutboundEmail

    OutboundEmail.objects.all().delete()
    outgoing("ana@example.org", "session_invitation")
    outgoing("ana@example.org", "password_reset_key", status="failed", last_error="SMTP 550")
    outgoing("ben@example.org", "session_invitation")
    client.force_login(staff)
    assert reverse("notify:outbox") == OUTBOX

    assert shown_recipients(client.get(OUTBOX, {"recipient": "ANA@"})) == [
        "ana@example.org",
        "ana@example.org",
    ]
    assert shown_recipients(client.get(OUTBOX, {"kind": "session_invitation"})) == [
        "ana@example.org",
        "ben@example.org",
    ]
    both = client.get(OUTBOX, {"recipient": "ana", "kind": "session_invitation", "status": "sent"})
    assert shown_recipients(both) == ["ana@example.org"]
    assert shown_recipients(client.get(OUTBOX, {"status": "failed"})) == ["ana@example.org"]
    # The kinds are a select with labels; an e-mail's kind reads in words in the list.
    page = client.get(OUTBOX).content.decode()
    assert '<option value="session_invitation">Session invitation</option>' in page
    assert '<option value="password_reset_key">Reset a password</option>' in page
    assert "Reset a password</div>" in page
    # A kind nobody registered (an older one) still filters, shown by its code.
    outgoing("cy@example.org", "legacy_notice")
    legacy = client.get(OUTBOX, {"kind": "legacy_notice"})
    assert shown_recipients(legacy) == ["cy@example.org"]
    assert (
        '<option value="legacy_notice" selected>legacy_notice</option>' in legacy.content.decode()
    )


def test_an_email_page_shows_its_metadata_and_history_but_never_its_content(
    client, staff, django_capture_on_commit_callbacks
):
    from gdpa.notify import services as notify_services

    failed = outgoing(
        "ana@example.org",
        "session_invitation",
        status="failed",
        attempts=3,
        last_error="SMTP 550 mailbox unavailable",
        claimed_at=timezone.now(),
    )
    client.force_login(reader(staff, "en", "UTC"))
    url = reverse("notify:email_detail", args=[failed.pk])
    assert f'href="{url}"' in client.get(OUTBOX).content.decode()

    response = client.get(url)
    assert response.status_code == 200
    page = text_of(response)
    for shown in [
        "ana@example.org",
        "Session invitation",
        "English",
        "About session_invitation",
        "Failed",
        "Attempts 3",
        "SMTP 550 mailbox unavailable",
        "so that it can be resent",
        "No staff action on this e-mail",
    ]:
        assert shown in page
    assert "secret-link" not in response.content.decode()
    assert f"/staff/emails/resend/?email={failed.pk}" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=False):
        notify_services.email_resend(actor=staff, email_id=failed.pk)
    page = text_of(client.get(url))
    assert "Failed e-mail resent" in page
    assert "Status: Failed → Queued" in page
    assert "Last error: SMTP 550 mailbox unavailable → —" in page
    assert staff.email in page


def test_a_sent_email_page_says_its_content_was_deleted(client, staff):
    sent = outgoing(
        "ana@example.org",
        "session_changed",
        sent_at=timezone.now(),
        bodies_cleared_at=timezone.now(),
    )
    client.force_login(staff)
    page = text_of(client.get(reverse("notify:email_detail", args=[sent.pk])))
    assert "only these details are kept" in page
    assert "Resend" not in page


def test_an_unknown_email_is_a_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("notify:email_detail", args=[999999])).status_code == 404
