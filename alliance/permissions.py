"""Who may see and do what in the alliance.

Rights that follow from a membership (admin, focal point, member) are computed from
the person's memberships, loaded once per request. django-guardian holds the rights
granted person by person: an organization's admin may let a member manage the
membership (``alliance.manage_members``) without making them an admin.

Staff power is ``acting_as_staff`` (the kernel's one predicate: the IOM staff role and
two-factor authentication passed in this session). A delegated right never reaches
further than the role that granted it: a delegate invites and removes plain members
only; only administrators (and acting staff) grant or revoke the administrator role or
the delegated right; nobody changes their own role.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F

from gdpa.accounts import roles
from gdpa.accounts.permissions import acting_as_staff
from gdpa.http.errors import AccessRefused
from gdpa.prepared import PreparedRead

from .models import (
    AllianceSession,
    CalendarFeed,
    Invitation,
    Membership,
    MemberState,
    Organization,
    OrganizationUserObjectPermission,
    Participant,
    Recommendation,
    RecommendationReport,
    RecommendationTrack,
    SessionDocument,
    StaffImport,
)
from .selectors import participations_of

_MEMBERSHIPS_ATTR = "_alliance_memberships"
_MANAGE_GRANTS_ATTR = "_alliance_manage_grants"
MANAGE_MEMBERS = "alliance.manage_members"
#: Session key of the organization the person is working as.
CURRENT_ORG_KEY = "current_organization"


def _memberships_query(user_id):
    return (
        Membership.objects.filter(user_id=user_id)
        .select_related("organization", "organization__member_state")
        .order_by("organization__name")
    )


#: Read on every signed-in request (the tenant scope): its SQL is compiled once. A person's
#: own memberships are theirs to read in any tenant scope (PreparedRead reads outside it):
#: the request's scope is made of them (alliance/tenancy.py), and one just joined (an
#: accepted invitation, a registered organization) is not in the scope the request began with.
_MEMBERSHIPS = PreparedRead("alliance.memberships_of", _memberships_query, -1)


def memberships_of(user) -> list[Membership]:
    """The person's memberships with their organizations; one query per request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _MEMBERSHIPS_ATTR, None)
    if cached is None:
        cached = _MEMBERSHIPS.rows(user.pk)
        setattr(user, _MEMBERSHIPS_ATTR, cached)
    return cached


def forget_memberships(user) -> None:
    for attribute in (_MEMBERSHIPS_ATTR, _MANAGE_GRANTS_ATTR):
        if hasattr(user, attribute):
            delattr(user, attribute)


def membership_in(user, organization: Organization) -> Membership | None:
    return next((m for m in memberships_of(user) if m.organization_id == organization.pk), None)


def can_view_organization(user, organization: Organization) -> bool:
    return acting_as_staff(user) or membership_in(user, organization) is not None


def is_org_admin(user, organization: Organization) -> bool:
    membership = membership_in(user, organization)
    return membership is not None and membership.role == Membership.Role.ADMIN


