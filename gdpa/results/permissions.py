"""Who may see the results: acting IOM staff only (``acting_as_staff``, the one
predicate). A donor report is found through ``access_donor_report``: 404 for anyone else."""

from gdpa.accounts.permissions import acting_as_staff
from gdpa.http.errors import AccessRefused

from .models import DonorReport


def can_see_results(user) -> bool:
    return acting_as_staff(user)


def access_donor_report(user, pk) -> DonorReport:
    """Any donor report, for acting staff; 404 for everyone else."""
    if not can_see_results(user):
        raise AccessRefused
    report = DonorReport.objects.filter(pk=pk).first()
    if report is None:
        raise AccessRefused
    return report


def access_donor_report_pdf(user, pk) -> DonorReport:
    """A ready report's PDF, for acting staff; 404 otherwise (also while it is built)."""
    report = access_donor_report(user, pk)
    if report.status != DonorReport.Status.READY or not report.pdf:
        raise AccessRefused
    return report
