"""Every write of the alliance app: members and organizations, and alliance sessions."""

from .members import *  # noqa: F403
from .members import INVITATION_LIFETIME, InvitationError, invitation_from_token, invitation_token
from .sessions import *  # noqa: F403

__all__ = ["INVITATION_LIFETIME", "InvitationError", "invitation_from_token", "invitation_token"]
