"""What the trainings app's audit entries mean in words (see gdpa/audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from alliance.models import Organization
from gdpa.accounts import roles
from gdpa.audit import formatters
from gdpa.audit.formatters import choices, countries
from gdpa.audit.registry import register_action, register_field, register_values

from .models import Enrollment


def register_audit_vocabulary() -> None:
    register_action("training_programme.create", _("Training programme created"))
    register_action("training_programme.update", _("Training programme updated"))
    register_action("offering.create", _("Training offering created"))
    register_action("offering.update", _("Training offering updated"))
    register_action("offering.transition", _("Training offering status changed"))
    register_action("enrollment.create", _("Enrolled in a training"))
    register_action("enrollment.withdraw", _("Withdrew from a training"))
    register_action("enrollment.promote", _("Promoted from a training's waiting list"))
    register_action("enrollment.nominate", _("Nominated someone for a training"))
    register_action("enrollment.approve", _("Training enrollment approved"))
    register_action("enrollment.decline", _("Training enrollment declined"))
    register_action("meeting.create", _("Training meeting added"))
    register_action("meeting.update", _("Training meeting changed"))
    register_action("meeting.delete", _("Training meeting deleted"))
    register_action("meeting.attendance", _("Training attendance recorded"))
    register_action("meeting.checkin_open", _("Training check-in opened"))
    register_action("meeting.checkin_close", _("Training check-in closed"))
    register_action("meeting.checkin", _("Checked in to a training meeting"))
    register_action("enrollment.completion", _("Training completion changed"))
    register_action("training_reminder.request", _("Asked for a reminder before enrollment closes"))
    register_action(
        "training_reminder.cancel", _("Cancelled the reminder before enrollment closes")
    )
    register_field("meeting", "starts_at", _("start"), formatters.datetime)
    register_field("meeting", "ends_at", _("end"), formatters.datetime)
    register_field("meeting", "sequence", _("schedule version"))
    register_field("enrollment.completion", "completed_at", _("completed"), formatters.datetime)
    register_values(
        "notify.outboundemail",
        "kind",
        [
            ("training_nominated", _("Nominated for a training")),
            ("training_nomination_withdrawn", _("Training nomination withdrawn")),
            ("training_approved", _("Training enrollment approved")),
            ("training_declined", _("Training enrollment declined")),
            ("training_promoted", _("Promoted from a training's waiting list")),
            ("training_meeting_24h", _("Training meeting reminder, a day before")),
            ("training_meeting_1h", _("Training meeting reminder, an hour before")),
            ("training_window_closing", _("Training enrollment closing soon")),
        ],
    )
    register_field(
        "trainings.enrollment", "status", _("status"), choices(Enrollment.Status.choices)
    )
    register_field("trainings.enrollment", "decision_reason", _("reason"))
    register_field(
        "trainings.offering",
        "eligible_roles",
        _("roles that may enroll"),
        choices(list(roles.LABELS.items())),
    )
    register_field(
        "trainings.offering",
        "eligible_org_kinds",
        _("organization kinds that may enroll"),
        choices(Organization.Kind.choices),
    )
    register_field("trainings.offering", "completion_threshold", _("attendance needed (%)"))
    register_field("trainings.offering", "countries", _("countries"), countries)
    register_action("training_feedback.create", _("Training feedback given"))
    register_action("training_feedback.update", _("Training feedback changed"))
    register_action("certificate.issue", _("Training certificate issued"))
    register_action("certificate.revoke", _("Training certificate revoked"))
    register_action("certificate.pdf_build", _("Training certificate PDF built"))
    register_values(
        "notify.outboundemail", "kind", [("certificate_ready", _("Training certificate ready"))]
    )
