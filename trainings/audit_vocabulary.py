"""What the trainings app's audit entries mean in words (see gdpa/audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from alliance.models import Organization
from gdpa.accounts import roles
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
    register_values(
        "notify.outboundemail",
        "kind",
        [
            ("training_nominated", _("Nominated for a training")),
            ("training_nomination_withdrawn", _("Training nomination withdrawn")),
            ("training_approved", _("Training enrollment approved")),
            ("training_declined", _("Training enrollment declined")),
            ("training_promoted", _("Promoted from a training's waiting list")),
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
