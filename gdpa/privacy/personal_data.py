"""The privacy app's own personal data: the person's erasure requests."""

from .registry import PersonalData, register_personal_data


def _export(user) -> list[dict]:
    from .models import ErasureRequest

    return [
        {
            "requested_at": r.requested_at.isoformat(),
            "status": r.status,
            "decided_at": r.decided_at.isoformat() if r.decided_at else None,
            "refusal_reason": r.refusal_reason,
        }
        for r in ErasureRequest.objects.filter(user=user).order_by("pk")
    ]


def _anonymize(user) -> int:
    # The request row stays, pointing to the anonymized account: it is the record that
    # the person asked and was answered. It holds nothing else about them.
    return 0


def register() -> None:
    register_personal_data(
        PersonalData(
            "privacy.ErasureRequest",
            ("user", "decided_by"),
            _export,
            _anonymize,
            owners=("user",),
        )
    )
