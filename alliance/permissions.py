"""Who may see and do what in the alliance.

Rights that follow from a membership (admin, focal point, member) are computed from
the person's memberships, loaded once per request. django-guardian holds the rights
granted person by person: an organization's admin may let a member manage the
membership (``alliance.manage_members``) without making them an admin.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from gdpa.accounts.roles import is_iom_staff

from .models import (
    AllianceSession,
    CalendarFeed,
    Invitation,
    Membership,
    Organization,
    Participant,
    SessionDocument,
)

_MEMBERSHIPS_ATTR = "_alliance_memberships"
MANAGE_MEMBERS = "alliance.manage_members"
#: Session key of the organization the person is working as.
CURRENT_ORG_KEY = "current_organization"


def memberships_of(user) -> list[Membership]:
    """The person's memberships with their organizations; one query per request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _MEMBERSHIPS_ATTR, None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user)
            .select_related("organization", "organization__member_state")
            .order_by("organization__name")
        )
        setattr(user, _MEMBERSHIPS_ATTR, cached)
    return cached


def forget_memberships(user) -> None:
    if hasattr(user, _MEMBERSHIPS_ATTR):
        delattr(user, _MEMBERSHIPS_ATTR)


def membership_in(user, organization: Organization) -> Membership | None:
    return next((m for m in memberships_of(user) if m.organization_id == organization.pk), None)


def can_view_organization(user, organization: Organization) -> bool:
    return is_iom_staff(user) or membership_in(user, organization) is not None


def is_org_admin(user, organization: Organization) -> bool:
    membership = membership_in(user, organization)
    return membership is not None and membership.role == Membership.Role.ADMIN


def can_manage_members(user, organization: Organization) -> bool:
    if organization.status == Organization.Status.REJECTED:
        return False
    if is_iom_staff(user) or is_org_admin(user, organization):
        return True
    return membership_in(user, organization) is not None and user.has_perm(
        MANAGE_MEMBERS, organization
    )


def can_delegate(user, organization: Organization) -> bool:
    """Grant or withdraw the member-management right: admins and IOM staff."""
    return organization.status != Organization.Status.REJECTED and (
        is_iom_staff(user) or is_org_admin(user, organization)
    )


def can_remove_membership(user, membership: Membership) -> bool:
    return membership.user_id == user.pk or can_manage_members(user, membership.organization)


def can_verify_organizations(user) -> bool:
    return is_iom_staff(user)


def access_organization(user, pk) -> Organization:
    """The organization, if the person may see it; otherwise 404 (never 403)."""
    organization = Organization.objects.select_related("member_state").filter(pk=pk).first()
    if organization is None or not can_view_organization(user, organization):
        raise Http404
    return organization


def access_organization_to_manage(user, pk) -> Organization:
    organization = access_organization(user, pk)
    if not can_manage_members(user, organization):
        raise PermissionDenied
    return organization


def access_membership(user, organization: Organization, pk) -> Membership:
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(pk=pk, organization=organization)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def access_invitation(user, organization: Organization, pk) -> Invitation:
    invitation = Invitation.objects.filter(pk=pk, organization=organization).first()
    if invitation is None:
        raise Http404
    return invitation


def access_pending_organization(user, pk) -> Organization:
    """An organization awaiting verification, for IOM staff."""
    if not can_verify_organizations(user):
        raise Http404
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise Http404
    return organization


def current_membership(request) -> Membership | None:
    """The membership the person chose in the header switcher (default: the first)."""
    memberships = memberships_of(request.user)
    chosen = request.session.get(CURRENT_ORG_KEY)
    return next((m for m in memberships if m.organization_id == chosen), None) or (
        memberships[0] if memberships else None
    )


# Alliance sessions ------------------------------------------------------------------------


def can_manage_sessions(user) -> bool:
    return is_iom_staff(user)


def participant_for(user, session: AllianceSession) -> Participant | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Participant.objects.filter(session=session, email=user.email.lower()).first()


def access_session(user, pk) -> tuple[AllianceSession, Participant | None]:
    """The session and the person's invitation. Staff see every session; others only the
    scheduled, held or cancelled sessions they were invited to. Otherwise 404."""
    session = AllianceSession.objects.filter(pk=pk).first()
    if session is None:
        raise Http404
    participant = participant_for(user, session)
    if can_manage_sessions(user):
        return session, participant
    if participant is None or session.status == AllianceSession.Status.DRAFT:
        raise Http404
    return session, participant


def access_session_to_manage(user, pk) -> AllianceSession:
    if not can_manage_sessions(user):
        raise Http404
    session = AllianceSession.objects.filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


def access_document(user, session: AllianceSession, pk) -> SessionDocument:
    document = SessionDocument.objects.filter(pk=pk, session=session).first()
    if document is None:
        raise Http404
    return document


def access_calendar_feed(token: str) -> CalendarFeed:
    """A private feed: the secret token in its address is the only key."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    return feed