def holds_manage_grant(user, organization: Organization) -> bool:
    """The person was granted the member-management right on this very organization.

    Only the grant on the object counts (the person's own rows of guardian's direct
    foreign-key table): not a global ``alliance.manage_members`` in ``user_permissions``,
    not a group, and not the superuser flag, which ``user.has_perm`` answers yes to for
    every object. The organizations the person holds it on are read once per request (one
    query) and kept on the user object; ``forget_memberships`` drops them with the
    memberships after a grant or a withdrawal.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    granted = getattr(user, _MANAGE_GRANTS_ATTR, None)
    if granted is None:
        _, codename = MANAGE_MEMBERS.split(".")
        granted = set(
            OrganizationUserObjectPermission.objects.filter(
                user=user,
                permission__codename=codename,
                permission__content_type__app_label="alliance",
            ).values_list("content_object_id", flat=True)
        )
        setattr(user, _MANAGE_GRANTS_ATTR, granted)
    return organization.pk in granted


def has_delegated_right(user, organization: Organization) -> bool:
    """The member-management right an administrator granted (django-guardian)."""
    return membership_in(user, organization) is not None and holds_manage_grant(user, organization)


def can_manage_members(user, organization: Organization) -> bool:
    """See the member tools: invite, and remove plain members (delegates included)."""
    if organization.status == Organization.Status.REJECTED:
        return False
    if acting_as_staff(user) or is_org_admin(user, organization):
        return True
    return has_delegated_right(user, organization)


def can_delegate(user, organization: Organization) -> bool:
    """Grant or withdraw the member-management right, change roles: admins and staff."""
    return organization.status != Organization.Status.REJECTED and (
        acting_as_staff(user) or is_org_admin(user, organization)
    )


def can_invite_with_role(user, organization: Organization, role: str) -> bool:
    """Delegates invite plain members; admins and staff invite any role."""
    if role == Membership.Role.MEMBER:
        return can_manage_members(user, organization)
    return can_delegate(user, organization)


def _rights_over(
    *, delegate: bool, manage: bool, own: bool, role: str, delegated: bool
) -> dict[str, bool]:
    """What a person may do to one membership: the rules in one place.

    ``delegate``: they are an admin of the organization or acting staff; ``manage``: they
    may manage members (delegates included); ``own``: it is their own membership;
    ``role``/``delegated``: the membership's role and whether it holds the delegated right.
    """
    plain = role == Membership.Role.MEMBER and not delegated
    return {
        "change_role": delegate and not own,
        "set_manage_right": delegate and not own and role == Membership.Role.MEMBER,
        "remove": own or delegate or (manage and plain),
    }


def _rights_for(user, membership: Membership, delegated: bool | None = None) -> dict[str, bool]:
    organization = membership.organization
    if delegated is None:
        delegated = holds_manage_grant(membership.user, organization)
    return _rights_over(
        delegate=can_delegate(user, organization),
        manage=can_manage_members(user, organization),
        own=membership.user_id == user.pk,
        role=membership.role,
        delegated=delegated,
    )


def can_change_role(user, membership: Membership) -> bool:
    """Administrators and staff change other people's roles; nobody changes their own."""
    return _rights_for(user, membership, delegated=False)["change_role"]


def can_set_manage_right(user, membership: Membership) -> bool:
    """The delegated right is granted by admins and staff, to someone else's plain membership."""
    return _rights_for(user, membership, delegated=False)["set_manage_right"]


def can_remove_membership(user, membership: Membership) -> bool:
    """Leave yourself; admins and staff remove anyone; delegates remove plain members."""
    return _rights_for(user, membership)["remove"]


def can_invite(user, organization: Organization) -> bool:
    """Invitations leave from verified organizations only (acting staff excepted)."""
    return can_manage_members(user, organization) and (
        organization.status == Organization.Status.VERIFIED or acting_as_staff(user)
    )


def mark_member_actions(
    user, organization: Organization, members: list[Membership]
) -> list[Membership]:
    """Set what ``user`` may do to each listed membership of ``organization``
    (``has_manage_right`` already set by the selector); no query per row."""
    delegate = can_delegate(user, organization)
    manage = can_manage_members(user, organization)
    for m in members:
        m.organization = organization
        rights = _rights_over(
            delegate=delegate,
            manage=manage,
            own=m.user_id == user.pk,
            role=m.role,
            delegated=getattr(m, "has_manage_right", False),
        )
        m.may_change_role = rights["change_role"]
        m.may_set_manage_right = rights["set_manage_right"]
        m.may_remove = rights["remove"] and m.user_id != user.pk
    return members


def can_verify_organizations(user) -> bool:
    return acting_as_staff(user)


def can_administer_members(user) -> bool:
    """The staff member directory and its bulk actions (verify, suspend, invite...)."""
    return acting_as_staff(user)


def access_organizations_to_administer(user, pks) -> list[Organization]:
    """The chosen organizations for a bulk action, by name; 404 unless acting as staff.
    Ids that no longer exist are left out."""
    if not can_administer_members(user):
        raise AccessRefused
    return list(Organization.objects.filter(pk__in=list(pks)).order_by("name", "pk"))


def access_people_to_administer(user, pks) -> list:
    """The chosen people (active accounts) for a bulk action, by name; 404 unless acting
    as staff."""
    if not can_administer_members(user):
        raise AccessRefused
    return list(
        get_user_model()
        .objects.filter(pk__in=list(pks), is_active=True)
        .order_by("full_name", "pk")
    )


def access_organization(user, pk) -> Organization:
    """The organization, if the person may see it; otherwise 404 (never 403)."""
    organization = Organization.objects.select_related("member_state").filter(pk=pk).first()
    if organization is None or not can_view_organization(user, organization):
        raise AccessRefused
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
        raise AccessRefused
    return membership


