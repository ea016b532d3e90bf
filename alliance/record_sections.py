"""What the alliance shows on the staff page of a person (registered in ``apps.py``):
memberships and roles, sessions, recommendation inputs, endorsements and supports.

Each ``context(person)`` runs a fixed number of queries and lists at most
``SECTION_ROWS`` rows with the count of the rest; each ``audit(person)`` says which audit
entries are about what the section lists.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gdpa.audit.selectors import about_objects
from gdpa.portal.records import capped
from gdpa.portal.registry import RecordSection, register_person_section

from .models import (
    Endorsement,
    Invitation,
    Membership,
    OrganizationSupport,
    OrganizationUserObjectPermission,
    Participant,
    RecommendationInput,
)
from .selectors import participations_of


def _memberships(person):
    return Membership.objects.filter(user=person)


def memberships_context(person) -> dict:
    """The person's organizations, their role in each and whether they hold the delegated
    member-management right (two queries)."""
    memberships = capped(
        _memberships(person)
        .select_related("organization", "organization__member_state")
        .order_by("organization__name", "pk")
    )
    granted = set(
        OrganizationUserObjectPermission.objects.filter(
            user=person,
            permission__codename="manage_members",
            content_object__in=[m.organization_id for m in memberships.rows],
        ).values_list("content_object_id", flat=True)
    )
    for membership in memberships.rows:
        membership.has_manage_right = membership.organization_id in granted
    return {"memberships": memberships}


def memberships_audit(person) -> Q:
    """Their memberships (role changes, delegated rights), the invitations they accepted
    or that were sent to their address, and being added to or removed from an
    organization (recorded on the organization, naming the person's address)."""
    return (
        about_objects(_memberships(person))
        | about_objects(
            Invitation.objects.filter(Q(accepted_by=person) | Q(email__iexact=person.email))
        )
        | Q(action__in=("membership.add",), after__user=person.email)
        | Q(action__in=("membership.remove",), before__user=person.email)
    )


def sessions_context(person) -> dict:
    """Sessions the person was invited to, newest first, with their answer and
    attendance, and the totals (two or three queries)."""
    mine = participations_of(person)
    totals = mine.aggregate(
        invited=Count("pk"),
        accepted=Count("pk", filter=Q(rsvp=Participant.Rsvp.ACCEPTED)),
        attended=Count("pk", filter=Q(attended=True)),
    )
    rows = capped(
        mine.select_related("session").order_by("-session__starts_at", "-pk"),
        total=totals["invited"],
    )
    return {"participations": rows, "totals": totals}


def _inputs(person):
    return RecommendationInput.objects.filter(author=person)


def inputs_context(person) -> dict:
    return {
        "inputs": capped(
            _inputs(person)
            .select_related("recommendation", "organization")
            .order_by("-created_at", "-pk")
        )
    }


def inputs_audit(person) -> Q:
    return about_objects(_inputs(person))


def _endorsements(person):
    return Endorsement.objects.filter(endorsed_by=person)


def _supports(person):
    return OrganizationSupport.objects.filter(given_by=person)


def endorsements_context(person) -> dict:
    return {
        "endorsements": capped(
            _endorsements(person)
            .select_related("recommendation", "member_state")
            .order_by("-endorsed_at", "-pk")
        ),
        "supports": capped(
            _supports(person)
            .select_related("recommendation", "organization")
            .order_by("-created_at", "-pk")
        ),
    }


def endorsements_audit(person) -> Q:
    return about_objects(_endorsements(person)) | about_objects(_supports(person))


def register() -> None:
    register_person_section(
        RecordSection(
            "alliance-memberships",
            _("Organizations and roles"),
            "alliance/records/person_memberships.html",
            memberships_context,
            order=10,
            audit=memberships_audit,
        )
    )
    register_person_section(
        RecordSection(
            "alliance-sessions",
            _("Alliance sessions"),
            "alliance/records/person_sessions.html",
            sessions_context,
            order=20,
        )
    )
    register_person_section(
        RecordSection(
            "alliance-inputs",
            _("Inputs on recommendations"),
            "alliance/records/person_inputs.html",
            inputs_context,
            order=30,
            audit=inputs_audit,
        )
    )
    register_person_section(
        RecordSection(
            "alliance-endorsements",
            _("Endorsements and support of recommendations"),
            "alliance/records/person_endorsements.html",
            endorsements_context,
            order=40,
            audit=endorsements_audit,
        )
    )
