"""Builders for the staff record page tests (a person's and an organization's): each
makes its data through the real services, as people would."""

import datetime as dt
import itertools

import time_machine
from django.utils import timezone

from alliance import services as alliance_services
from alliance.models import AllianceSession, Participant, Sector
from alliance.services import endorsements as alliance_endorsements
from alliance.services import recommendation_inputs
from alliance.services import recommendations as drafting
from trainings import attendance as training_attendance
from trainings import meetings as training_meetings
from trainings import services as training_services
from trainings.certificates import certificates_issue
from trainings.models import Offering, TrainingProgramme

_seq = itertools.count(1)


def open_recommendation(staff, title: str = ""):
    title = title or f"Diaspora climate finance {next(_seq)}"
    track = drafting.track_create(
        actor=staff, sector=Sector.objects.get(slug="climate"), title=f"Track for {title}"
    )
    draft = drafting.recommendation_create(
        actor=staff,
        track=track,
        original_language="en",
        title_en=title,
        text_en="<p>Match diaspora savings for adaptation.</p>",
    )
    return drafting.recommendation_transition(
        actor=staff,
        recommendation=draft,
        status="open",
        input_closes_at=timezone.now() + dt.timedelta(days=7),
    )


def give_input(person, recommendation, text: str = "Add remittances."):
    return recommendation_inputs.input_create(
        author=person, recommendation=recommendation, kind="comment", text=text
    )


def endorse(person, recommendation, member_state):
    return alliance_endorsements.endorse(
        actor=person, recommendation=recommendation, member_state=member_state
    )


def support(person, recommendation, organization):
    return alliance_endorsements.support_add(
        actor=person, recommendation=recommendation, organization=organization
    )


def session_with(staff, people, *, attended=(), accepted=(), title: str = ""):
    """A scheduled session the people are invited to; ``accepted`` answer yes and
    ``attended`` are marked present once it has started."""
    start = timezone.now() + dt.timedelta(days=10)
    session = alliance_services.session_create(
        actor=staff,
        title=title or f"Working group {next(_seq)}",
        kind=AllianceSession.Kind.WORKING_GROUP,
        time_zone="UTC",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        format=AllianceSession.Format.ONLINE,
        join_url="https://meet.example.org/gdpa",
        status=AllianceSession.Status.SCHEDULED,
    )
    alliance_services.session_invite(actor=staff, session=session, emails=[p.email for p in people])
    for person in accepted:
        participant = Participant.objects.get(session=session, email=person.email.lower())
        alliance_services.rsvp_set(participant=participant, answer="accepted", user=person)
    if attended:
        shown = list(Participant.objects.filter(session=session).values_list("pk", flat=True))
        present = list(
            Participant.objects.filter(
                session=session, email__in=[p.email.lower() for p in attended]
            ).values_list("pk", flat=True)
        )
        with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
            alliance_services.attendance_record(
                actor=staff, session=session, shown=shown, attended=present
            )
    return session


def offering(staff, *, audience=TrainingProgramme.Audience.GOVERNMENT, title: str = ""):
    now = timezone.now()
    programme = training_services.programme_create(
        actor=staff,
        title=title or f"Engaging your diaspora {next(_seq)}",
        summary="How governments work with their diasporas.",
        learning_objectives="Map the diaspora.",
        audience=audience,
        language="en",
        mode=TrainingProgramme.Mode.ONLINE,
        published=True,
    )
    return training_services.offering_create(
        actor=staff,
        programme=programme,
        title="Spring cohort",
        starts_on=(now + dt.timedelta(days=30)).date(),
        ends_on=(now + dt.timedelta(days=34)).date(),
        time_zone="UTC",
        join_url="https://meet.example.org/training",
        capacity=20,
        enrollment_opens_at=now - dt.timedelta(days=1),
        enrollment_closes_at=now + dt.timedelta(days=20),
        status=Offering.Status.OPEN,
    )


def complete_with_certificate(staff, offering, enrollments):
    """One meeting, every enrollment present, completed and certified."""
    start = dt.datetime.combine(offering.starts_on, dt.time(9), tzinfo=dt.UTC)
    meeting = training_meetings.meeting_create(
        actor=staff,
        offering=offering,
        title="Day 1",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
    )
    ids = [e.pk for e in enrollments]
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        training_attendance.attendance_record(actor=staff, meeting=meeting, shown=ids, attended=ids)
    return certificates_issue(actor=staff, offering=offering)
