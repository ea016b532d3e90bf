"""Every URL, requested as every kind of person the portal knows.

The kinds (ARCHITECTURE.md): anonymous, signed in with no organization, member, member
holding the delegated member-management right, organization admin, admin of a pending
organization, focal point, partner, youth participant, IOM staff, IOM staff whose
session has not passed two-factor authentication, and a member of another tenant.

A URL pattern without a row here fails ``test_every_url_has_a_row``. Another tenant's
object answers 404, never 403: forbidden and missing look the same. The world is built
once per run of this module and every request is rolled back after its test.
"""

import datetime
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from alliance import services
from alliance.models import (
    AllianceSession,
    Membership,
    Organization,
    Participant,
    Recommendation,
    Sector,
)
from alliance.services import endorsements as rec_endorsements
from alliance.services import recommendation_inputs as rec_inputs
from alliance.services import recommendations as recommendation_services
from alliance.services import reports as report_services
from gdpa.notify.models import OutboundEmail
from gdpa.privacy.services import erasure_request_create
from tests import factories
from trainings import meetings as training_meetings
from trainings import services as training_services
from trainings.certificates import certificate_build_pdf, certificate_revoke, certificates_issue
from trainings.models import Certificate, Enrollment, Offering, TrainingProgramme

ROLES = [
    "anonymous",
    "no_org",
    "member",
    "delegate",
    "leader",
    "pending_admin",
    "focal_point",
    "partner",
    "youth",
    "staff",
    "staff_no_mfa",
    "outsider",
]
SIGNED_IN = ROLES[1:]


@dataclass(frozen=True)
class Row:
    name: str
    expected: dict[str, int]
    method: str = "get"
    kwargs: str = ""  # which fixture object supplies the URL arguments
    data: dict = field(default_factory=dict)
    label: str = ""  # tells apart two rows of one URL name

    @property
    def id(self) -> str:
        return f"{self.name}[{self.label}]" if self.label else self.name


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int = 200, anonymous: int = 302) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, status)}


def staff_only(status: int = 200) -> dict[str, int]:
    """Staff pages: staff without two-factor in this session are sent to set it up."""
    return {**signed_in(404), "staff": status, "staff_no_mfa": 302}


def org_members(status: int = 200) -> dict[str, int]:
    """The target organization's own people and IOM staff; everyone else gets 404."""
    return {
        **signed_in(404),
        "staff": status,
        "leader": status,
        "member": status,
        "delegate": status,
    }


def invited(status: int = 200) -> dict[str, int]:
    """A session's invitees (a focal point and a member) and IOM staff; others get 404."""
    return {**signed_in(404), "staff": status, "focal_point": status, "member": status}


def org_managers(ok: int = 302) -> dict[str, int]:
    """Admins, delegates and staff; plain members are refused (403)."""
    return {**org_members(ok), "member": 403}


def org_admins(ok: int = 302) -> dict[str, int]:
    """Admins and staff only: a delegate's right stops at plain members."""
    return {**org_managers(ok), "delegate": 403}


def rec_readers(status: int = 200) -> dict[str, int]:
    """People who read recommendations open for input: alliance participants (members of
    verified organizations, IOM included, and youth participants); others get 404."""
    return {**everyone(404), **dict.fromkeys(set(SIGNED_IN) - {"no_org", "pending_admin"}, status)}


