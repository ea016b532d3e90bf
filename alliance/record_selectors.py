"""Reads for the staff page of an organization (``views/records.py``): its status
history, members with their rights, open invitations, the sessions its people were
invited to, its endorsements and supports, and its audit trail. Each runs a fixed number
of queries; lists are capped (``gdpa.portal.records.capped``) or paginated."""

from django.db.models import Count, Q

from gdpa.audit.display import describe
from gdpa.audit.selectors import about_object, about_objects, audit_entries_for
from gdpa.portal.records import audit_condition, capped
from gdpa.portal.registry import organization_sections

from .models import (
    AllianceSession,
    Endorsement,
    Invitation,
    Membership,
    Organization,
    OrganizationSupport,
)
from .selectors import organization_open_invitations, with_manage_rights

#: The audit actions that decide an organization's status (its verification history).
STATUS_ACTIONS = (
    "organization.register",
    "organization.bootstrap",
    "organization.verify",
    "organization.reject",
)
MEMBERS_SHOWN = 25


def status_history(organization: Organization) -> list:
    """Registration and verification decisions, oldest first, with their reasons (one
    query)."""
    return [
        describe(entry)
        for entry in audit_entries_for(organization)
        .filter(action__in=STATUS_ACTIONS)
        .select_related("target_type")
    ]


def members_with_rights(organization: Organization):
    """The members by name with their roles and delegated rights (two or three queries)."""
    members = capped(
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("user__full_name", "pk"),
        limit=MEMBERS_SHOWN,
    )
    with_manage_rights(organization, members.rows)
    return members


def sessions_of_people(organization: Organization):
    """The sessions any of its people was invited to, newest first, with how many of
    them were invited and attended (one or two queries)."""
    sessions = (
        AllianceSession.objects.filter(participants__user__memberships__organization=organization)
        .annotate(
            people_invited=Count("participants", distinct=True),
            people_attended=Count(
                "participants", filter=Q(participants__attended=True), distinct=True
            ),
        )
        .order_by("-starts_at", "-pk")
    )
    return capped(sessions)


def endorsements_and_supports(organization: Organization) -> dict:
    """A government's member state's endorsements, and the organization's supports."""
    endorsements = None
    if organization.kind == Organization.Kind.GOVERNMENT and organization.member_state_id:
        endorsements = capped(
            Endorsement.objects.filter(member_state_id=organization.member_state_id)
            .select_related("recommendation")
            .order_by("-endorsed_at", "-pk")
        )
    supports = capped(
        OrganizationSupport.objects.filter(organization=organization)
        .select_related("recommendation", "given_by")
        .order_by("-created_at", "-pk")
    )
    return {"endorsements": endorsements, "supports": supports}


def organization_audit_condition(organization: Organization) -> Q:
    """The organization, its memberships and invitations, its supports, and what the
    registered organization sections say is about it."""
    own = (
        about_object(organization)
        | about_objects(Membership.objects.filter(organization=organization))
        | about_objects(Invitation.objects.filter(organization=organization))
        | about_objects(OrganizationSupport.objects.filter(organization=organization))
    )
    return audit_condition(organization, organization_sections(), own)


def organization_record(organization: Organization) -> dict:
    return {
        "organization": organization,
        "status_history": status_history(organization),
        "members": members_with_rights(organization),
        "invitations": capped(organization_open_invitations(organization)),
        "sessions": sessions_of_people(organization),
        **endorsements_and_supports(organization),
        "sections": [(s, s.context(organization)) for s in organization_sections()],
    }
