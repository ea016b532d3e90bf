"""Exports a person asked for (staff only). The job rows and their files hold other
people's data, not the requester's: they stay, pointing to the anonymized account, and
expire on their own schedule."""

from gdpa.privacy.registry import PersonalData, register_personal_data

from .models import ExportJob


def _export(user) -> list[dict]:
    return [
        {"dataset": j.dataset, "format": j.format, "created_at": j.created_at.isoformat()}
        for j in ExportJob.objects.filter(requested_by=user)
        .order_by("pk")
        .only("dataset", "format", "created_at")
    ]


def register() -> None:
    register_personal_data(
        PersonalData("exports.ExportJob", ("requested_by",), _export, lambda user: 0, order=40)
    )
