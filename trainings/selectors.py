"""Every read of the trainings app, already shaped for its pages."""

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from alliance.models import Membership
from gdpa.prepared import FAR_PAST, PreparedRead

from .eligibility import eligible_people
from .feedback import feedback_refusal
from .models import Enrollment, Offering, TrainingFeedback, TrainingProgramme


def programmes_for_staff() -> QuerySet[TrainingProgramme]:
    return TrainingProgramme.objects.annotate(offering_count=Count("offerings")).order_by(
        "-created_at", "pk"
    )


def offerings_of(programme: TrainingProgramme) -> QuerySet[Offering]:
    return programme.offerings.order_by("starts_on", "pk")


def _open_offerings(*, country: str = "", starts_from=None, starts_until=None) -> QuerySet:
    """Open offerings, optionally for a country (those for it and those open to every
    country) and starting in a date range (both days included)."""
    offerings = Offering.objects.filter(status=Offering.Status.OPEN)
    if country:
        # Countries are stored as two-letter codes joined by commas, so a two-letter
        # substring can only be a whole code.
        offerings = offerings.filter(Q(countries="") | Q(countries__contains=country))
    if starts_from:
        offerings = offerings.filter(starts_on__gte=starts_from)
    if starts_until:
        offerings = offerings.filter(starts_on__lte=starts_until)
    return offerings


def catalogue(
    *,
    audience: str = "",
    sector=None,
    language: str = "",
    country: str = "",
    starts_from=None,
    starts_until=None,
) -> QuerySet:
    """Published programmes, filtered, each with its sectors and the open offerings that
    match the country and date filters prefetched (a fixed number of queries whatever the
    number of programmes). With a country or date filter, a programme without a matching
    open offering is left out."""
    programmes = TrainingProgramme.objects.filter(published=True)
    if audience:
        programmes = programmes.filter(audience=audience)
    if sector is not None:
        programmes = programmes.filter(sectors=sector)
    if language:
        programmes = programmes.filter(language=language)
    offerings = _open_offerings(country=country, starts_from=starts_from, starts_until=starts_until)
    if country or starts_from or starts_until:
        programmes = programmes.filter(Exists(offerings.filter(programme=OuterRef("pk"))))
    return programmes.prefetch_related(
        "sectors",
        Prefetch(
            "offerings", queryset=offerings.order_by("starts_on", "pk"), to_attr="open_offerings"
        ),
    ).order_by("title", "pk")


def offerings_shown(programme: TrainingProgramme, *, staff: bool) -> QuerySet[Offering]:
    """The offerings a programme page lists: staff see drafts too."""
    offerings = with_enrolled_counts(programme.offerings.order_by("starts_on", "pk"))
    return offerings if staff else offerings.exclude(status=Offering.Status.DRAFT)


def with_enrolled_counts(offerings: QuerySet[Offering]) -> QuerySet[Offering]:
    return offerings.annotate(
        enrolled_count=Count(
            "enrollments", filter=Q(enrollments__status=Enrollment.Status.ENROLLED)
        )
    )


