from django.db.models import QuerySet

from .models import ErasureRequest


def erasure_requests(*, status: str = "") -> QuerySet[ErasureRequest]:
    """Erasure requests for staff, open ones first, newest first."""
    rows = ErasureRequest.objects.select_related("user", "decided_by")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-status", "-requested_at", "-pk")


def open_erasure_request(user) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(user=user, status=ErasureRequest.Status.REQUESTED).first()


def latest_erasure_request(user) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(user=user).order_by("-pk").first()