ROWS = [
    Row("portal:home", everyone(200)),
    Row("portal:privacy", everyone(200)),
    Row("portal:accessibility", everyone(200)),
    Row("portal:contact", everyone(200)),
    Row("portal:health", everyone(200)),
    Row("portal:ready", everyone(200)),
    Row("portal:dashboard", signed_in()),
    Row("accounts:profile", signed_in()),
    Row("accounts:language", everyone(302), "post", data={"language": "fr"}),
    Row("youth:join", signed_in()),
    Row("youth:consent", signed_in()),
    Row(
        "youth:consent_withdraw",
        {**signed_in(404), "youth": 302},
        "post",
        data={"understood": "on"},
    ),
    Row("audit:log", staff_only()),
    Row("notify:outbox", staff_only()),
    Row("notify:email_resend", staff_only(302), "post"),
    Row("notify:email_detail", staff_only(), kwargs="email"),
    Row("notify:suppressions", staff_only()),
    # No address chosen: staff are sent back to the list with a message.
    Row("notify:suppression_lift", staff_only(302), "post"),
    # The providers' tracking webhook: public, guarded by HTTP basic auth only (a session
    # is no credential); tests/gdpa/test_deliverability.py posts with the secret.
    Row("anymail:tracking_webhook", everyone(401), "post", kwargs="webhook"),
    Row("anymail:tracking_webhook", everyone(405), kwargs="webhook", label="get"),
    Row("portal:staff_person", staff_only(), kwargs="person"),
    Row("portal:staff_person", staff_only(404), kwargs="missing", label="missing"),
    Row("alliance:my_organizations", signed_in()),
    Row("alliance:organization_register", signed_in()),
    Row(
        "alliance:switch_organization",
        {**org_members(302), "anonymous": 302},
        "post",
        data={"organization": "{org}"},
    ),
    Row("alliance:organization", org_members(), kwargs="org"),
    Row(
        "alliance:invitation_send",
        org_managers(),
        "post",
        "org",
        {"email": "x@example.org", "role": "member"},
    ),
    Row("alliance:invitation_revoke", org_managers(), "post", "invitation"),
    Row(
        "alliance:invitation_send",
        {**signed_in(404), "staff": 302, "pending_admin": 422},
        "post",
        "pending",
        {"email": "x@example.org", "role": "member"},
        label="from a pending organization",
    ),
    Row(
        "alliance:invitation_send",
        {**org_admins(), "delegate": 422},
        "post",
        "org",
        {"email": "boss@example.org", "role": "admin"},
        label="as administrator",
    ),
    Row("alliance:membership_role", org_admins(), "post", "membership", {"role": "focal_point"}),
    Row(
        "alliance:membership_role",
        {**org_admins(), "delegate": 403},
        "post",
        "delegate_membership",
        {"role": "admin"},
        label="the delegate's own",
    ),
    Row("alliance:membership_remove", {**org_members(302)}, "post", "membership"),
    Row(
        "alliance:membership_remove",
        org_admins(),
        "post",
        "leader_membership",
        label="the founder",
    ),
    Row(
        "alliance:membership_remove",
        org_members(),
        kwargs="membership",
        label="asks first",
    ),
    Row(
        "alliance:membership_remove",
        org_admins(200),
        kwargs="leader_membership",
        label="asks first, the founder",
    ),
    Row("alliance:membership_manage_right", org_admins(), "post", "membership", {"allowed": "on"}),
    Row("alliance:invitation", everyone(200), kwargs="token"),
    Row("alliance:verification_queue", staff_only()),
    Row("alliance:verification_approve", staff_only(302), "post", "pending"),
    Row(
        "alliance:verification_reject",
        staff_only(302),
        "post",
        "pending",
        {"reason": "Not a diaspora body"},
    ),
    Row("alliance:staff_organizations", staff_only()),
    Row("alliance:staff_organization", staff_only(), kwargs="org"),
    Row("alliance:staff_organization", staff_only(404), kwargs="missing", label="missing"),
    Row(
        "alliance:staff_organizations_action",
        staff_only(),
        "post",
        data={"action": "verify", "selected": "{org}"},
    ),
    Row("alliance:staff_people", staff_only()),
    Row(
        "alliance:staff_people_action",
        staff_only(),
        "post",
        data={"action": "invite", "person": "{org}"},
    ),
    Row("alliance:government_create", staff_only()),
    Row("alliance:member_states", staff_only()),
    Row("alliance:sectors", staff_only()),
    Row("alliance:my_sessions", signed_in()),
    Row("alliance:session", invited(), kwargs="session"),
    Row(
        "alliance:session_rsvp",
        {**invited(302), "staff": 404},
        "post",
        "session",
        {"answer": "accepted"},
    ),
    Row("alliance:session_ics", invited(), kwargs="session"),
    # Check-in opens 30 minutes before the start: earlier, invitees get the explanation.
    Row(
        "alliance:session_checkin", {**invited(422), "staff": 404}, "post", "session", {"code": "X"}
    ),
    Row("alliance:session_document", invited(), kwargs="document"),
    Row("alliance:rsvp_link", everyone(200), kwargs="rsvp_token"),
    Row("alliance:calendar_feed", everyone(200), kwargs="feed"),
    Row("alliance:calendar_feed_reset", signed_in(302), "post"),
    Row("alliance:staff_sessions", staff_only()),
    Row("alliance:session_create", staff_only()),
    Row("alliance:session_edit", staff_only(), kwargs="session"),
    Row("alliance:session_cancel", staff_only(), kwargs="session", label="confirmation"),
    Row("alliance:session_cancel", staff_only(302), "post", "session"),
    Row("alliance:session_held", staff_only(302), "post", "session"),
    Row("alliance:session_invite", staff_only(), kwargs="session"),
    Row("alliance:session_attendance", staff_only(), kwargs="session"),
    Row("alliance:session_summary", staff_only(302), "post", "session", {"summary": "Minutes"}),
    Row("alliance:session_document_add", staff_only(422), "post", "session"),
    Row("trainings:catalogue", everyone(200)),
    Row("trainings:programme", everyone(200), kwargs="programme"),
    Row("trainings:offering", everyone(200), kwargs="offering"),
    # Refusals (not eligible, twice, staff) are flashed on the offering page it redirects to.
    Row("trainings:enroll", signed_in(302), "post", "offering"),
    Row("trainings:withdraw", {**signed_in(404), "focal_point": 200}, kwargs="offering"),
    Row(
        "trainings:withdraw",
        {**signed_in(404), "focal_point": 302},
        "post",
        "offering",
        label="withdraws",
    ),
    Row("trainings:staff_programmes", staff_only()),
    Row("trainings:programme_create", staff_only()),
    Row("trainings:programme_edit", staff_only(), kwargs="programme"),
    Row("trainings:offering_create", staff_only(), kwargs="programme"),
    Row("trainings:offering_edit", staff_only(), kwargs="offering"),
    # Nominations: a government offering takes the focal point's nominations; a diaspora
    # one those of the verified diaspora and partner organizations' admins and delegates.
    Row("trainings:nominate", {**signed_in(404), "focal_point": 200}, kwargs="offering"),
    Row(
        "trainings:nominate",
        {**signed_in(404), **dict.fromkeys(["leader", "delegate", "partner", "outsider"], 200)},
        kwargs="diaspora_offering",
        label="diaspora",
    ),
    # A person id outside the focal point's member state: the field error, nothing changes.
    Row(
        "trainings:nominate",
        {**signed_in(404), "focal_point": 422},
        "post",
        "offering",
        {"person": "0"},
        label="nominates",
    ),
    Row("trainings:nominee_withdraw", {**signed_in(404), "focal_point": 200}, kwargs="nomination"),
    Row(
        "trainings:nominee_withdraw",
        {**signed_in(404), "focal_point": 302},
        "post",
        "nomination",
        label="withdraws",
    ),
    Row("trainings:approval_queue", staff_only()),
    Row("trainings:approval_approve", staff_only(302), "post", "pending_enrollment"),
    Row("trainings:staff_nominate_people", staff_only(), "post", data={"person": "{org}"}),
    Row(
        "trainings:approval_decline",
        staff_only(302),
        "post",
        "pending_enrollment",
        {"reason": "This cohort is for another region"},
    ),
    # An empty check-in code is explained on the offering page (not enrolled: said too).
    Row("trainings:checkin", signed_in(422), "post", "offering"),
    Row("trainings:window_reminder", signed_in(302), "post", "offering", {"remind": "on"}),
    Row("trainings:meetings", staff_only(), kwargs="offering"),
    Row("trainings:meeting_create", staff_only(), kwargs="offering"),
    Row("trainings:meeting_create", staff_only(422), "post", "offering", label="empty"),
    Row("trainings:meeting_edit", staff_only(), kwargs="meeting"),
    Row("trainings:meeting_edit", staff_only(422), "post", "meeting", label="empty"),
    Row("trainings:meeting_delete", staff_only(), kwargs="meeting", label="confirmation"),
    Row("trainings:meeting_delete", staff_only(302), "post", "meeting"),
    Row("trainings:attendance", staff_only(), kwargs="meeting"),
    # Before the meeting the save is refused and flashed on the page it redirects to.
    Row("trainings:attendance", staff_only(302), "post", "meeting", label="save"),
    Row("trainings:checkin_open", staff_only(302), "post", "meeting"),
    Row("trainings:checkin_close", staff_only(302), "post", "meeting"),
    # Feedback: the enrolled learner once the offering has started; others get the reason.
    Row("trainings:feedback", {**signed_in(403), "focal_point": 200}, kwargs="started_offering"),
    Row(
        "trainings:feedback",
        {**signed_in(403), "focal_point": 302},
        "post",
        "started_offering",
        {"overall": "4", "content": "4", "facilitation": "5", "relevance": "3"},
        label="saves",
    ),
    Row("trainings:offering_feedback", staff_only(), kwargs="started_offering"),
    Row("trainings:offering_figures", staff_only(), kwargs="started_offering"),
    # Certificates: the focal point completed the offering and holds one.
    Row(
        "trainings:certificate_pdf",
        {**signed_in(404), "focal_point": 200, "staff": 200},
        kwargs="certificate",
    ),
    Row("trainings:verify", everyone(200)),
    Row("trainings:verify_code", everyone(200), kwargs="certificate_code"),
    Row("trainings:verify_code", everyone(200), kwargs="revoked_code", label="revoked"),
    Row("trainings:verify_code", everyone(404), kwargs="unknown_code", label="unknown"),
    Row("trainings:badge_issuer", everyone(200)),
    Row("trainings:badge_class", everyone(200), kwargs="programme"),
    Row("trainings:badge_assertion", everyone(200), kwargs="certificate_code"),
    Row("trainings:badge_assertion", everyone(410), kwargs="revoked_code", label="revoked"),
    Row("trainings:badge_assertion", everyone(404), kwargs="unknown_code", label="unknown"),
    Row("trainings:offering_certificates", staff_only(), kwargs="offering"),
    Row("trainings:certificates_issue", staff_only(), kwargs="offering", label="confirmation"),
    Row("trainings:certificates_issue", staff_only(302), "post", "offering"),
    Row("trainings:certificate_revoke", staff_only(), kwargs="certificate", label="confirmation"),
    Row(
        "trainings:certificate_revoke",
        staff_only(302),
        "post",
        "certificate",
        {"reason": "Issued in error"},
    ),
    # Recommendations: staff authoring (tracks, drafting, lifecycle steps).
    Row("alliance:staff_tracks", staff_only()),
    Row("alliance:track_create", staff_only()),
    Row("alliance:track_create", staff_only(422), "post", label="empty"),
    Row("alliance:staff_track", staff_only(), kwargs="track"),
    Row("alliance:track_edit", staff_only(), kwargs="track"),
    Row("alliance:track_edit", staff_only(422), "post", "track", label="empty"),
    Row("alliance:recommendation_create", staff_only(), kwargs="track"),
    Row("alliance:recommendation_create", staff_only(422), "post", "track", label="empty"),
    Row("alliance:recommendation_edit", staff_only(), kwargs="draft_recommendation"),
    Row(
        "alliance:recommendation_edit",
        staff_only(422),
        "post",
        "draft_recommendation",
        label="empty",
    ),
    Row(
        "alliance:recommendation_transition",
        staff_only(),
        kwargs="draft_to_open",
        label="confirmation",
    ),
    # Opening for input without a closing time: the error next to the field.
    Row("alliance:recommendation_transition", staff_only(422), "post", "draft_to_open"),
    Row(
        "alliance:recommendation_transition",
        staff_only(302),
        "post",
        "draft_to_withdrawn",
        label="withdraws",
    ),
    # Versions: whoever may read the recommendation (a draft: acting staff only; open for
    # input: alliance participants, i.e. members of verified organizations and youth).
    Row(
        "alliance:recommendation_versions",
        {**everyone(404), "staff": 200},
        kwargs="draft_recommendation",
    ),
    Row(
        "alliance:recommendation_versions",
        {**everyone(200), "anonymous": 404, "no_org": 404, "pending_admin": 404},
        kwargs="open_recommendation",
        label="open for input",
    ),
    Row(
        "alliance:recommendation_version_diff",
        {**everyone(404), "staff": 200},
        kwargs="draft_version",
    ),
    Row(
        "alliance:recommendation_version_diff",
        {**everyone(200), "anonymous": 404, "no_org": 404, "pending_admin": 404},
        kwargs="open_version",
        label="open for input",
    ),
    # Recommendations: published ones for everyone; open ones for alliance participants
    # (verified organizations' people and youth); drafts for acting staff.
    Row("alliance:recommendations", everyone(200)),
    Row("alliance:recommendation", everyone(200), kwargs="rec_published"),
    Row("alliance:recommendation", rec_readers(), kwargs="rec_open", label="open for input"),
    Row(
        "alliance:recommendation",
        {**everyone(404), "staff": 200},
        kwargs="rec_draft",
        label="draft",
    ),
    # Staff answer inputs rather than give them: the reason, 422.
    Row(
        "alliance:recommendation_input",
        {**rec_readers(302), "anonymous": 302, "staff": 422, "staff_no_mfa": 422},
        "post",
        "rec_open",
        {"kind": "comment", "text": "Add remittance data."},
    ),
    Row(
        "alliance:recommendation_input",
        signed_in(422),
        "post",
        "rec_published",
        {"kind": "comment", "text": "Too late."},
        label="closed",
    ),
    Row(
        "alliance:recommendation_input_respond", staff_only(422), "post", "rec_input", label="empty"
    ),
    # Only the focal point speaks for a member state; a refusal is flashed on the page.
    Row(
        "alliance:recommendation_endorse",
        {**signed_in(404), "focal_point": 302},
        "post",
        "rec_open",
    ),
    Row(
        "alliance:recommendation_endorsement_withdraw",
        {**signed_in(404), "focal_point": 200},
        kwargs="rec_endorsement",
        label="confirmation",
    ),
    Row(
        "alliance:recommendation_endorsement_withdraw",
        {**signed_in(404), "focal_point": 302},
        "post",
        "rec_endorsement",
    ),
    # Admins of verified non-government organizations say theirs supports it.
    Row(
        "alliance:recommendation_support",
        {**signed_in(404), "leader": 302, "partner": 302, "outsider": 302},
        "post",
        "rec_open",
        {"support": "yes"},
    ),
    # Youth registration and consents (issue 10): the consent page answers GET only; the
    # public-display consent is given and withdrawn by the participant alone.
    Row("youth:consent", signed_in(405), "post", label="GET only"),
    # The world's youth participant already consents (their story is published): told so.
    Row(
        "youth:public_consent_give",
        {**signed_in(404), "youth": 302},
        "post",
        data={"public_consent": "on"},
        label="already given",
    ),
    Row(
        "youth:public_consent_give",
        {**signed_in(404), "youth": 422},
        "post",
        label="unticked",
    ),
    Row("youth:public_consent_withdraw", {**signed_in(404), "youth": 200}),
    Row(
        "youth:public_consent_withdraw",
        {**signed_in(404), "youth": 302},
        "post",
        label="withdraws",
    ),
    Row("youth:settings", staff_only()),
    Row(
        "youth:settings",
        staff_only(302),
        "post",
        data={"min_age": "16", "max_age": "30"},
        label="saves",
    ),
    Row(
        "youth:settings",
        staff_only(422),
        "post",
        data={"min_age": "30", "max_age": "20"},
        label="oldest below youngest",
    ),
    Row("youth:figures", staff_only()),
    Row("youth:figures", staff_only(405), "post", label="GET only"),
    # Youth Voices: the showcase and published stories are public; the author's pages
    # are the youth participant's own; moderation is for people acting as IOM staff.
    Row("youth:showcase", everyone(200)),
    Row("youth:story", everyone(200), kwargs="public_story"),
    Row("youth:story_photo", everyone(200), kwargs="public_story_photo"),
    Row(
        "youth:story_photo",
        {**everyone(404), "youth": 200, "staff": 200},
        kwargs="submitted_story_photo",
        label="not public yet",
    ),
    Row("youth:my_stories", {**signed_in(404), "youth": 200}),
    Row("youth:story_create", {**signed_in(404), "youth": 200}),
    Row("youth:story_create", {**signed_in(404), "youth": 422}, "post", label="empty"),
    Row("youth:my_story", {**signed_in(404), "youth": 200}, kwargs="submitted_story"),
    Row("youth:story_edit", {**signed_in(404), "youth": 200}, kwargs="submitted_story"),
    Row(
        "youth:story_edit",
        {**signed_in(404), "youth": 422},
        "post",
        "submitted_story",
        label="empty",
    ),
    # Already submitted: the refusal is flashed on the story's page it redirects to.
    Row("youth:story_submit", {**signed_in(404), "youth": 302}, "post", "submitted_story"),
    Row("youth:moderation_queue", staff_only()),
    Row("youth:story_moderate", staff_only(), kwargs="submitted_story"),
    Row("youth:story_publish", staff_only(302), "post", "submitted_story"),
    Row(
        "youth:story_request_changes",
        staff_only(302),
        "post",
        "submitted_story",
        {"comment": "Say where it happened"},
    ),
    Row(
        "youth:story_reject",
        staff_only(302),
        "post",
        "submitted_story",
        {"comment": "Not about diaspora engagement"},
    ),
    Row("youth:story_reject", staff_only(422), "post", "submitted_story", label="no comment"),
    # Recommendation reports: a ready private report and a public one.
    Row("alliance:staff_reports", staff_only()),
    Row("alliance:report_create", staff_only()),
    Row("alliance:report_create", staff_only(422), "post", label="empty"),
    Row("alliance:report", staff_only(), kwargs="report_ready"),
    Row("alliance:report_publish", staff_only(), kwargs="report_ready", label="confirmation"),
    Row("alliance:report_publish", staff_only(302), "post", "report_ready"),
    Row("alliance:report_unpublish", staff_only(), kwargs="report_public", label="confirmation"),
    Row("alliance:report_unpublish", staff_only(302), "post", "report_public"),
    Row("alliance:public_reports", everyone(200)),
    Row("alliance:report_download", {**everyone(404), "staff": 200}, kwargs="report_ready"),
    Row("alliance:report_download", everyone(200), kwargs="report_public", label="public"),
    # The public alliance directory; only an organization's admins (and acting staff)
    # choose whether it is listed there: its other people get 404 like strangers.
    Row("alliance:directory", everyone(200)),
    Row(
        "alliance:organization_listing",
        {**org_admins(), "member": 404, "delegate": 404},
        "post",
        "org",
        {"listed": "on"},
    ),
    Row(
        "alliance:organization_listing",
        {**signed_in(404), "staff": 302, "pending_admin": 302},
        "post",
        "pending",
        {"listed": "on"},
        label="pending",
    ),
    # Staff imports: the preview and the result are the uploading staff member's own.
    Row("alliance:import_upload", staff_only()),
    Row("alliance:import_upload", staff_only(422), "post", label="empty"),
    Row("alliance:import_template", staff_only(), kwargs="import_kind"),
    Row("alliance:import_preview", staff_only(), kwargs="import_preview"),
    Row("alliance:import_confirm", staff_only(302), "post", "import_to_confirm"),
    Row("alliance:import_result", staff_only(), kwargs="import_run"),
    # django-allauth: visitors see the entrance pages, signed-in people are sent on.
    Row("account_login", signed_in(302, anonymous=200)),
    Row("account_signup", signed_in(302, anonymous=200)),
    Row("account_logout", signed_in(200)),
    Row("account_inactive", everyone(200)),
    Row("account_email_verification_sent", everyone(200)),
    Row("account_reset_password", everyone(200)),
    Row("account_reset_password_done", everyone(200)),
    Row("account_reset_password_from_key_done", everyone(200)),
    Row("account_email", signed_in()),
    Row("account_change_password", signed_in()),
    Row("account_set_password", signed_in(302)),
    Row("account_reauthenticate", signed_in()),
    Row("mfa_index", signed_in()),
    # Changing the second factor first asks for the password again (reauthentication).
    Row("mfa_activate_totp", signed_in(302)),
    Row("mfa_deactivate_totp", {**signed_in(404), "staff": 302}),
    Row("mfa_view_recovery_codes", {**signed_in(404), "staff": 302}),
    # allauth.usersessions: everyone signed in sees their own sessions, nobody else's.
    Row("usersessions_list", signed_in()),
    Row("admin:index", signed_in(302)),
    # The results dashboard and the donor progress reports: acting staff only.
    Row("results:dashboard", staff_only()),
    Row(
        "results:dashboard",
        staff_only(422),
        data={"period_start": "2025-06-30", "period_end": "2025-01-01"},
        label="bad period",
    ),
    Row("results:reports", staff_only()),
    Row(
        "results:reports",
        staff_only(302),
        "post",
        data={"period_start": "2025-01-01", "period_end": "2025-06-30", "language": "en"},
    ),
    Row("results:reports", staff_only(422), "post", label="empty"),
    Row("results:report", staff_only(), kwargs="donor_report"),
    Row("results:report_download", staff_only(), kwargs="donor_report"),
    # Exports: staff only; a job is its requester's (staff asked for both jobs of the world).
    Row("exports:index", staff_only()),
    # Retention: the rules and the log of what went; staff only.
    Row("retention:log", staff_only()),
    Row("exports:start", staff_only(), data={"dataset": "training-enrollments"}),
    Row(
        "exports:start",
        {**staff_only(404), "staff_no_mfa": 302},
        data={"dataset": "no-such-dataset"},
        label="unknown dataset",
    ),
    Row("exports:job", staff_only(), kwargs="export_job"),
    Row("exports:download", staff_only(), kwargs="export_job"),
    Row("exports:download", staff_only(410), kwargs="export_expired", label="expired"),
    # Personal data rights: a person's own data only (no URL names another person);
    # asking for erasure needs a fresh password (allauth's reauthentication) first.
    Row("privacy:summary", signed_in()),
    Row("privacy:download", signed_in()),
    Row("privacy:erase_request", signed_in()),
    Row("privacy:erase_request", everyone(302), "post", data={"confirm": "on"}, label="post"),
    Row("privacy:staff_requests", staff_only()),
    Row("privacy:staff_erase", staff_only(), kwargs="erasure_request"),
    Row("privacy:staff_erase", staff_only(404), kwargs="missing", label="missing"),
    Row("privacy:staff_erase", staff_only(422), "post", kwargs="erasure_request", label="empty"),
    Row(
        "privacy:staff_erase",
        staff_only(302),
        "post",
        kwargs="erasure_request",
        data={"confirm": "on"},
        label="confirmed",
    ),
    Row("privacy:staff_refuse", staff_only(422), "post", kwargs="erasure_request"),
    Row(
        "privacy:staff_refuse",
        staff_only(302),
        "post",
        kwargs="erasure_request",
        data={"reason": "Records are needed for an audit."},
        label="with reason",
    ),
]

