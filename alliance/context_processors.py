from .permissions import current_membership, memberships_of


def organizations(request) -> dict:
    """The person's organizations for the header switcher (none before authentication)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_memberships": memberships_of(request.user),
        "current_membership": current_membership(request),
    }
