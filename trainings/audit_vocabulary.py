"""What the trainings app's audit entries mean in words (see gdpa/audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from gdpa.audit.registry import register_action, register_values


def register_audit_vocabulary() -> None:
    register_action("training_programme.create", _("Training programme created"))
    register_action("training_programme.update", _("Training programme updated"))
    register_action("offering.create", _("Training offering created"))
    register_action("offering.update", _("Training offering updated"))
    register_action("offering.transition", _("Training offering status changed"))
    register_action("enrollment.create", _("Enrolled in a training"))
    register_action("enrollment.withdraw", _("Withdrew from a training"))
    register_action("enrollment.promote", _("Promoted from a training's waiting list"))
    register_action("certificate.issue", _("Training certificate issued"))
    register_action("certificate.revoke", _("Training certificate revoked"))
    register_action("certificate.pdf_build", _("Training certificate PDF built"))
    register_values(
        "notify.outboundemail", "kind", [("certificate_ready", _("Training certificate ready"))]
    )
