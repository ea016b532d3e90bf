"""Who may export what. Exporting is for people acting as IOM staff; personal columns
only for those of them who also hold ``exports.export_personal_data``. A built export
belongs to the staff member who asked for it: anyone else gets a 404."""

from gdpa.accounts.permissions import acting_as_staff
from gdpa.http.errors import AccessRefused

from .models import ExportJob
from .registry import ExportDataset, dataset

PERSONAL_PERMISSION = "exports.export_personal_data"


def can_export(user) -> bool:
    return acting_as_staff(user)


def can_export_personal(user) -> bool:
    return acting_as_staff(user) and user.has_perm(PERSONAL_PERMISSION)


def access_dataset(user, key: str) -> ExportDataset:
    found = dataset(key or "")
    if found is None or not can_export(user):
        raise AccessRefused
    return found


def access_job(user, pk: int) -> ExportJob:
    """The person's own export job, whatever its state (the progress page)."""
    if not can_export(user):
        raise AccessRefused
    job = ExportJob.objects.filter(pk=pk, requested_by=user).first()
    if job is None:
        raise AccessRefused
    return job