def access_invitation(user, organization: Organization, pk) -> Invitation:
    invitation = Invitation.objects.filter(pk=pk, organization=organization).first()
    if invitation is None:
        raise AccessRefused
    return invitation


def access_pending_organization(user, pk) -> Organization:
    """An organization awaiting verification, for IOM staff."""
    if not can_verify_organizations(user):
        raise AccessRefused
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise AccessRefused
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
    return acting_as_staff(user)


def participant_for(user, session: AllianceSession) -> Participant | None:
    """The person's invitation to the session: the one linked to their account, else one
    not yet linked to anyone, sent to an address the account has confirmed (one query).
    Reading never links; the action that needs it does (``services.participant_link``)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        participations_of(user)
        .filter(session=session)
        .order_by(F("user").asc(nulls_last=True), "pk")
        .first()
    )


def access_session(user, pk) -> tuple[AllianceSession, Participant | None]:
    """The session and the person's invitation. Staff see every session; others only the
    scheduled, held or cancelled sessions they were invited to. Otherwise 404."""
    session = AllianceSession.objects.filter(pk=pk).first()
    if session is None:
        raise AccessRefused
    participant = participant_for(user, session)
    if can_manage_sessions(user):
        return session, participant
    if participant is None or session.status == AllianceSession.Status.DRAFT:
        raise AccessRefused
    return session, participant


def access_session_to_manage(user, pk) -> AllianceSession:
    if not can_manage_sessions(user):
        raise AccessRefused
    session = AllianceSession.objects.filter(pk=pk).first()
    if session is None:
        raise AccessRefused
    return session


def access_document(user, session: AllianceSession, pk) -> SessionDocument:
    document = SessionDocument.objects.filter(pk=pk, session=session).first()
    if document is None:
        raise AccessRefused
    return document


def access_calendar_feed(token: str) -> CalendarFeed:
    """A private feed: the secret token in its address is the only key."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise AccessRefused
    return feed


# Recommendations -------------------------------------------------------------------------

#: What alliance participants (not only staff) may read before publication.
SHARED_STATUSES = frozenset(
    {Recommendation.Status.OPEN, Recommendation.Status.REVIEW, Recommendation.Status.ENDORSED}
)


def can_manage_recommendations(user) -> bool:
    return acting_as_staff(user)


def takes_part_in_alliance(user) -> bool:
    """A member of a verified organization, or a youth participant."""
    if not getattr(user, "is_authenticated", False):
        return False
    return roles.has_role(user, roles.YOUTH) or any(
        m.organization.is_verified for m in memberships_of(user)
    )


def can_read_recommendation(user, recommendation: Recommendation) -> bool:
    if recommendation.status == Recommendation.Status.PUBLISHED:
        return True
    if can_manage_recommendations(user):
        return True
    return recommendation.status in SHARED_STATUSES and takes_part_in_alliance(user)


def access_recommendation(user, pk) -> Recommendation:
    """Published recommendations for anyone; open, under review and endorsed ones for
    alliance participants; drafts and withdrawn ones for acting staff. Otherwise 404."""
    recommendation = (
        Recommendation.objects.select_related("track", "track__sector").filter(pk=pk).first()
    )
    if recommendation is None or not can_read_recommendation(user, recommendation):
        raise AccessRefused
    return recommendation


def access_recommendation_to_manage(user, pk) -> Recommendation:
    if not can_manage_recommendations(user):
        raise AccessRefused
    recommendation = Recommendation.objects.select_related("track").filter(pk=pk).first()
    if recommendation is None:
        raise AccessRefused
    return recommendation


def can_give_input(user, recommendation: Recommendation, now=None) -> bool:
    """Alliance participants comment and propose amendments while input is open; staff
    run the process and answer inputs instead."""
    return (
        recommendation.accepts_input(now)
        and takes_part_in_alliance(user)
        and not roles.has_role(user, roles.IOM_STAFF)
    )


def endorsing_states(user) -> list[MemberState]:
    """The active member states the person speaks for: they are a focal point (not a
    plain member) of a verified government body of that state."""
    return [
        m.organization.member_state
        for m in memberships_of(user)
        if m.organization.kind == Organization.Kind.GOVERNMENT
        and m.organization.is_verified
        and m.role != Membership.Role.MEMBER
        and m.organization.member_state is not None
        and m.organization.member_state.status == MemberState.Status.ACTIVE
    ]


