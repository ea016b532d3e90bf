"""The alliance's indicators for the results dashboard and the donor report (Outcome 1):
who is in the alliance, the sessions it held and who took part, and the recommendations it
endorsed and published. Every number is counted by the database (gdpa/results/registry.py)."""

import datetime

from django.db.models import Count, F, Min, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django_countries import countries

from gdpa.results.registry import Figures, Total, breakdown, gender_labels, period_bounds

from .models import (
    AllianceSession,
    Endorsement,
    MemberState,
    Organization,
    Participant,
    Recommendation,
    Sector,
)
from .selectors import figures_by_person


def _date(value) -> datetime.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime.datetime) else value


# Member states and organizations ------------------------------------------------------------


def _joined_at() -> Coalesce:
    """When an organization joined: the day IOM verified it, or, for one recorded as
    verified without a decision (an import), the day it was registered."""
    return Coalesce("decided_at", "created_at")


def members_first_date() -> datetime.date | None:
    found = MemberState.objects.aggregate(first=Min("joined_on"))["first"]
    organizations = (
        Organization.objects.filter(status=Organization.Status.VERIFIED)
        .annotate(joined_at=_joined_at())
        .aggregate(first=Min("joined_at"))["first"]
    )
    dates = [d for d in (found, _date(organizations)) if d]
    return min(dates) if dates else None


def members_figures(period_start: datetime.date, period_end: datetime.date) -> Figures:
    """Member states active in the alliance that joined by the end of the period, and
    organizations verified by then (both as their status stands today), with those that
    joined during the period. Four queries."""
    start, end = period_bounds(period_start, period_end)
    states = MemberState.objects.filter(
        status=MemberState.Status.ACTIVE, joined_on__lte=period_end
    ).aggregate(
        total=Count("pk"),
        joined=Count("pk", filter=Q(joined_on__gte=period_start)),
        benefiting=Count("pk", filter=Q(is_benefiting=True)),
    )
    organizations = Organization.objects.annotate(joined_at=_joined_at()).filter(
        status=Organization.Status.VERIFIED, joined_at__lt=end
    )
    joined = Q(joined_at__gte=start)
    measures = (("total", _("In the alliance")), ("joined", _("Joined in the period")))
    counts = {"total": Count("pk"), "joined": Count("pk", filter=joined)}
    by_kind = organizations.values("kind").annotate(**counts).order_by()
    by_country = organizations.values("country").annotate(**counts).order_by()
    totals = organizations.aggregate(**counts)
    return Figures(
        totals=(
            Total("member_states", _("Member states in the alliance"), states["total"]),
            Total(
                "member_states_joined",
                _("Member states that joined in the period"),
                states["joined"],
            ),
            Total(
                "benefiting",
                _("Of them, benefiting member states of the project"),
                states["benefiting"],
            ),
            Total("organizations", _("Verified organizations in the alliance"), totals["total"]),
            Total(
                "organizations_joined", _("Organizations verified in the period"), totals["joined"]
            ),
        ),
        breakdowns=(
            breakdown(
                "by_kind",
                _("Organizations by kind"),
                measures,
                by_kind,
                by="kind",
                labels=dict(Organization.Kind.choices),
            ),
            breakdown(
                "by_country",
                _("Organizations by country where they are based"),
                measures,
                by_country,
                by="country",
                labels=dict(countries),
            ),
        ),
        note=_(
            "Member states and verified organizations as their status stands today, counted "
            "if they joined by the end of the period (organizations: the day IOM verified them, or registered them when recorded as verified)."
        ),
    )


# Sessions and participation ------------------------------------------------------------------


def sessions_first_date() -> datetime.date | None:
    return _date(
        AllianceSession.objects.filter(status=AllianceSession.Status.HELD).aggregate(
            first=Min("starts_at")
        )["first"]
    )


def person_breakdowns(base, measures: dict, labels: tuple[tuple[str, str], ...]):
    """Gender, country and kind of organization breakdowns through ``figures_by_person``
    (three queries); a person counts once under each kind of organization they are in."""
    rows = figures_by_person(base, measures)
    return (
        breakdown(
            "by_gender",
            _("By gender"),
            labels,
            rows["by_gender"],
            by="gender",
            labels=gender_labels(),
        ),
        breakdown(
            "by_country",
            _("By country of residence"),
            labels,
            rows["by_country"],
            by="country",
            labels=dict(countries),
        ),
        breakdown(
            "by_kind",
            _("By kind of organization"),
            labels,
            rows["by_kind"],
            by="kind",
            labels=dict(Organization.Kind.choices),
            empty=_("No organization"),
        ),
    )


