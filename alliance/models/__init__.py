"""The alliance's models: who is in it (members), what it does together (sessions) and
what it produces (recommendations)."""

from .imports import StaffImport, StaffImportRow
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
from .recommendations import (
    Endorsement,
    OrganizationSupport,
    Recommendation,
    RecommendationInput,
    RecommendationReport,
    RecommendationTrack,
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
    "Endorsement",
    "Invitation",
    "MemberState",
    "Membership",
    "Organization",
    "OrganizationGroupObjectPermission",
    "OrganizationSupport",
    "OrganizationUserObjectPermission",
    "Participant",
    "Recommendation",
    "RecommendationInput",
    "RecommendationReport",
    "RecommendationTrack",
    "Reminder",
    "Sector",
    "SessionDocument",
    "StaffImport",
    "StaffImportRow",
]
