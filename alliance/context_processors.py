from .permissions import current_membership, memberships_of


def organizations(request) -> dict:
    """The person's organizations for the header switcher."""
    if not request.user.is_authenticated:
        return {}
    return {
        "my_memberships": memberships_of(request.user),
        "current_membership": current_membership(request),
    }
