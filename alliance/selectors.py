"""Every read the alliance pages need, scoped and shaped for a fixed number of queries."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django_countries import countries

from gdpa.accounts.models import Gender
from gdpa.portal.countries import country_choices
from gdpa.prepared import FAR_PAST, PreparedRead

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
    RecommendationReport,
    Sector,
)


def _with_profile(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    return qs.select_related("member_state", "created_by").prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.order_by("position")),
        Prefetch("capitals", queryset=DiasporaCapital.objects.order_by("position")),
    )


def organizations_pending(*, kind: str = "", country: str = "") -> QuerySet[Organization]:
    """The verification queue, oldest first (the (status, created_at) index serves it)."""
    qs = Organization.objects.filter(status=Organization.Status.PENDING)
    if kind:
        qs = qs.filter(kind=kind)
    if country:
        qs = qs.filter(country=country)
    return _with_profile(qs.order_by("created_at", "pk"))


def with_member_counts(organizations) -> list[Organization]:
    """Set ``member_count`` on each of ``organizations`` (a page of rows) in one query,
    counting the members of these rows only."""
    rows = list(organizations)
    counts = dict(
        Membership.objects.filter(organization__in=[o.pk for o in rows])
        .values_list("organization")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for organization in rows:
        organization.member_count = counts.get(organization.pk, 0)
    return rows


def organization_countries(*, status: str = "") -> list[tuple[str, str]]:
    """(code, name) of the countries organizations are based in, by name: one query."""
    qs = Organization.objects.all()
    if status:
        qs = qs.filter(status=status)
    return country_choices(qs.order_by().values_list("country", flat=True).distinct())


def organization_profile(organization: Organization) -> Organization:
    return _with_profile(Organization.objects.filter(pk=organization.pk)).get()


def organization_members(
    organization: Organization, *, role: str = "", query: str = ""
) -> QuerySet[Membership]:
    """The organization's members by name, optionally of one role or matching a name or
    e-mail; paginate it, then mark the page with ``with_manage_rights``."""
    qs = Membership.objects.filter(organization=organization).select_related("user")
    if role:
        qs = qs.filter(role=role)
    if query:
        qs = qs.filter(Q(user__full_name__icontains=query) | Q(user__email__icontains=query))
    return qs.order_by("user__full_name", "pk")


def with_manage_rights(organization: Organization, members) -> list[Membership]:
    """Set ``has_manage_right`` from guardian grants on a page of members (one query)."""
    rows = list(members)
    granted = set(
        OrganizationUserObjectPermission.objects.filter(
            content_object=organization,
            permission__codename="manage_members",
            user__in=[m.user_id for m in rows],
        ).values_list("user_id", flat=True)
    )
    for membership in rows:
        membership.has_manage_right = membership.user_id in granted
    return rows


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


def member_states(*, query: str = "") -> QuerySet[MemberState]:
    """Member states by country code; ``query`` matches the country's name in the
    active language (names are not stored, so the matching codes are found here)."""
    qs = MemberState.objects.all()
    if query:
        needle = query.casefold()
        qs = qs.filter(country__in=[code for code, name in countries if needle in name.casefold()])
    return qs.annotate(
        government_count=Count(
            "organizations", filter=Q(organizations__kind=Organization.Kind.GOVERNMENT)
        )
    ).order_by("country")


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


def invitations_of(user, *, upcoming: bool = True, now=None) -> QuerySet[Participant]:
    """The person's session invitations with their sessions (one query)."""
    qs = (
        participations_of(user)
        .exclude(session__status=AllianceSession.Status.DRAFT)
        .select_related("session")
    )
    if upcoming:
        now = now or timezone.now()
        qs = qs.filter(session__ends_at__gte=now).order_by("session__starts_at", "pk")
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
    measures = {
        "invited": Count("pk", distinct=True),
        "accepted": Count("pk", filter=Q(rsvp=Participant.Rsvp.ACCEPTED), distinct=True),
        "attended": Count("pk", filter=Q(attended=True), distinct=True),
    }
    return figures_by_person(session.participants.all(), measures)


def figures_by_person(base: QuerySet, measures: dict) -> dict:
    """``measures`` (distinct counts) over ``base``, whose rows have a ``user``, by the
    person's organization kind, country of residence and gender: three queries.

    A person counts once under each kind of organization they belong to; a person in none,
    or a field left empty, gives a row with an empty label (the page says which words).
    Shared by the alliance's session figures and the trainings' offering figures.
    """
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


# Dashboards -------------------------------------------------------------------------------

