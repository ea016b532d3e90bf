"""Donor reports a person asked for (staff only): the reports hold figures, not the
requester's data; they stay, pointing to the anonymized account."""

from gdpa.privacy.registry import PersonalData, register_personal_data

from .models import DonorReport


def _export(user) -> list[dict]:
    return [
        {"period_start": str(r.period_start), "period_end": str(r.period_end)}
        for r in DonorReport.objects.filter(requested_by=user)
        .order_by("pk")
        .only("period_start", "period_end")
    ]


def register() -> None:
    register_personal_data(
        PersonalData("results.DonorReport", ("requested_by",), _export, lambda user: 0, order=41)
    )
