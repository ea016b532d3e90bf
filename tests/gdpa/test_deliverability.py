"""E-mail deliverability: provider message ids, tracking webhooks, suppression, configuration.

The webhooks are posted as Postmark posts them (its bounce, spam-complaint and delivery
payloads, basic auth from the URL) through the portal's real URL. Mail goes through
anymail's test backend, which gives each message an id as a provider would.
"""

import base64
import json

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse

from gdpa.audit.models import AuditEntry
from gdpa.notify import deliverability, delivery, services
from gdpa.notify.models import OutboundEmail, RecipientAddress
from gdpa.notify.providers import email_backend_settings
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "postmark-hook:9fQx2LwzT7"
HOOK = "/anymail/postmark/tracking/"
SUPPRESSIONS = "/staff/emails/suppressed/"
LIFT = "/staff/emails/suppressed/lift/"


@pytest.fixture(autouse=True)
def provider(settings):
    """A provider that reports message ids, and the webhook secret it was given."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": [SECRET]}
    settings.EMAIL_BOUNCE_LIMIT = 2


def send(django_capture_on_commit_callbacks, to="ana@example.org", **extra) -> OutboundEmail:
    with django_capture_on_commit_callbacks(execute=True):
        email = services.email_queue(
            to=to,
            kind="test",
            language="en",
            subject="Your invitation",
            body_text="Follow https://portal.example.org/rsvp/secret-token/",
            **extra,
        )
    email.refresh_from_db()
    return email


def auth(secret: str = SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def postmark_bounce(email: OutboundEmail, kind: str = "HardBounce") -> dict:
    """Postmark's bounce webhook (RecordType "Bounce"), as its documentation shows it."""
    hard = kind == "HardBounce"
    return {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": 1 if hard else 4096,
        "Name": "Hard bounce" if hard else "Soft bounce/Undeliverable",
        "Tag": "",
        "MessageID": email.provider_message_id,
        "Metadata": {},
        "ServerID": 23,
        "Description": (
            "The server was unable to deliver your message (ex: unknown user, mailbox not found)."
            if hard
            else "Unable to temporarily deliver this email."
        ),
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email.to_email,
        "From": "no-reply@gdpa.example.org",
        "BouncedAt": "2026-11-30T10:33:54.9070259Z",
        "DumpAvailable": False,
        "Inactive": hard,
        "CanActivate": True,
        "Subject": email.subject,
    }


def postmark_complaint(email: OutboundEmail) -> dict:
    return {
        "RecordType": "SpamComplaint",
        "MessageStream": "outbound",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Tag": "",
        "MessageID": email.provider_message_id,
        "Metadata": {},
        "ServerID": 23,
        "Description": "The subscriber explicitly marked this message as spam.",
        "Details": "Test spam complaint details",
        "Email": email.to_email,
        "From": "no-reply@gdpa.example.org",
        "BouncedAt": "2026-11-30T10:40:00Z",
        "DumpAvailable": False,
        "Inactive": True,
        "CanActivate": False,
        "Subject": email.subject,
    }


def postmark_delivery(email: OutboundEmail) -> dict:
    return {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": email.provider_message_id,
        "Recipient": email.to_email,
        "Tag": "",
        "DeliveredAt": "2026-11-30T10:30:00Z",
        "Details": "smtp;250 2.0.0 OK",
        "Metadata": {},
    }


def post_hook(client, payload: dict, **headers):
    return client.post(HOOK, json.dumps(payload), content_type="application/json", **headers)


def suppressed(address: str) -> bool:
    return services.address_suppressed(address)


# --- Sending records the provider's message id ---------------------------------------


def test_a_provider_send_records_its_message_id(django_capture_on_commit_callbacks):
    email = send(django_capture_on_commit_callbacks)
    assert email.status == OutboundEmail.Status.SENT
    assert email.provider_message_id == str(mail.outbox[0].anymail_status.message_id)