#: How many of a person's next sessions the dashboard lists (with their answer controls).
DASHBOARD_SESSIONS = 5
#: How many of the oldest organizations awaiting verification the staff to-do list names.
STAFF_PENDING_SHOWN = 3
#: How many of this week's sessions the staff to-do list shows (the rest: Manage sessions).
STAFF_WEEK_SESSIONS = 10


def _dashboard_invitations(user, now) -> QuerySet[Participant]:
    needs_answer = Q(
        rsvp=Participant.Rsvp.INVITED,
        session__status=AllianceSession.Status.SCHEDULED,
        session__starts_at__gt=now,
    )
    return (
        invitations_of(user, now=now)
        .annotate(
            needs_answer=Case(
                When(needs_answer, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("needs_answer", "session__starts_at", "pk")[:DASHBOARD_SESSIONS]
    )


#: The dashboard's sessions panel, on every dashboard: its SQL is compiled once.
_DASHBOARD_INVITATIONS = PreparedRead(
    "alliance.dashboard_invitations_of", _dashboard_invitations, -1, FAR_PAST
)


def dashboard_invitations_of(user) -> list[Participant]:
    """The person's next ``DASHBOARD_SESSIONS`` sessions for the dashboard: those still
    waiting for their answer (and still open for one) first, then by start. One query."""
    return _DASHBOARD_INVITATIONS.rows(user.pk, timezone.now())


def organizations_awaiting(*, limit: int = STAFF_PENDING_SHOWN) -> dict:
    """The verification to-do: how many wait, and the oldest few (two queries)."""
    qs = Organization.objects.filter(status=Organization.Status.PENDING)
    return {
        "count": qs.count(),
        "oldest": list(
            qs.order_by("created_at", "pk").only("pk", "name", "kind", "created_at")[:limit]
        ),
    }


def sessions_this_week(*, limit: int = STAFF_WEEK_SESSIONS) -> list[AllianceSession]:
    """Scheduled sessions under way or starting in the next seven days, with their answer
    counts (one query)."""
    now = timezone.now()
    rsvp = Participant.Rsvp
    return list(
        AllianceSession.objects.filter(
            status=AllianceSession.Status.SCHEDULED,
            ends_at__gte=now,
            starts_at__lt=now + timedelta(days=7),
        )
        .annotate(
            accepted=Count("participants", filter=Q(participants__rsvp=rsvp.ACCEPTED)),
            tentative=Count("participants", filter=Q(participants__rsvp=rsvp.TENTATIVE)),
            declined=Count("participants", filter=Q(participants__rsvp=rsvp.DECLINED)),
            no_answer=Count("participants", filter=Q(participants__rsvp=rsvp.INVITED)),
        )
        .order_by("starts_at", "pk")[:limit]
    )


# Recommendation reports ---------------------------------------------------------------


def reports_for_staff():
    """Every report, newest first, with what the staff list shows (fixed queries)."""
    return RecommendationReport.objects.select_related("requested_by").prefetch_related("sectors")


def public_reports():
    """Ready reports staff published, newest build first."""
    return (
        RecommendationReport.objects.filter(
            is_public=True, status=RecommendationReport.Status.READY
        )
        .prefetch_related("sectors")
        .order_by("-built_at", "-pk")
    )


# Public alliance directory ----------------------------------------------------------------


def _listed() -> QuerySet[Organization]:
    """Organizations the public directory may show: verified, and listed by their admins."""
    return Organization.objects.filter(status=Organization.Status.VERIFIED, listed_publicly=True)


def directory_organizations(
    *, kind: str = "", country: str = "", sector=None, capital=None
) -> QuerySet[Organization]:
    """The public directory's organizations by name, with their sectors and capitals
    prefetched (a fixed number of queries whatever their number). ``country`` matches the
    country an organization is based in or one of its diaspora countries of origin."""
    qs = _listed()
    if kind:
        qs = qs.filter(kind=kind)
    if country:
        qs = qs.filter(Q(country=country) | Q(countries_of_origin__contains=country))
    if sector is not None:
        qs = qs.filter(sectors=sector)
    if capital is not None:
        qs = qs.filter(capitals=capital)
    return qs.prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.order_by("position", "name_en")),
        Prefetch("capitals", queryset=DiasporaCapital.objects.order_by("position", "name_en")),
    ).order_by("name", "pk")


def directory_countries() -> list[tuple[str, str]]:
    """(code, name) of the countries the listed organizations are based in or come from,
    by name in the reader's language: one query."""
    codes = set()
    for based, origins in _listed().order_by().values_list("country", "countries_of_origin"):
        codes.add(based)
        codes.update(code for code in origins.split(",") if code)
    return sorted(((code, str(countries.name(code))) for code in codes), key=lambda c: c[1])


def staff_import_rows(run):
    """A confirmed import's lines and what became of each, in file order."""
    return run.rows.order_by("line")
