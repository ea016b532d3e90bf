"""Every read the alliance pages need, scoped and shaped for a fixed number of queries."""

from allauth.account.models import EmailAddress
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django_countries import countries

from gdpa.accounts.models import Gender

from .models import (
    AllianceSession,
    CalendarFeed,
    DiasporaCapital,
    Invitation,
    Membership,
    MemberState,
    Organization,
    OrganizationUserObjectPermission,
    Participant,
    Sector,
)


def _with_profile(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    return qs.select_related("member_state", "created_by").prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.order_by("position")),
        Prefetch("capitals", queryset=DiasporaCapital.objects.order_by("position")),
    )


def organizations_pending() -> QuerySet[Organization]:
    """The verification queue, oldest first."""
    return _with_profile(
        Organization.objects.filter(status=Organization.Status.PENDING).order_by("created_at")
    )


def organizations_all(
    *, kind: str = "", status: str = "", query: str = ""
) -> QuerySet[Organization]:
    qs = Organization.objects.select_related("member_state").annotate(
        member_count=Count("memberships")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(contact_email__icontains=query))
    return qs.order_by("name")


def organization_profile(organization: Organization) -> Organization:
    return _with_profile(Organization.objects.filter(pk=organization.pk)).get()


def organization_members(organization: Organization) -> list[Membership]:
    """Members with ``can_manage_members`` set from guardian grants (two queries)."""
    granted = set(
        OrganizationUserObjectPermission.objects.filter(
            content_object=organization, permission__codename="manage_members"
        ).values_list("user_id", flat=True)
    )
    members = list(
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("user__full_name")
    )
    for membership in members:
        membership.has_manage_right = membership.user_id in granted
    return members


def organization_open_invitations(organization: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            organization=organization,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def member_states() -> QuerySet[MemberState]:
    return MemberState.objects.annotate(
        government_count=Count(
            "organizations", filter=Q(organizations__kind=Organization.Kind.GOVERNMENT)
        )
    ).order_by("country")


def staff_overview() -> dict:
    counts = Organization.objects.aggregate(
        pending=Count("pk", filter=Q(status=Organization.Status.PENDING)),
        verified=Count("pk", filter=Q(status=Organization.Status.VERIFIED)),
    )
    counts["member_states"] = MemberState.objects.filter(status=MemberState.Status.ACTIVE).count()
    return counts


def sectors() -> QuerySet[Sector]:
    return Sector.objects.order_by("position", "name_en")


def capitals() -> QuerySet[DiasporaCapital]:
    return DiasporaCapital.objects.order_by("position", "name_en")


def member_states_public() -> QuerySet[MemberState]:
    return MemberState.objects.filter(status=MemberState.Status.ACTIVE).order_by("country")


# Alliance sessions ------------------------------------------------------------------------


def _confirmed_addresses(user) -> QuerySet:
    """The addresses this account has confirmed, in lower case (a subquery)."""
    return (
        EmailAddress.objects.filter(user=user, verified=True)
        .annotate(address=Lower("email"))
        .values("address")
    )


def participations_of(user) -> QuerySet[Participant]:
    """Invitations that are this person's: linked to the account, or (not linked to
    anyone yet) sent to an address the account has confirmed. One query."""
    return Participant.objects.filter(
        Q(user=user) | Q(user__isnull=True, email__in=_confirmed_addresses(user))
    )


def invitations_of(user, *, upcoming: bool = True) -> QuerySet[Participant]:
    """The person's session invitations with their sessions (one query)."""
    qs = (
        participations_of(user)
        .exclude(session__status=AllianceSession.Status.DRAFT)
        .select_related("session")
    )
    if upcoming:
        qs = qs.filter(session__ends_at__gte=timezone.now()).order_by("session__starts_at", "pk")
    else:
        qs = qs.order_by("-session__starts_at", "-pk")
    return qs


def past_invitations_of(user) -> QuerySet[Participant]:
    """Sessions that have ended, latest first."""
    return invitations_of(user, upcoming=False).filter(session__ends_at__lt=timezone.now())


def calendar_feed_of(user) -> CalendarFeed | None:
    """The person's private calendar address, if they have asked for one (never creates)."""
    return CalendarFeed.objects.filter(user=user).first()


def sessions_for_staff() -> QuerySet[AllianceSession]:
    return AllianceSession.objects.annotate(
        invited=Count("participants"),
        accepted=Count("participants", filter=Q(participants__rsvp=Participant.Rsvp.ACCEPTED)),
    ).order_by("-starts_at")


def session_detail(session: AllianceSession) -> dict:
    """What the session page shows, in a fixed number of queries whatever its size."""
    counts = session.participants.aggregate(
        invited=Count("pk"),
        accepted=Count("pk", filter=Q(rsvp=Participant.Rsvp.ACCEPTED)),
        tentative=Count("pk", filter=Q(rsvp=Participant.Rsvp.TENTATIVE)),
        declined=Count("pk", filter=Q(rsvp=Participant.Rsvp.DECLINED)),
        attended=Count("pk", filter=Q(attended=True)),
    )
    return {
        "agenda": list(session.agenda_items.all()),
        "documents": list(session.documents.all()),
        "sectors": list(session.sectors.all()),
        "counts": counts,
    }


def session_participants(session: AllianceSession) -> QuerySet[Participant]:
    return session.participants.select_related("user").order_by("email")


def participation_figures(session: AllianceSession) -> dict:
    """Invited, accepted and attended, by organization kind, country and gender."""
    base = session.participants.all()
    measures = {
        "invited": Count("pk", distinct=True),
        "accepted": Count("pk", filter=Q(rsvp=Participant.Rsvp.ACCEPTED), distinct=True),
        "attended": Count("pk", filter=Q(attended=True), distinct=True),
    }
    by_kind = list(
        base.values(kind=F("user__memberships__organization__kind"))
        .annotate(**measures)
        .order_by("kind")
    )
    by_country = list(
        base.values(country=F("user__country_of_residence"))
        .annotate(**measures)
        .order_by("country")
    )
    by_gender = list(base.values(gender=F("user__gender")).annotate(**measures).order_by("gender"))
    _label(by_kind, "kind", dict(Organization.Kind.choices))
    _label(by_country, "country", dict(countries))
    _label(by_gender, "gender", dict(Gender.choices))
    return {"by_kind": by_kind, "by_country": by_country, "by_gender": by_gender}


def _label(rows: list[dict], key: str, labels: dict) -> None:
    """Give each figures row a readable label; an empty value reads as "not given"."""
    for row in rows:
        row["label"] = str(labels.get(row[key], "")) if row[key] else ""