#: URL names that need a live flow state (a key from an e-mail, a pending login) and are
#: covered by the flow tests in tests/gdpa/test_accounts.py and tests/e2e/.
FLOW_ONLY = {
    "account_confirm_email": "tests/gdpa/test_accounts.py::test_sign_up_confirm_email_then_land_on_the_dashboard",
    "account_reset_password_from_key": "allauth key from the reset e-mail",
    "account_confirm_login_code": "login-by-code is not enabled",
    "account_request_reauthentication_code": "login-by-code is not enabled",
    "account_confirm_reauthentication_code": "login-by-code is not enabled",
    "mfa_authenticate": "tests/gdpa/test_accounts.py::test_staff_sign_in_asks_for_the_two_factor_code",
    "mfa_reauthenticate": "needs a recent two-factor sign-in",
    "mfa_generate_recovery_codes": "needs a recent two-factor sign-in",
    "mfa_download_recovery_codes": "needs a recent two-factor sign-in",
}


def all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(resolver, namespace=None):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver())
    return names


def test_every_url_has_a_row():
    covered = {row.name for row in ROWS} | set(FLOW_ONLY)
    missing = {
        n for n in all_url_names() - covered if not (n.startswith("admin:") and n != "admin:index")
    }
    assert not missing, f"add rows to the permission matrix for: {sorted(missing)}"


