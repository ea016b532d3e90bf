"""The trainings' personal data, registered with gdpa.privacy (see its registry).

Enrollments, attendance and certificates stay (completion and attendance figures and
the certificate register depend on them), pointing to the anonymized account; the name
printed on a certificate becomes "Erased person #<id>" and its PDF is deleted (it would
be rebuilt with the new name); feedback scores stay, the comment is replaced;
reminders go.
"""

from django.db.models import Case, Value, When

from gdpa.privacy.registry import (
    REMOVED_TEXT,
    erased_label,
    model_handler,
    register_personal_data,
)


def register() -> None:
    register_personal_data(
        model_handler(
            "trainings.Enrollment",
            owner="user",
            fields=("user", "nominated_by", "decided_by", "decision_reason"),
            export_fields=(
                "offering__title",
                "offering__programme__title",
                "status",
                "created_at",
                "decided_at",
                "decision_reason",
                "completed_at",
            ),
            # A staff member's reason about the person is about the person.
            replace={"decision_reason": ""},
            order=60,
        )
    )
    register_personal_data(
        model_handler(
            "trainings.MeetingAttendance",
            owner="enrollment__user",
            fields=("recorded_by",),
            export_fields=("meeting__title", "meeting__starts_at", "method", "recorded_at"),
            order=61,
        )
    )
    register_personal_data(
        model_handler(
            "trainings.TrainingFeedback",
            owner="enrollment__user",
            fields=("comment",),
            export_fields=(
                "enrollment__offering__title",
                "overall",
                "content",
                "facilitation",
                "relevance",
                "comment",
                "created_at",
            ),
            replace={
                "comment": Case(When(comment="", then=Value("")), default=Value(REMOVED_TEXT))
            },
            order=62,
        )
    )
    register_personal_data(
        model_handler(
            "trainings.Certificate",
            owner="enrollment__user",
            fields=("learner_name", "pdf", "issued_by", "revoked_by", "revocation_reason"),
            export_fields=(
                "code",
                "learner_name",
                "programme_title",
                "offering_title",
                "issued_at",
                "hours",
                "revoked_at",
            ),
            replace=lambda user: {
                "learner_name": erased_label(user),
                "pdf_built_at": None,
                "revocation_reason": "",
            },
            files=("pdf",),
            order=63,
        )
    )
    register_personal_data(
        model_handler(
            "trainings.TrainingReminder",
            owner="user",
            fields=("user",),
            export_fields=("kind", "offering__title", "sent_at"),
            delete=True,
            order=64,
        )
    )
