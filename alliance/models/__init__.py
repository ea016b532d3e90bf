"""The alliance's models: who is in it (members) and what it does together (sessions)."""

from .members import (
    DiasporaCapital,
    Invitation,
    Membership,
    MemberState,
    Organization,
    OrganizationGroupObjectPermission,
    OrganizationUserObjectPermission,
    Sector,
)
from .sessions import (
    AgendaItem,
    AllianceSession,
    CalendarFeed,
    Participant,
    Reminder,
    SessionDocument,
)

__all__ = [
    "AgendaItem",
    "AllianceSession",
    "CalendarFeed",
    "DiasporaCapital",
    "Invitation",
    "MemberState",
    "Membership",
    "Organization",
    "OrganizationGroupObjectPermission",
    "OrganizationUserObjectPermission",
    "Participant",
    "Reminder",
    "Sector",
    "SessionDocument",
]