def test_an_smtp_send_records_no_message_id(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email = send(django_capture_on_commit_callbacks)
    assert email.status == OutboundEmail.Status.SENT and len(mail.outbox) == 1
    assert email.provider_message_id == ""


# --- Webhooks: bounce, complaint, delivery, credentials ------------------------------


def test_a_hard_bounce_marks_the_email_bounced_and_is_audited(
    client, django_capture_on_commit_callbacks
):
    email = send(django_capture_on_commit_callbacks)
    response = post_hook(client, postmark_bounce(email), **auth())
    assert response.status_code == 200
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.BOUNCED
    assert "unknown user" in email.last_error
    entry = AuditEntry.objects.get(action="email.bounced")
    assert entry.target_id == str(email.pk) and entry.actor is None
    assert entry.before["status"] == "sent" and entry.after["status"] == "bounced"
    # One hard bounce is counted, below the limit of two: mail still goes out.
    assert RecipientAddress.objects.get(address="ana@example.org").hard_bounces == 1
    assert not suppressed("ana@example.org")
    assert send(django_capture_on_commit_callbacks).status == OutboundEmail.Status.SENT


@pytest.mark.parametrize(
    "headers",
    [{}, auth("postmark-hook:wrong"), auth("someone:" + SECRET.split(":")[1])],
    ids=["no credentials", "wrong password", "wrong user"],
)
def test_a_webhook_without_the_secret_is_refused_and_changes_nothing(
    client, headers, django_capture_on_commit_callbacks, caplog
):
    email = send(django_capture_on_commit_callbacks)
    for payload in (postmark_bounce(email), postmark_complaint(email)):
        response = post_hook(client, payload, **headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Basic")
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.last_error == ""
    assert not RecipientAddress.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="email.").exists()
    assert "refused" in caplog.text and SECRET not in caplog.text


def test_with_no_secret_configured_every_webhook_is_refused(
    client, settings, django_capture_on_commit_callbacks
):
    settings.ANYMAIL = {}
    email = send(django_capture_on_commit_callbacks)
    assert post_hook(client, postmark_complaint(email), **auth()).status_code == 401
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT


def test_a_webhook_for_an_unknown_message_is_ignored(client, django_capture_on_commit_callbacks):
    email = send(django_capture_on_commit_callbacks)
    stranger = postmark_bounce(email)
    stranger["MessageID"] = "00000000-0000-0000-0000-000000000000"
    assert post_hook(client, stranger, **auth()).status_code == 200
    assert (
        post_hook(client, postmark_complaint(email) | {"MessageID": ""}, **auth()).status_code
        == 200
    )
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert not RecipientAddress.objects.exists()


def test_a_repeated_bounce_of_one_message_counts_once(client, django_capture_on_commit_callbacks):
    email = send(django_capture_on_commit_callbacks)
    for _ in range(3):  # the provider retries its webhook
        assert post_hook(client, postmark_bounce(email), **auth()).status_code == 200
    assert RecipientAddress.objects.get(address=email.to_email).hard_bounces == 1
    assert not suppressed(email.to_email)


def test_an_unreadable_payload_is_a_400_not_a_500(client):
    response = client.post(HOOK, "{not json", content_type="application/json", **auth())
    assert response.status_code == 400


def test_the_webhook_answers_a_providers_set_up_check_and_only_known_providers(client):
    assert client.head(HOOK).status_code == 200  # how some providers test a new URL
    assert client.get(HOOK).status_code == 405
    unknown = client.post("/anymail/pigeon/tracking/", "{}", "application/json", **auth())
    assert unknown.status_code == 404


def test_a_delivery_report_keeps_the_email_sent_and_records_when(
    client, django_capture_on_commit_callbacks
):
    email = send(django_capture_on_commit_callbacks)
    assert post_hook(client, postmark_delivery(email), **auth()).status_code == 200
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.delivered_at is not None and email.delivered_at.minute == 30


# --- Suppression ----------------------------------------------------------------------


def test_two_hard_bounces_suppress_the_address_and_the_next_email_is_not_sent(
    client, django_capture_on_commit_callbacks
):
    first = send(django_capture_on_commit_callbacks, to="Ana@Example.org")
    second = send(django_capture_on_commit_callbacks, to="ana@example.org")
    post_hook(client, postmark_bounce(first), **auth())
    assert not suppressed("ana@example.org")
    post_hook(client, postmark_bounce(second), **auth())
    row = RecipientAddress.objects.get()
    assert row.address == "ana@example.org" and row.suppressed
    assert row.reason == RecipientAddress.Reason.BOUNCED and row.cause == second
    assert AuditEntry.objects.filter(action="email.address_suppressed").count() == 1

    mail.outbox.clear()
    third = send(django_capture_on_commit_callbacks, to="ANA@example.ORG")
    assert mail.outbox == []
    assert third.status == OutboundEmail.Status.SUPPRESSED
    assert third.last_error == services.ADDRESS_SUPPRESSED
    # Never to be sent: its content (live links) is dropped at once.
    assert third.body_text == "" and third.bodies_cleared_at is not None
    # Someone else still gets their mail.
    assert send(django_capture_on_commit_callbacks, to="ben@example.org").status == "sent"


def test_a_soft_bounce_does_not_suppress(client, django_capture_on_commit_callbacks):
    for _ in range(3):
        email = send(django_capture_on_commit_callbacks)
        assert post_hook(client, postmark_bounce(email, "SoftBounce"), **auth()).status_code == 200
        email.refresh_from_db()
        assert email.status == OutboundEmail.Status.SENT
    assert not suppressed("ana@example.org")
    mail.outbox.clear()
    assert send(django_capture_on_commit_callbacks).status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_a_complaint_suppresses_the_address_at_once(client, django_capture_on_commit_callbacks):
    email = send(django_capture_on_commit_callbacks)
    assert post_hook(client, postmark_complaint(email), **auth()).status_code == 200
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.COMPLAINED
    row = RecipientAddress.objects.get(address="ana@example.org")
    assert row.suppressed and row.reason == RecipientAddress.Reason.COMPLAINED
    mail.outbox.clear()
    assert send(django_capture_on_commit_callbacks).status == OutboundEmail.Status.SUPPRESSED
    assert mail.outbox == []


def test_an_email_queued_before_the_suppression_is_not_sent(
    client, django_capture_on_commit_callbacks
):
    email = send(django_capture_on_commit_callbacks)
    waiting = factories.make_queued_email(to="ana@example.org", subject="Later", body_text="x")
    post_hook(client, postmark_complaint(email), **auth())
    mail.outbox.clear()
    assert delivery.email_deliver(email_id=waiting.pk) is False
    waiting.refresh_from_db()
    assert waiting.status == OutboundEmail.Status.SUPPRESSED and mail.outbox == []


def test_statuses_follow_the_one_transitions_table(django_capture_on_commit_callbacks):
    email = send(django_capture_on_commit_callbacks)
    deliverability.email_delivery_report(
        message_id=email.provider_message_id, verdict=deliverability.COMPLAINED
    )
    # A complaint is final: a later bounce report does not change it, resend is refused.
    assert (
        deliverability.email_delivery_report(
            message_id=email.provider_message_id, verdict=deliverability.HARD_BOUNCE
        )
        is None
    )
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.COMPLAINED
    with pytest.raises(ValidationError):
        services.email_resend(actor=None, email_id=email.pk)
    assert not OutboundEmail.can_move("complained", "queued")
    assert not OutboundEmail.can_move("sent", "sending")
    assert OutboundEmail.can_move("sent", "bounced")


# --- Staff: the e-mail log, the suppressed list, lifting ------------------------------


def suppress(client, django_capture_on_commit_callbacks, to="ana@example.org") -> RecipientAddress:
    email = send(django_capture_on_commit_callbacks, to=to)
    post_hook(client, postmark_complaint(email), **auth())
    return RecipientAddress.objects.get(address=to)


def test_staff_see_bounces_and_suppressed_addresses_in_the_email_log(
    client, signed_in, staff, django_capture_on_commit_callbacks
):
    bounced = send(django_capture_on_commit_callbacks, to="carla@example.org")
    post_hook(client, postmark_bounce(bounced), **auth())
    suppress(client, django_capture_on_commit_callbacks)
    send(django_capture_on_commit_callbacks)  # recorded as not sent
    staff_client = signed_in(staff)
    page = staff_client.get(reverse("notify:outbox"), {"status": "bounced"}).content.decode()
    assert "carla@example.org" in page and "ana@example.org" not in page
    page = staff_client.get(reverse("notify:outbox"), {"status": "suppressed"}).content.decode()
    assert "ana@example.org" in page and "Not sent: address suppressed" in page
    page = staff_client.get(SUPPRESSIONS).content.decode()
    assert "ana@example.org" in page and "Marked as spam" in page
    assert f"{LIFT}?address=" in page
    detail = staff_client.get(reverse("notify:email_detail", args=[bounced.pk])).content.decode()
    assert "E-mail bounced" in detail  # the history, from the audit log
    filtered = staff_client.get(SUPPRESSIONS, {"reason": "bounced"}).content.decode()
    assert "ana@example.org" not in filtered


def test_staff_lift_a_suppression_after_confirming_and_sending_resumes(
    client, signed_in, staff, django_capture_on_commit_callbacks
):
    row = suppress(client, django_capture_on_commit_callbacks)
    staff_client = signed_in(staff)
    page = staff_client.get(LIFT, {"address": row.pk})
    assert page.status_code == 200 and 'type="checkbox"' in page.content.decode()

    refused = staff_client.post(LIFT, {"address": row.pk})  # the box is not ticked
    assert refused.status_code == 422 and "Tick the box" in refused.content.decode()
    assert suppressed("ana@example.org")

    done = staff_client.post(LIFT, {"address": row.pk, "confirm": "on"})
    assert done.status_code == 302 and done["Location"] == SUPPRESSIONS
    row.refresh_from_db()
    assert not row.suppressed and row.hard_bounces == 0
    entry = AuditEntry.objects.get(action="email.suppression_lifted")
    assert entry.actor == staff and entry.before["reason"] == "complained"

    mail.outbox.clear()
    assert send(django_capture_on_commit_callbacks).status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    again = staff_client.post(LIFT, {"address": row.pk, "confirm": "on"}, follow=True)
    assert "not suppressed" in again.content.decode()
    assert staff_client.post(LIFT, {"address": 999999, "confirm": "on"}).status_code == 404


def test_the_suppressed_list_runs_a_fixed_number_of_queries(
    client, signed_in, staff, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    staff_client = signed_in(staff)
    suppress(client, django_capture_on_commit_callbacks, to="one@example.org")
    with django_assert_max_num_queries(12):
        assert staff_client.get(SUPPRESSIONS).status_code == 200
    for n in range(15):
        suppress(client, django_capture_on_commit_callbacks, to=f"p{n}@example.org")
    with django_assert_max_num_queries(12):
        page = staff_client.get(SUPPRESSIONS)
    assert page.content.decode().count(f"{LIFT}?address=") == 16


# --- The person's notice, and a change of address -------------------------------------


def test_the_person_sees_a_notice_and_a_new_address_starts_clean(
    client, django_capture_on_commit_callbacks
):
    person = factories.make_user(email="ana@example.org", full_name="Ana Pérez")
    first = send(django_capture_on_commit_callbacks, user=person)
    second = send(django_capture_on_commit_callbacks, user=person)
    post_hook(client, postmark_bounce(first), **auth())
    post_hook(client, postmark_bounce(second), **auth())

    client.force_login(person)
    notice = "E-mail to your address ana@example.org is bouncing"
    assert notice in client.get(reverse("portal:dashboard")).content.decode()
    assert notice in client.get(reverse("accounts:profile")).content.decode()

    # The person adds a new address, confirms it by its link and makes it primary.
    new = EmailAddress.objects.create(user=person, email="ana.perez@example.net")
    key = EmailConfirmationHMAC(new).key
    assert client.post(reverse("account_confirm_email", args=[key])).status_code == 302
    new.refresh_from_db()
    assert new.verified
    new.set_as_primary()
    person.refresh_from_db()
    assert person.email == "ana.perez@example.net"

    assert notice not in client.get(reverse("portal:dashboard")).content.decode()
    mail.outbox.clear()
    to_new = send(django_capture_on_commit_callbacks, to=person.email, user=person)
    assert to_new.status == OutboundEmail.Status.SENT and len(mail.outbox) == 1
    # The old address keeps its own record.
    assert suppressed("ana@example.org")


def test_someone_whose_mail_arrives_sees_no_notice(client):
    person = factories.make_user(email="ben@example.org")
    client.force_login(person)
    assert "We cannot e-mail you" not in client.get(reverse("portal:dashboard")).content.decode()


def test_confirming_an_address_clears_its_hard_bounces(client, django_capture_on_commit_callbacks):
    person = factories.make_user(email="ana@example.org")
    post_hook(client, postmark_bounce(send(django_capture_on_commit_callbacks)), **auth())
    assert RecipientAddress.objects.get().hard_bounces == 1
    deliverability.address_confirmed(user=person, address="Ana@example.org")
    assert RecipientAddress.objects.get().hard_bounces == 0
    assert AuditEntry.objects.filter(action="email.address_confirmed", actor=person).exists()


# --- Configuration: which backend sends --------------------------------------------


def test_smtp_is_the_default_backend():
    assert email_backend_settings("", {}, strict=True) == {}
    assert email_backend_settings("smtp", {}, strict=True) == {}


def test_email_provider_picks_the_anymail_backend_with_its_keys():
    environ = {"POSTMARK_SERVER_TOKEN": "server-token", "ANYMAIL_WEBHOOK_SECRET": SECRET}
    config = email_backend_settings("Postmark", environ, strict=True)
    assert config["EMAIL_BACKEND"] == "anymail.backends.postmark.EmailBackend"
    assert config["ANYMAIL"] == {
        "POSTMARK_SERVER_TOKEN": "server-token",
        "WEBHOOK_SECRET": [SECRET],
    }
    brevo = email_backend_settings(
        "brevo", {"BREVO_API_KEY": "k", "ANYMAIL_WEBHOOK_SECRET": "a:b,c:d"}, strict=True
    )
    assert brevo["EMAIL_BACKEND"] == "anymail.backends.brevo.EmailBackend"
    assert brevo["ANYMAIL"]["WEBHOOK_SECRET"] == ["a:b", "c:d"]


@pytest.mark.parametrize(
    ("provider", "environ"),
    [
        ("postmark", {"ANYMAIL_WEBHOOK_SECRET": SECRET}),  # no server token
        ("postmark", {"POSTMARK_SERVER_TOKEN": "t"}),  # no webhook secret
        ("postmark", {"POSTMARK_SERVER_TOKEN": "t", "ANYMAIL_WEBHOOK_SECRET": "no-colon"}),
        ("mailgun", {"MAILGUN_API_KEY": "k", "ANYMAIL_WEBHOOK_SECRET": SECRET}),  # no signing key
        ("amazon_ses", {"AMAZON_SES_REGION": "eu-west-1", "ANYMAIL_WEBHOOK_SECRET": SECRET}),
    ],
)
def test_production_refuses_a_provider_without_what_it_needs(provider, environ):
    with pytest.raises(ImproperlyConfigured):
        email_backend_settings(provider, environ, strict=True)
    # Outside production the portal still starts (anymail reports the gap when sending).
    assert "EMAIL_BACKEND" in email_backend_settings(provider, environ, strict=False)


def test_an_unknown_provider_is_refused_everywhere():
    with pytest.raises(ImproperlyConfigured, match="not supported"):
        email_backend_settings("carrier-pigeon", {}, strict=False)
