"""Every write of the alliance app, one module per concern:

organizations (member states, organizations, verification, sectors), members
(memberships, roles, invitations to an organization), sessions (the session and its changes), session_invitations, rsvp, reminders, attendance (with check-in and the
summary), documents and feeds (private calendar addresses). ``session_mail`` is their
shared way of e-mailing participants. Recommendations have their own modules, imported
by name: recommendations (tracks, drafting, lifecycle), recommendation_inputs and
endorsements (member states' endorsements and organizations' support); imports (staff
imports of organizations and focal points from a spreadsheet, with their preview) and
import_runs (the task that writes a confirmed import).
"""

from .attendance import attendance_record, checkin, session_summary_publish, session_summary_send
from .documents import MAX_DOCUMENT_BYTES, document_add
from .feeds import calendar_feed_get, calendar_feed_reset
from .members import (
    INVITATION_LIFETIME,
    InvitationError,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_peek,
    invitation_revoke,
    invitation_token,
    membership_add,
    membership_change_role,
    membership_remove,
    membership_set_member_management,
)
from .organizations import (
    member_state_create,
    organization_register,
    organization_reject,
    organization_verify,
    secretariat_bootstrap,
    sector_create,
)
from .reminders import reminders_dispatch
from .rsvp import (
    RSVP_LINK_LIFETIME,
    link_participant,
    rsvp_from_link,
    rsvp_link_peek,
    rsvp_set,
)
from .session_invitations import audience_users, session_invitations_send, session_invite
from .session_mail import rsvp_link_token
from .sessions import (
    agenda_replace,
    local_to_utc,
    participants_notify_change,
    session_cancel,
    session_create,
    session_mark_held,
    session_update,
)

__all__ = [
    "INVITATION_LIFETIME",
    "MAX_DOCUMENT_BYTES",
    "RSVP_LINK_LIFETIME",
    "InvitationError",
    "agenda_replace",
    "attendance_record",
    "audience_users",
    "calendar_feed_get",
    "calendar_feed_reset",
    "checkin",
    "document_add",
    "invitation_accept",
    "invitation_create",
    "invitation_from_token",
    "invitation_peek",
    "invitation_revoke",
    "invitation_token",
    "link_participant",
    "local_to_utc",
    "member_state_create",
    "membership_add",
    "membership_change_role",
    "membership_remove",
    "membership_set_member_management",
    "organization_register",
    "organization_reject",
    "organization_verify",
    "participants_notify_change",
    "reminders_dispatch",
    "rsvp_from_link",
    "rsvp_link_peek",
    "rsvp_link_token",
    "rsvp_set",
    "secretariat_bootstrap",
    "sector_create",
    "session_cancel",
    "session_create",
    "session_invitations_send",
    "session_invite",
    "session_mark_held",
    "session_summary_publish",
    "session_summary_send",
    "session_update",
]
