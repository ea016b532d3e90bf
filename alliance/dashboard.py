"""The alliance's sections of the signed-in dashboard.

A context may return ``{"hidden": True}``: the dashboard then leaves the panel out (a
panel is shown only for what the person can do).
"""

from gdpa.accounts import roles
from gdpa.accounts.permissions import acting_as_staff

from . import recommendation_selectors, selectors
from .permissions import current_membership, memberships_of, takes_part_in_alliance


def staff_context(request) -> dict:
    """The staff to-do list: organizations awaiting verification (two queries)."""
    if not acting_as_staff(request.user):
        return {"acting": False}
    return {"acting": True, "awaiting": selectors.organizations_awaiting()}


def staff_week_context(request) -> dict:
    """Sessions this week with their answer counts, for people acting as staff (one query)."""
    if not acting_as_staff(request.user):
        return {"hidden": True}
    return {"sessions": selectors.sessions_this_week()}


def organizations_context(request) -> dict:
    memberships = memberships_of(request.user)
    return {
        "memberships": memberships,
        "current_membership": current_membership(request),
        # Registering an organization is offered to people without one: focal points
        # and staff already belong to theirs.
        "offer_register": not memberships and not acting_as_staff(request.user),
    }


def home_facts() -> dict:
    """The public home page: member states, working groups and the diaspora capitals."""
    return {
        "member_states": list(selectors.member_states_public()),
        "sectors": list(selectors.sectors()),
        "capitals": list(selectors.capitals()),
    }


def sessions_context(request) -> dict:
    """The person's next sessions with their answer controls, those waiting for an answer
    first (one query). Staff are rarely invitees: an empty list is not shown to them."""
    invitations = selectors.dashboard_invitations_of(request.user)
    if not invitations and acting_as_staff(request.user):
        return {"hidden": True}
    return {"invitations": invitations}


def recommendations_context(request) -> dict:
    """Recommendations open for input, closing soonest first, for the people who may give
    it: members of verified organizations and youth participants (one query). Staff answer
    inputs rather than give them, so the panel is not theirs."""
    user = request.user
    if not takes_part_in_alliance(user) or roles.has_role(user, roles.IOM_STAFF):
        return {"hidden": True}
    return {"open_recommendations": recommendation_selectors.open_for_input(user)}