def active_enrollment(user, offering: Offering) -> Enrollment | None:
    """The person's enrollment in the offering that is not withdrawn (one query)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Enrollment.objects.filter(user=user, offering=offering)
        .active()
        .select_related("nominated_by")
        .first()
    )


def waitlist_position(enrollment: Enrollment) -> int | None:
    if enrollment is None or enrollment.status != Enrollment.Status.WAITLISTED:
        return None
    return (
        Enrollment.objects.filter(
            offering_id=enrollment.offering_id,
            status=Enrollment.Status.WAITLISTED,
            created_at__lte=enrollment.created_at,
        )
        .exclude(created_at=enrollment.created_at, pk__gt=enrollment.pk)
        .count()
    )


#: How many enrollments the dashboard's trainings panel lists.
DASHBOARD_ENROLLMENTS = 10


def _enrollments_of(user, today) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(user=user)
        .filter(
            ~Q(status__in=Enrollment.CLOSED_STATUSES)
            | Q(status=Enrollment.Status.DECLINED, offering__ends_on__gte=today)
        )
        .select_related("offering", "offering__programme")
        .order_by("offering__starts_on", "pk")[:DASHBOARD_ENROLLMENTS]
    )


#: The dashboard's trainings panel: its SQL is compiled once.
_ENROLLMENTS = PreparedRead("trainings.enrollments_of", _enrollments_of, -1, FAR_PAST.date())


def enrollments_of(user) -> list[Enrollment]:
    """The person's enrollments that still matter, soonest offering first, with their
    offering and programme (one query): active ones (awaiting approval, enrolled,
    waiting) and those declined for an offering that has not ended (with the reason)."""
    return _ENROLLMENTS.rows(user.pk, timezone.localdate())


# Nominations and approval ------------------------------------------------------------------


def nomination_candidates(*, offering: Offering, organization, nominator) -> QuerySet:
    """The members of ``organization`` the nominator may put forward for ``offering``:
    eligible, without a place or a request already, themselves left out (one query)."""
    taken = Enrollment.objects.filter(offering=offering).active().values("user_id")
    return (
        get_user_model()
        .objects.filter(memberships__organization=organization)
        .filter(eligible_people(offering))
        .exclude(pk=nominator.pk)
        .exclude(pk__in=taken)
        .order_by("full_name", "email", "pk")
    )


def nominations_by(user, offering: Offering) -> QuerySet[Enrollment]:
    """The people ``user`` nominated for ``offering``, most recent first, whatever became
    of them (one query per page)."""
    return (
        Enrollment.objects.filter(offering=offering, nominated_by=user)
        .exclude(user=user)
        .select_related("user")
        .order_by("-created_at", "-pk")
    )


def seats_taken(offering_key: str = "offering"):
    """The seats taken in an offering, as a subquery for annotating rows whose path to the
    offering's id is ``offering_key`` (an enrollment's ``offering``, an offering's ``pk``)."""
    return Coalesce(
        Subquery(
            Enrollment.objects.filter(
                offering=OuterRef(offering_key), status=Enrollment.Status.ENROLLED
            )
            .order_by()
            .values("offering")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def pending_enrollments(*, offering_id: int | None = None) -> QuerySet[Enrollment]:
    """Enrollments awaiting IOM approval, oldest first, each with its person, their
    organizations, who nominated them and the offering's seats taken (a fixed number of
    queries per page)."""
    pending = Enrollment.objects.filter(status=Enrollment.Status.PENDING)
    if offering_id:
        pending = pending.filter(offering_id=offering_id)
    return (
        pending.select_related("user", "nominated_by", "offering", "offering__programme")
        .prefetch_related(
            Prefetch(
                "user__memberships",
                queryset=Membership.objects.select_related("organization"),
                to_attr="training_memberships",
            )
        )
        .annotate(offering_enrolled=seats_taken())
        .order_by("created_at", "pk")
    )


def offerings_awaiting_approval() -> list[tuple[int, str]]:
    """The offerings with enrollments awaiting approval, as filter choices (one query)."""
    offerings = (
        Offering.objects.filter(enrollments__status=Enrollment.Status.PENDING)
        .select_related("programme")
        .distinct()
        .order_by("starts_on", "pk")
    )
    return [(o.pk, str(o)) for o in offerings]


# Meetings, attendance and completion --------------------------------------------------------


def meetings_for_staff(offering: Offering) -> QuerySet:
    """The offering's meetings, each with how many learners attended (one query)."""
    from .models import TrainingMeeting

    return (
        TrainingMeeting.objects.filter(offering=offering)
        .annotate(attended_count=Count("attendance"))
        .order_by("starts_at", "pk")
    )


def attendance_rows(meeting) -> QuerySet[Enrollment]:
    """The learners enrolled in the meeting's offering, each with how they were recorded
    at this meeting (``present_method``, None when absent) and how many of the
    offering's meetings they attended: one query per page whatever the number."""
    from django.db.models import OuterRef, Subquery

    from .models import MeetingAttendance

    return (
        Enrollment.objects.filter(
            offering_id=meeting.offering_id, status=Enrollment.Status.ENROLLED
        )
        .select_related("user")
        .annotate(
            present_method=Subquery(
                MeetingAttendance.objects.filter(meeting=meeting, enrollment=OuterRef("pk")).values(
                    "method"
                )[:1]
            ),
            attended_count=Count(
                "attendance", filter=Q(attendance__meeting__offering_id=meeting.offering_id)
            ),
        )
        .order_by("user__full_name", "pk")
    )


def meetings_panel(
    user, offering: Offering, enrollment: Enrollment | None, *, eligible: bool | None = None
) -> dict:
    """What ``trainings/_meetings.html`` shows on the offering page: the meetings, the
    viewer's own attendance and completion, the check-in form while a meeting is under
    way, and the reminder before enrollment closes. A fixed number of queries.
    ``enrollment`` is the viewer's active one (``active_enrollment``); ``eligible``, when
    the page has asked, spares asking again."""
    from django.utils import timezone

    from .attendance import in_checkin_window
    from .forms import CheckinCodeForm
    from .models import MeetingAttendance
    from .reminders import window_reminder_of, window_reminder_refusal

    now = timezone.now()
    meetings = list(offering.meetings.order_by("starts_at", "pk"))
    enrolled = enrollment is not None and enrollment.status == Enrollment.Status.ENROLLED
    attended = (
        set(
            MeetingAttendance.objects.filter(enrollment=enrollment).values_list(
                "meeting_id", flat=True
            )
        )
        if enrolled
        else set()
    )
    for meeting in meetings:
        meeting.viewer_attended = meeting.pk in attended
    signed_in = getattr(user, "is_authenticated", False)
    may_ask = signed_in and enrollment is None
    reminder = window_reminder_of(user, offering) if may_ask else None
    return {
        "meetings": meetings,
        "enrolled": enrolled,
        "attended_count": len(attended),
        "completed_at": enrollment.completed_at if enrolled else None,
        "checkin_meeting": next((m for m in meetings if in_checkin_window(m, now)), None)
        if enrolled
        else None,
        "checkin_form": CheckinCodeForm(auto_id="checkin-%s"),
        "window_reminder": reminder,
        "can_ask_reminder": may_ask
        and reminder is None
        and window_reminder_refusal(
            user=user, offering=offering, now=now, eligible=eligible, enrolled=False
        )
        is None,
    }


# Feedback ---------------------------------------------------------------------------------


def feedback_offer(user, offering: Offering, enrollment: Enrollment | None) -> dict | None:
    """What the offering page offers the person about feedback: ``None`` when they
    cannot give any now, else whether they already have (at most two queries)."""
    if enrollment is None or enrollment.status != Enrollment.Status.ENROLLED:
        return None
    if feedback_refusal(user=user, offering=offering, enrollment=enrollment):
        return None
    return {"given": TrainingFeedback.objects.filter(enrollment=enrollment).exists()}


def feedback_of(enrollment: Enrollment | None) -> TrainingFeedback | None:
    if enrollment is None:
        return None
    return TrainingFeedback.objects.filter(enrollment=enrollment).first()


def _feedback_counted(offering: Offering) -> QuerySet[TrainingFeedback]:
    """The feedback that counts: from people enrolled in the offering now."""
    return TrainingFeedback.objects.filter(
        enrollment__offering=offering, enrollment__status=Enrollment.Status.ENROLLED
    )


def feedback_summary(offering: Offering) -> dict:
    """Responses, response rate, and per question the average and how many gave each
    rating (two queries whatever the number of responses)."""
    ratings = TrainingFeedback.Rating
    measures = {"responses": Count("pk")}
    for field, _label in TrainingFeedback.QUESTIONS:
        measures[f"{field}__avg"] = Avg(field)
        for value in ratings.values:
            measures[f"{field}__{value}"] = Count("pk", filter=Q(**{field: value}))
    totals = _feedback_counted(offering).aggregate(**measures)
    enrolled = offering.enrollments.filter(status=Enrollment.Status.ENROLLED).count()
    responses = totals["responses"]
    questions = []
    for field, label in TrainingFeedback.QUESTIONS:
        distribution = [
            {
                "value": value,
                "label": rating_label,
                "count": totals[f"{field}__{value}"],
                "percent": round(100 * totals[f"{field}__{value}"] / responses) if responses else 0,
            }
            for value, rating_label in ratings.choices
        ]
        average = totals[f"{field}__avg"]
        questions.append(
            {
                "field": field,
                "label": label,
                "average": round(average, 1) if average is not None else None,
                "distribution": distribution,
            }
        )
    return {
        "responses": responses,
        "enrolled": enrolled,
        "rate": round(100 * responses / enrolled) if enrolled else None,
        "questions": questions,
    }


def feedback_comments(offering: Offering) -> QuerySet:
    """The comments alone, newest first: no names, no dates, nothing that leads to the
    person (a query of plain strings)."""
    return (
        _feedback_counted(offering)
        .exclude(comment="")
        .order_by("-created_at", "-pk")
        .values_list("comment", flat=True)
    )


# Certificates ------------------------------------------------------------------------------


def certificate_of(enrollment: Enrollment | None):
    """The certificate of the person's active enrollment, valid or revoked, with its
    badge ``assertion_url`` (one query; none without an enrollment certificates go to)."""
    from .certificates import assertion_url
    from .models import Certificate

    if enrollment is None or enrollment.status != Enrollment.Status.ENROLLED:
        return None
    certificate = Certificate.objects.filter(enrollment=enrollment).first()
    if certificate is not None:
        certificate.assertion_url = assertion_url(certificate)
    return certificate


def completed_enrollments(offering: Offering) -> QuerySet[Enrollment]:
    """The offering's learners who completed it, each with their person and certificate
    (one query per page)."""
    return (
        Enrollment.objects.filter(
            offering=offering, status=Enrollment.Status.ENROLLED, completed_at__isnull=False
        )
        .select_related("user", "certificate")
        .order_by("user__full_name", "pk")
    )


def certificate_figures(offering: Offering) -> dict[str, int]:
    """How many completed, how many hold a certificate, how many PDFs are built or pending,
    how many are revoked (one query)."""
    completed = Q(status=Enrollment.Status.ENROLLED, completed_at__isnull=False)
    figures = Enrollment.objects.filter(offering=offering).aggregate(
        completed=Count("pk", filter=completed),
        to_issue=Count("pk", filter=completed & Q(certificate__isnull=True)),
        issued=Count("certificate"),
        revoked=Count("certificate", filter=Q(certificate__revoked_at__isnull=False)),
        built=Count(
            "certificate",
            filter=Q(certificate__pdf_built_at__isnull=False, certificate__revoked_at__isnull=True),
        ),
    )
    figures["pending"] = figures["issued"] - figures["revoked"] - figures["built"]
    return figures
