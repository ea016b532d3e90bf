"""What trainings show on the staff pages of a person and of an organization
(registered in ``apps.py``): enrollments with their status, attendance, completion and
certificate; nominations the person made; an organization's people's enrollments.

Each ``context`` runs a fixed number of queries (aggregates and capped lists)."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gdpa.audit.selectors import about_objects
from gdpa.portal.records import capped
from gdpa.portal.registry import (
    RecordSection,
    register_organization_section,
    register_person_section,
)

from .models import Certificate, Enrollment, MeetingAttendance


def _with_progress(enrollments):
    """Enrollments with their offering, programme and certificate, and how many of the
    offering's meetings the person attended (one query)."""
    return enrollments.select_related("offering", "offering__programme", "certificate").annotate(
        meetings_attended=Count("attendance", distinct=True),
        meetings_total=Count("offering__meetings", distinct=True),
    )


def person_context(person) -> dict:
    """The person's enrollments, newest first, and the enrollments they asked for on
    someone else's behalf (nominations). Up to four queries."""
    enrollments = capped(
        _with_progress(Enrollment.objects.filter(user=person)).order_by("-created_at", "-pk")
    )
    nominations = capped(
        Enrollment.objects.filter(nominated_by=person)
        .exclude(user=person)
        .select_related("offering", "offering__programme", "user")
        .order_by("-created_at", "-pk")
    )
    return {"enrollments": enrollments, "nominations": nominations}


def person_audit(person) -> Q:
    """Their enrollments (asked, approved, declined, withdrawn, completed), attendance
    and certificates, and the nominations they made."""
    return (
        about_objects(Enrollment.objects.filter(Q(user=person) | Q(nominated_by=person)))
        | about_objects(MeetingAttendance.objects.filter(enrollment__user=person))
        | about_objects(Certificate.objects.filter(enrollment__user=person))
    )


def _of_people(organization):
    return Enrollment.objects.filter(user__memberships__organization=organization)


def organization_context(organization) -> dict:
    """Totals of its people's enrollments and the latest of them (two or three queries)."""
    figures = _of_people(organization).aggregate(
        total=Count("pk", distinct=True),
        people=Count("user", distinct=True),
        enrolled=Count("pk", filter=Q(status=Enrollment.Status.ENROLLED), distinct=True),
        waiting=Count(
            "pk",
            filter=Q(status__in=(Enrollment.Status.PENDING, Enrollment.Status.WAITLISTED)),
            distinct=True,
        ),
        completed=Count("pk", filter=Q(completed_at__isnull=False), distinct=True),
        certified=Count(
            "pk",
            filter=Q(certificate__isnull=False, certificate__revoked_at__isnull=True),
            distinct=True,
        ),
    )
    latest = capped(
        _of_people(organization)
        .select_related("offering", "offering__programme", "user")
        .order_by("-created_at", "-pk"),
        total=figures["total"],
    )
    return {"figures": figures, "enrollments": latest}


def register() -> None:
    register_person_section(
        RecordSection(
            "trainings",
            _("Trainings"),
            "trainings/records/person.html",
            person_context,
            order=50,
            audit=person_audit,
        )
    )
    register_organization_section(
        RecordSection(
            "trainings",
            _("Trainings of its people"),
            "trainings/records/organization.html",
            organization_context,
            order=50,
        )
    )