def supporting_organizations(user) -> list[Organization]:
    """Verified non-government organizations the person administers: they may say their
    organization supports a recommendation (governments endorse instead)."""
    return [
        m.organization
        for m in memberships_of(user)
        if m.organization.kind != Organization.Kind.GOVERNMENT
        and m.organization.kind != Organization.Kind.IOM
        and m.organization.is_verified
        and m.role == Membership.Role.ADMIN
    ]


def access_track_to_manage(user, pk) -> RecommendationTrack:
    """A recommendation track, for people who manage recommendations. Otherwise 404."""
    if not can_manage_recommendations(user):
        raise AccessRefused
    track = RecommendationTrack.objects.select_related("sector").filter(pk=pk).first()
    if track is None:
        raise AccessRefused
    return track


def access_input_to_answer(user, recommendation: Recommendation, pk):
    """One input of ``recommendation``, for acting staff who answer it; otherwise 404."""
    if not can_manage_recommendations(user):
        raise AccessRefused
    given = recommendation.inputs.filter(pk=pk).first()
    if given is None:
        raise AccessRefused
    return given


def access_endorsement_to_withdraw(user, recommendation: Recommendation, pk):
    """A standing endorsement of ``recommendation`` given for a member state the person
    speaks for; otherwise 404 (someone else's state's endorsement looks missing)."""
    endorsement = (
        recommendation.endorsements.filter(pk=pk, withdrawn_at__isnull=True)
        .select_related("member_state")
        .first()
    )
    if endorsement is None or endorsement.member_state not in endorsing_states(user):
        raise AccessRefused
    return endorsement


# Recommendation reports ------------------------------------------------------------------


def can_manage_reports(user) -> bool:
    return acting_as_staff(user)


def access_report_to_manage(user, pk) -> RecommendationReport:
    """Any report, for acting staff; 404 for everyone else."""
    if not can_manage_reports(user):
        raise AccessRefused
    report = RecommendationReport.objects.filter(pk=pk).first()
    if report is None:
        raise AccessRefused
    return report


def access_report_pdf(user, pk) -> RecommendationReport:
    """A ready report's PDF: public ones for anyone, the others for acting staff only;
    404 otherwise (a private report does not reveal itself)."""
    report = (
        RecommendationReport.objects.filter(pk=pk, status=RecommendationReport.Status.READY)
        .exclude(pdf="")
        .first()
    )
    if report is None or not (report.is_public or can_manage_reports(user)):
        raise AccessRefused
    return report


def can_see_organization_record(user) -> bool:
    """The staff record page of an organization is for acting IOM staff."""
    return acting_as_staff(user)


def access_organization_record(user, pk) -> Organization:
    """Any organization's staff record page, for acting IOM staff; 404 for everyone else
    and for an organization that does not exist."""
    if not can_see_organization_record(user):
        raise AccessRefused
    organization = (
        Organization.objects.select_related("member_state", "created_by", "decided_by")
        .prefetch_related("sectors", "capitals")
        .filter(pk=pk)
        .first()
    )
    if organization is None:
        raise AccessRefused
    return organization


# Staff imports ---------------------------------------------------------------------------


def can_import(user) -> bool:
    """Importing organizations and focal points from a spreadsheet: acting staff."""
    return acting_as_staff(user)


def access_import_preview(user, token: str):
    """A kept import preview, for the staff member who uploaded it; 404 for everyone
    else (another staff member's preview looks missing)."""
    from .imports import preview_get

    if not can_import(user):
        raise AccessRefused
    preview = preview_get(token)
    if preview is None or preview.owner_id != user.pk:
        raise AccessRefused
    return preview


def confirmed_import(user, token: str) -> StaffImport | None:
    """The import this person confirmed from the preview ``token``, if any."""
    if not can_import(user):
        return None
    return StaffImport.objects.filter(token=token, created_by=user).first()


def access_import_run(user, token: str) -> StaffImport:
    """A confirmed import, for the staff member who confirmed it; otherwise 404."""
    if not can_import(user):
        raise AccessRefused
    run = StaffImport.objects.filter(token=token, created_by=user).first()
    if run is None:
        raise AccessRefused
    return run
