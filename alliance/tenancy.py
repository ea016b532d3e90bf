"""Tenant isolation's safety net, under the permission rules (docs/security.md).

An organization is a tenant. Its private rows (who belongs to it: ``Membership``; the
addresses invited to it: ``Invitation``) are read through django-scopes'
``ScopedManager``: a query on them outside a declared scope raises ``ScopeError``
instead of returning every tenant's rows, and inside a scope it holds only the scope's
organizations, whatever filter a view forgot.

Who declares the scope:

* a web request: ``TenantScopeMiddleware``, from who is asking (``tenant_scope``);
* the technical admin site: ``gdpa.admin_site`` (its own two-factor rule);
* tasks, management commands and services doing system work over every tenant: an
  explicit, commented ``scopes_disabled()`` where that work is done;
* a page that shows a fact about other organizations' people to non-staff (how many
  members, who endorsed): a narrow ``scopes_disabled()`` in the selector that returns
  that fact, and nothing else.
"""

from django_scopes import scope, scopes_disabled

from gdpa.accounts.permissions import acting_as_staff

from .permissions import memberships_of


def organization_ids(user) -> list[int]:
    """The organizations the person belongs to (none when signed out); read from the
    memberships the permission rules already loaded for this request, so no query more."""
    return [m.organization_id for m in memberships_of(user)]


def tenant_scope(user):
    """The scope of what ``user`` asks for: every tenant for someone acting as IOM staff
    (the one authority rule, two-factor included), otherwise their own organizations."""
    if acting_as_staff(user):
        return scopes_disabled()
    return scope(organization=organization_ids(user))


class TenantScopeMiddleware:
    """Run every request inside the scope of the person asking (after authentication and
    ``SecondFactorMiddleware``, which ``acting_as_staff`` relies on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with tenant_scope(request.user):
            return self.get_response(request)
