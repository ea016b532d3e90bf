"""Who may see what. A person's data pages show only the signed-in person's own data
(no URL names another person). Erasure requests are for people acting as IOM staff."""

from gdpa.accounts.permissions import acting_as_staff
from gdpa.http.errors import AccessRefused

from .models import ErasureRequest


def access_erasure_request(user, pk: int) -> ErasureRequest:
    """An erasure request, for staff; anyone else gets 404."""
    if not acting_as_staff(user):
        raise AccessRefused
    request = ErasureRequest.objects.select_related("user", "decided_by").filter(pk=pk).first()
    if request is None:
        raise AccessRefused
    return request
