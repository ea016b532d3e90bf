"""The staff page of an organization: everything the portal holds about it."""

from gdpa.accounts.permissions import staff_required
from gdpa.portal.htmx import is_partial_request, render_region
from gdpa.portal.records import audit_page

from .. import permissions, record_selectors

__all__ = ["staff_organization"]


@staff_required
def staff_organization(request, pk: int):
    """Profile, status history, members, open invitations, sessions, endorsements, the
    sections other apps registered, then the audit trail (its pages swap with htmx)."""
    organization = permissions.access_organization_record(request.user, pk)
    page, rows = audit_page(
        record_selectors.organization_audit_condition(organization), request.GET.get("page")
    )
    context = {"organization": organization, "audit_page": page, "audit_rows": rows}
    if not is_partial_request(request):
        context |= record_selectors.organization_record(organization)
    return render_region(request, "alliance/staff/organization_record.html", "audit", context)