def sessions_figures(period_start: datetime.date, period_end: datetime.date) -> Figures:
    """Sessions held that started in the period; their invitations and attendance, by
    kind of session and by the person's gender, country and organization. Six queries."""
    start, end = period_bounds(period_start, period_end)
    held = AllianceSession.objects.filter(
        status=AllianceSession.Status.HELD, starts_at__gte=start, starts_at__lt=end
    )
    participants = Participant.objects.filter(session__in=held)
    measures = {
        "invitations": Count("pk", distinct=True),
        "attendances": Count("pk", filter=Q(attended=True), distinct=True),
    }
    labels = (("invitations", _("Invited")), ("attendances", _("Attended")))
    totals = participants.aggregate(
        **measures, people=Count("user", filter=Q(attended=True), distinct=True)
    )
    by_session_kind = list(
        held.values("kind")
        .annotate(
            sessions=Count("pk", distinct=True),
            invitations=Count("participants", distinct=True),
            attendances=Count("participants", filter=Q(participants__attended=True), distinct=True),
        )
        .order_by()
    )
    return Figures(
        totals=(
            Total("sessions", _("Sessions held"), sum(row["sessions"] for row in by_session_kind)),
            Total("invited", _("Invitations"), totals["invitations"]),
            Total("attended", _("Attendances"), totals["attendances"]),
            Total("people", _("People who attended at least once"), totals["people"]),
        ),
        breakdowns=(
            breakdown(
                "by_session_kind",
                _("By kind of session"),
                (("sessions", _("Sessions held")), *labels),
                by_session_kind,
                by="kind",
                labels=dict(AllianceSession.Kind.choices),
            ),
            *person_breakdowns(participants, measures, labels),
        ),
        note=_(
            "Sessions marked as held that started in the period; an invitation is one "
            "person invited to one session, an attendance one person present at one."
        ),
    )


# Recommendations -----------------------------------------------------------------------------


def recommendations_first_date() -> datetime.date | None:
    endorsed = Endorsement.objects.aggregate(first=Min("endorsed_at"))["first"]
    published = Recommendation.objects.filter(status=Recommendation.Status.PUBLISHED).aggregate(
        first=Min("published_at")
    )["first"]
    dates = [_date(d) for d in (endorsed, published) if d]
    return min(dates) if dates else None


def recommendations_figures(period_start: datetime.date, period_end: datetime.date) -> Figures:
    """Endorsements given by member states in the period (and not withdrawn by its end),
    the recommendations they endorse, and the recommendations published in the period,
    by sector. Three queries."""
    start, end = period_bounds(period_start, period_end)
    endorsements = Endorsement.objects.filter(endorsed_at__gte=start, endorsed_at__lt=end).filter(
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=end)
    )
    in_period = Q(
        status=Recommendation.Status.PUBLISHED, published_at__gte=start, published_at__lt=end
    )
    endorsed = Q(pk__in=endorsements.values("recommendation"))
    totals = endorsements.aggregate(
        endorsements=Count("pk"),
        recommendations=Count("recommendation", distinct=True),
        states=Count("member_state", distinct=True),
    )
    by_sector = list(
        Recommendation.objects.filter(in_period | endorsed)
        .values(sector=F("track__sector"))
        .annotate(
            published=Count("pk", filter=in_period),
            endorsed=Count("pk", filter=endorsed),
        )
        .order_by()
    )
    sector_names = {s.pk: s.name for s in Sector.objects.all()}
    published_total = sum(row["published"] for row in by_sector)
    return Figures(
        totals=(
            Total("published", _("Recommendations published"), published_total),
            Total("endorsed", _("Recommendations endorsed"), totals["recommendations"]),
            Total("endorsements", _("Endorsements by member states"), totals["endorsements"]),
            Total("endorsing_states", _("Member states that endorsed"), totals["states"]),
        ),
        breakdowns=(
            breakdown(
                "by_sector",
                _("By sector"),
                (("published", _("Published")), ("endorsed", _("Endorsed"))),
                by_sector,
                by="sector",
                labels=sector_names,
            ),
        ),
        note=_(
            "Recommendations published in the period, and those endorsed by a member state "
            "in the period (an endorsement withdrawn before its end does not count)."
        ),
    )