def _build_world() -> dict:
    staff = factories.make_staff()
    staff_no_mfa = factories.make_staff(with_mfa=False)
    leader = factories.make_user(full_name="Diaspora Leader")
    diaspora_org = factories.make_organization(
        admin=leader, name="Fiji Diaspora Network", verified_by=staff
    )
    member = factories.add_member(staff=staff, organization=diaspora_org)
    delegate = factories.add_member(staff=staff, organization=diaspora_org)
    delegate_membership = Membership.objects.get(user=delegate, organization=diaspora_org)
    services.membership_set_member_management(
        actor=leader, membership=delegate_membership, allowed=True
    )
    government = factories.make_government(staff=staff, country="FJ")
    focal_point = factories.add_member(
        staff=staff, organization=government, role=Membership.Role.FOCAL_POINT
    )
    partner = factories.make_user(full_name="Partner Person")
    factories.make_organization(
        admin=partner, kind=Organization.Kind.ACADEMIA, name="Diaspora Institute", verified_by=staff
    )
    outsider = factories.make_user(full_name="Other Admin")
    factories.make_organization(
        admin=outsider, name="Peruvian Network Spain", country="ES", verified_by=staff
    )
    youth_user = factories.make_user(full_name="Young Person")
    from youth.services import youth_profile_create

    youth_profile_create(
        user=youth_user, date_of_birth=date(2003, 6, 1), heritage_countries=["PE"], consent=True
    )
    invitation = services.invitation_create(
        actor=leader, organization=diaspora_org, email="invited@example.org", role="member"
    )
    pending_admin = factories.make_user(full_name="Pending Founder")
    pending = factories.make_organization(admin=pending_admin, name="Pending Collective")
    start = timezone.now() + datetime.timedelta(days=10)
    session = services.session_create(
        actor=staff,
        title="Health and Well-being working group",
        kind=AllianceSession.Kind.WORKING_GROUP,
        time_zone="Pacific/Fiji",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        format=AllianceSession.Format.HYBRID,
        join_url="https://meet.example.org/gdpa-health",
        venue="IOM Suva office",
        status=AllianceSession.Status.SCHEDULED,
    )
    services.session_invite(actor=staff, session=session, emails=[focal_point.email, member.email])
    document = services.document_add(
        actor=staff,
        session=session,
        title="Agenda",
        upload=SimpleUploadedFile("agenda.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"),
    )
    programme = training_services.programme_create(
        actor=staff,
        title="Engaging your diaspora",
        summary="How governments work with their diasporas.",
        learning_objectives="Map the diaspora.",
        audience=TrainingProgramme.Audience.GOVERNMENT,
        mode=TrainingProgramme.Mode.ONLINE,
        published=True,
    )
    offering = training_services.offering_create(
        actor=staff,
        programme=programme,
        title="Spring cohort",
        starts_on=(start + datetime.timedelta(days=20)).date(),
        ends_on=(start + datetime.timedelta(days=24)).date(),
        time_zone="Pacific/Fiji",
        join_url="https://meet.example.org/training",
        capacity=20,
        enrollment_opens_at=timezone.now() - datetime.timedelta(days=1),
        enrollment_closes_at=start,
        status=Offering.Status.OPEN,
    )
    training_services.enrollment_create(user=focal_point, offering=offering)
    focal_invitation = Participant.objects.get(session=session, email=focal_point.email.lower())
    official = factories.add_member(staff=staff, organization=government)
    nomination = training_services.nomination_create(
        nominator=focal_point, offering=offering, organization=government, person_pk=official.pk
    )
    diaspora_offering = training_services.offering_create(
        actor=staff,
        programme=training_services.programme_create(
            actor=staff,
            title="Diaspora investment",
            summary="Investing in the country of origin.",
            learning_objectives="Plan an investment.",
            audience=TrainingProgramme.Audience.DIASPORA,
            mode=TrainingProgramme.Mode.ONLINE,
            published=True,
        ),
        title="Autumn cohort",
        starts_on=(start + datetime.timedelta(days=20)).date(),
        ends_on=(start + datetime.timedelta(days=24)).date(),
        join_url="https://meet.example.org/investment",
        capacity=20,
        enrollment_opens_at=timezone.now() - datetime.timedelta(days=1),
        enrollment_closes_at=start,
        needs_approval=True,
        status=Offering.Status.OPEN,
    )
    pending_enrollment = training_services.enrollment_create(
        user=member, offering=diaspora_offering
    )
    meeting_start = datetime.datetime.combine(
        offering.starts_on, datetime.time(9), tzinfo=ZoneInfo(offering.time_zone)
    )
    meeting = training_meetings.meeting_create(
        actor=staff,
        offering=offering,
        title="Opening",
        starts_at=meeting_start,
        ends_at=meeting_start + datetime.timedelta(hours=2),
    )
    started_offering = training_services.offering_create(
        actor=staff,
        programme=programme,
        title="Started cohort",
        starts_on=(timezone.now() - datetime.timedelta(days=2)).date(),
        ends_on=(timezone.now() + datetime.timedelta(days=2)).date(),
        time_zone="UTC",
        join_url="https://meet.example.org/started",
        capacity=20,
        enrollment_opens_at=timezone.now() - datetime.timedelta(days=5),
        enrollment_closes_at=timezone.now() + datetime.timedelta(days=1),
        status=Offering.Status.OPEN,
    )
    training_services.enrollment_create(user=focal_point, offering=started_offering)
    Enrollment.objects.filter(offering=offering).update(completed_at=timezone.now())
    certificates_issue(actor=staff, offering=offering)
    certificate = Certificate.objects.get(enrollment__user=focal_point)
    certificate_build_pdf(certificate_id=certificate.pk)
    revoked = certificate_revoke(
        actor=staff,
        certificate=Certificate.objects.get(enrollment__user=official),
        reason="Issued in error",
    )
    track = recommendation_services.track_create(
        actor=staff, sector=Sector.objects.get(slug="health"), title="Health and Well-being"
    )
    draft_recommendation = recommendation_services.recommendation_create(
        actor=staff,
        track=track,
        original_language="en",
        title_en="Portable health insurance",
        text_en="<p>Keep cover when moving.</p>",
    )
    open_recommendation = recommendation_services.recommendation_create(
        actor=staff,
        track=track,
        original_language="fr",
        title_fr="Transferts moins chers",
        text_fr="<p>Réduire le coût des transferts.</p>",
    )
    recommendation_services.recommendation_transition(
        actor=staff,
        recommendation=open_recommendation,
        status=Recommendation.Status.OPEN,
        input_closes_at=timezone.now() + datetime.timedelta(days=14),
    )
    rec_track = recommendation_services.track_create(
        actor=staff, sector=Sector.objects.get(slug="climate"), title="Climate Action"
    )

    def rec_make(title, statuses):
        made = recommendation_services.recommendation_create(
            actor=staff, track=rec_track, title_en=title, text_en="<p>Text</p>"
        )
        for status in statuses:
            made = recommendation_services.recommendation_transition(
                actor=staff,
                recommendation=made,
                status=status,
                input_closes_at=timezone.now() + datetime.timedelta(days=7),
            )
        return made

    rec_published = rec_make("Green skills", ["open", "review", "endorsed", "published"])
    rec_open = rec_make("Climate bonds", ["open"])
    rec_draft = rec_make("Remittance fees", [])
    rec_input = rec_inputs.input_create(
        author=member, recommendation=rec_open, kind="comment", text="Add remittances."
    )
    rec_endorsement = rec_endorsements.endorse(
        actor=focal_point, recommendation=rec_open, member_state=government.member_state
    )
    from tests.youth.story_support import give_public_consent, image_bytes, upload
    from youth import stories

    give_public_consent(youth_user)
    story_fields = {
        "summary": "How we opened a health desk.",
        "text": "Our story.",
        "language": "en",
        "sector": Sector.objects.get(slug="health"),
        "country": "PE",
        "photo_alt": "A health desk",
    }
    public_story = stories.story_create(
        author=youth_user, title="Our clinic", photo=upload(image_bytes((60, 40))), **story_fields
    )
    stories.story_submit(author=youth_user, story=public_story)
    stories.story_publish(actor=staff, story=public_story)
    submitted_story = stories.story_create(
        author=youth_user, title="Our river", photo=upload(image_bytes((60, 40))), **story_fields
    )
    stories.story_submit(author=youth_user, story=submitted_story)
    report_ready = report_services.report_request(
        actor=staff, title="Alliance recommendations", language="en"
    )
    report_services.report_build(report_id=report_ready.pk)
    report_public = report_services.report_request(
        actor=staff, title="Alliance recommendations", language="en"
    )
    report_services.report_build(report_id=report_public.pk)
    report_services.report_publish(actor=staff, report=report_public)
    from gdpa.results import services as results_services

    donor_report = results_services.donor_report_request(
        actor=staff, period_start=date(2025, 1, 1), period_end=date(2025, 6, 30), language="en"
    )
    results_services.donor_report_build(report_id=donor_report.pk)
    from django.http import QueryDict

    from gdpa.exports import services as export_services
    from gdpa.exports.models import ExportJob
    from gdpa.exports.registry import dataset as export_dataset

    export_jobs = []
    for _ in range(2):
        export_job = export_services.export_job_request(
            actor=staff,
            ds=export_dataset("training-enrollments"),
            fmt="csv",
            filters=QueryDict(""),
            personal=False,
            rows_total=3,
        )
        export_services.export_job_run(job_id=export_job.pk)
        export_jobs.append(export_job)
    ExportJob.objects.filter(pk=export_jobs[1].pk).update(
        expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    from alliance.services import imports as import_services

    def import_preview(name):
        return import_services.import_preview_create(
            actor=staff,
            kind="organizations",
            upload=SimpleUploadedFile(
                "orgs.csv",
                f"name,kind,country,contact_email\n{name},diaspora,IE,a@example.org\n".encode(),
            ),
        )

    import_preview_shown = import_preview("Matrix Shown")
    import_preview_confirmed = import_preview("Matrix Confirmed")
    import_services.import_confirm(actor=staff, preview=import_preview_confirmed)
    # A person who asked for erasure (staff act on the request in the rows above).
    erasure_request = erasure_request_create(user=factories.make_user(full_name="Wants Erasure"))
    return {
        "users": {
            "no_org": factories.make_user(full_name="Just Signed Up"),
            "staff": staff,
            "staff_no_mfa": staff_no_mfa,
            "leader": leader,
            "member": member,
            "delegate": delegate,
            "pending_admin": pending_admin,
            "focal_point": focal_point,
            "partner": partner,
            "youth": youth_user,
            "outsider": outsider,
        },
        "org": {"pk": diaspora_org.pk},
        "membership": {
            "pk": diaspora_org.pk,
            "membership_pk": Membership.objects.get(user=member, organization=diaspora_org).pk,
        },
        "delegate_membership": {"pk": diaspora_org.pk, "membership_pk": delegate_membership.pk},
        "leader_membership": {
            "pk": diaspora_org.pk,
            "membership_pk": Membership.objects.get(user=leader, organization=diaspora_org).pk,
        },
        "invitation": {"pk": diaspora_org.pk, "invitation_pk": invitation.pk},
        "token": {"token": services.invitation_token(invitation)},
        "pending": {"pk": pending.pk},
        "org_pk": diaspora_org.pk,
        "session": {"pk": session.pk},
        "document": {"pk": session.pk, "document_pk": document.pk},
        "rsvp_token": {"token": services.rsvp_link_token(focal_invitation, "accepted")},
        "feed": {"token": services.calendar_feed_get(user=focal_point).token},
        "programme": {"pk": programme.pk},
        "offering": {"pk": offering.pk},
        "email": {"pk": OutboundEmail.objects.order_by("pk").first().pk},
        "diaspora_offering": {"pk": diaspora_offering.pk},
        "nomination": {"pk": offering.pk, "enrollment_pk": nomination.pk},
        "pending_enrollment": {"pk": pending_enrollment.pk},
        "meeting": {"pk": meeting.pk},
        "started_offering": {"pk": started_offering.pk},
        "certificate": {"pk": certificate.pk},
        "certificate_code": {"code": certificate.code},
        "revoked_code": {"code": revoked.code},
        "unknown_code": {"code": "Z" * 20},
        "track": {"pk": track.pk},
        "draft_recommendation": {"pk": draft_recommendation.pk},
        "open_recommendation": {"pk": open_recommendation.pk},
        "draft_to_open": {"pk": draft_recommendation.pk, "status": "open"},
        "draft_to_withdrawn": {"pk": draft_recommendation.pk, "status": "withdrawn"},
        "draft_version": {
            "pk": draft_recommendation.pk,
            "version_pk": draft_recommendation.history.get().history_id,
        },
        "open_version": {
            "pk": open_recommendation.pk,
            "version_pk": open_recommendation.history.latest("history_date").history_id,
        },
        "rec_published": {"pk": rec_published.pk},
        "rec_open": {"pk": rec_open.pk},
        "rec_draft": {"pk": rec_draft.pk},
        "rec_input": {"pk": rec_open.pk, "input_pk": rec_input.pk},
        "rec_endorsement": {"pk": rec_open.pk, "endorsement_pk": rec_endorsement.pk},
        "public_story": {"pk": public_story.pk},
        "public_story_photo": {"pk": public_story.pk, "size": "large"},
        "submitted_story": {"pk": submitted_story.pk},
        "submitted_story_photo": {"pk": submitted_story.pk, "size": "small"},
        "report_ready": {"pk": report_ready.pk},
        "report_public": {"pk": report_public.pk},
        "donor_report": {"pk": donor_report.pk},
        "webhook": {"provider": "postmark"},
        "person": {"pk": member.pk},
        "missing": {"pk": 10**9},
        "export_job": {"pk": export_jobs[0].pk},
        "export_expired": {"pk": export_jobs[1].pk},
        "import_kind": {"kind": "organizations"},
        "import_preview": {"token": import_preview_shown.token},
        "import_to_confirm": {"token": import_preview("Matrix To Confirm").token},
        "import_run": {"token": import_preview_confirmed.token},
        "erasure_request": {"pk": erasure_request.pk},
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at the end;
    each test runs in a savepoint of it, so a POST changes nothing for the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_permission_matrix(client, world, row: Row, role: str):
    if role != "anonymous":
        client.force_login(world["users"][role])
    url = reverse(row.name, kwargs=world[row.kwargs] if row.kwargs else None)
    data = {k: (str(world["org_pk"]) if v == "{org}" else v) for k, v in row.data.items()}
    response = getattr(client, row.method)(url, data)
    assert response.status_code == row.expected[role], (
        f"{row.method.upper()} {url} as {role}: {response.status_code}, expected {row.expected[role]}"
    )


@pytest.mark.django_db
def test_a_tampered_organization_id_in_a_post_changes_nothing(client, world):
    """An admin of one organization posts another organization's member id: 404, no change."""
    outsider = world["users"]["outsider"]
    client.force_login(outsider)
    own = Organization.objects.get(memberships__user=outsider)
    target = world["membership"]["membership_pk"]
    response = client.post(
        reverse("alliance:membership_role", kwargs={"pk": own.pk, "membership_pk": target}),
        {"role": "admin"},
    )
    assert response.status_code == 404
    assert Membership.objects.get(pk=target).role == Membership.Role.MEMBER
