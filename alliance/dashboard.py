"""The alliance's sections of the signed-in dashboard."""

from . import selectors
from .permissions import current_membership, memberships_of


def staff_context(request) -> dict:
    return {"overview": selectors.staff_overview()}


def organizations_context(request) -> dict:
    return {
        "memberships": memberships_of(request.user),
        "current_membership": current_membership(request),
    }


def home_facts() -> dict:
    """The public home page: member states, working groups and the diaspora capitals."""
    return {
        "member_states": list(selectors.member_states_public()),
        "sectors": list(selectors.sectors()),
        "capitals": list(selectors.capitals()),
    }


def sessions_context(request) -> dict:
    return {"invitations": list(selectors.invitations_of(request.user)[:5])}
