"""What the alliance of the scale data set does (``bench/scale.py``): youth participants,
sessions and their invitations, trainings, recommendations and stories.

Rows are written in bulk with the values the services would have set on the way to each
state (who decided and when, reasons, sent and answered times), every lifecycle state
present. Dates run from three years ago to six months ahead, in the time zones where
the alliance's people live. What is skipped, and why, is listed in bench/README.md.
"""

import itertools
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bench.common import log
from bench.scale import (
    BENEFITING,
    SELF_DESCRIPTIONS,
    STAFF_EMAIL,
    ZONES,
    insert,
    keeping,
    make_staff,
    spread,
)

#: IOM staff accounts with two-factor: STAFF_EMAIL and these.
EXTRA_STAFF = ["Aoife Byrne", "Kwame Mensah", "Lucía Torres", "Sione Fifita"]
DEMONYMS = {
    "SV": "Salvadoran",
    "FJ": "Fijian",
    "GE": "Georgian",
    "MU": "Mauritian",
    "PE": "Peruvian",
}
HOSTS = ["US", "NZ", "AU", "DE", "FR", "ES", "GR", "GB", "IT", "CA"]
VENUES = [
    "IOM Headquarters, Geneva",
    "Ministry of Foreign Affairs, Lima",
    "University of the South Pacific, Suva",
    "Tbilisi State University, Tbilisi",
    "Port Louis Waterfront Conference Centre",
    "Centro de Convenciones, San Salvador",
]
TOPICS = [
    "Diaspora health workers and circular migration",
    "Remittances for climate adaptation",
    "Young women in diaspora entrepreneurship",
    "Mental health of returning migrants",
    "Skills transfer through short-term return",
    "Diaspora bonds and green investment",
    "Youth voices in disaster preparedness",
    "Recognition of qualifications abroad",
    "Telemedicine partnerships with the diaspora",
    "Gender-responsive diaspora policies",
]
TRACKS = {
    "health": ["Health workforce mobility", "Diaspora telemedicine", "Mental health", "Vaccines"],
    "gender-youth": ["Youth participation", "Women's leadership", "Education", "Safe migration"],
    "climate": ["Adaptation finance", "Disaster response", "Green skills", "Relocation"],
}
AGENDA = ["Welcome and introductions", "Presentation", "Discussion", "Next steps", "Close"]
LANGUAGES = {"en": 70, "fr": 15, "es": 15}
TIMEZONES = {zone: ZoneInfo(zone) for zone in ZONES}


class Member(NamedTuple):
    user_id: int
    email: str
    full_name: str
    org_id: int
    kind: str
    status: str
    member_state_id: int | None
    role: str


class World:
    """Who is in the alliance (built by ``build_members``) and what later parts need of
    each other: the youth, the sessions, the IOM staff and their TOTP secrets."""

    def __init__(self, *, rnd, staff, secrets, members, sectors, capitals, states):
        from django.utils import timezone

        self.rnd = rnd
        self.now = timezone.now()
        self.staff = staff
        self.secrets = secrets
        self.members = members
        self.sectors = sectors
        self.capitals = capitals
        self.states = states
        self.youth: list[tuple[int, str, str, bool, list[str]]] = []
        self.sessions: list[tuple[int, str, str, int | None]] = []
        self.story_authors: list[int] = []

    @classmethod
    def load(cls, *, seed: int) -> "World":
        """Read the members and add the IOM staff beyond ``STAFF_EMAIL``."""
        from allauth.mfa.adapter import get_adapter
        from allauth.mfa.models import Authenticator
        from django.contrib.auth import get_user_model

        from alliance.models import DiasporaCapital, Membership, MemberState, Organization, Sector

        first = get_user_model().objects.get(email=STAFF_EMAIL)
        stored = Authenticator.objects.get(user=first, type=Authenticator.Type.TOTP)
        staff, secrets = [first], [get_adapter().decrypt(stored.data["secret"])]
        for n, name in enumerate(EXTRA_STAFF, start=1):
            user, secret = make_staff(f"staff-{n}@bench.example.org", name)
            staff.append(user)
            secrets.append(secret)
        members = [
            Member(*row)
            for row in Membership.objects.exclude(organization__kind=Organization.Kind.IOM)
            .order_by("user_id")
            .values_list(
                "user_id",
                "user__email",
                "user__full_name",
                "organization_id",
                "organization__kind",
                "organization__status",
                "organization__member_state_id",
                "role",
            )
        ]
        log(f"{len(staff)} IOM staff, {len(members)} members read")
        return cls(
            rnd=random.Random(seed + 1),
            staff=staff,
            secrets=secrets,
            members=members,
            sectors=list(Sector.objects.order_by("position")),
            capitals=list(DiasporaCapital.objects.order_by("position")),
            states=list(MemberState.objects.order_by("pk")),
        )

    def verified(self, *kinds) -> list[Member]:
        return [m for m in self.members if m.status == "verified" and m.kind in kinds]

    def focal_points(self) -> dict[int, Member]:
        """Each member state's focal point (of its verified government body)."""
        return {
            m.member_state_id: m
            for m in self.verified("government")
            if m.role == "focal_point" and m.member_state_id
        }

    def org_admins(self) -> dict[int, Member]:
        """An administrator of each verified non-government organization."""
        return {
            m.org_id: m
            for m in self.verified("diaspora", "academia", "civil_society", "private_sector")
            if m.role == "admin"
        }

    def staff_member(self):
        return self.rnd.choice(self.staff)

    def accounts(self, per_role: int) -> dict:
        from bench.scale import BENCH_PASSWORD
        from gdpa.accounts import roles

        youth_ids = {pk for pk, *_rest in self.youth}
        benefiting = {s.pk for s in self.states if s.is_benefiting}
        focal = sorted(
            self.focal_points().values(), key=lambda m: (m.member_state_id not in benefiting,)
        )
        plain = [
            m
            for m in self.verified("diaspora")
            if m.role == "member" and m.user_id not in youth_ids
        ]
        wrote = set(self.story_authors)
        authors = [m for m in self.members if m.user_id in wrote]

        def emails(rows):
            return [m.email for m in rows[:per_role]]

        return {
            "password": BENCH_PASSWORD,
            "sign_in": "/account/login/",
            "totp": {"algorithm": "SHA1", "digits": 6, "period": 30},
            "roles": {
                roles.IOM_STAFF: [
                    {"email": user.email, "totp_secret": secret}
                    for user, secret in zip(self.staff, self.secrets, strict=True)
                ][:per_role],
                roles.FOCAL_POINT: emails(focal),
                roles.DIASPORA_LEADER: emails(
                    [m for m in self.org_admins().values() if m.kind == "diaspora"]
                ),
                roles.PARTNER: emails(self.verified("academia", "civil_society", "private_sector")),
                roles.MEMBER: emails(plain),
                roles.YOUTH: emails(authors),
            },
        }


def _counts_to(total: int, weights: list[float], caps: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights``, no share above its cap."""
    whole = sum(weights) or 1
    counts = [min(cap, int(total * w / whole)) for w, cap in zip(weights, caps, strict=True)]
    short = total - sum(counts)
    i = 0
    while short > 0 and i < 10 * len(counts):
        j = i % len(counts)
        if weights[j] and counts[j] < caps[j]:
            counts[j] += 1
            short -= 1
        i += 1
    return counts


def _local(rnd, day, zone: str, hours=(8, 9, 10, 11, 13, 14, 15, 16)) -> datetime:
    """A working hour on ``day`` in ``zone``, in UTC."""
    at = datetime.combine(day, clock(rnd.choice(hours), rnd.choice((0, 30))), TIMEZONES[zone])
    return at.astimezone(UTC)


def build_youth(world: World, size) -> None:
    """Youth participants: profiles with their consents (most also to public display),
    the gender they gave when joining (self-described, prefer not to say, or not stated
    among them), interests and heritage."""
    from django.contrib.auth import get_user_model

    from gdpa.accounts.models import Gender
    from youth.models import CONSENT_VERSION, PUBLIC_CONSENT_VERSION, YouthProfile

    rnd, now = world.rnd, world.now
    candidates = [m for m in world.members if m.kind != "government" and m.role == "member"]
    chosen = rnd.sample(candidates, min(size.youth, len(candidates)))
    genders = {
        Gender.WOMAN: 40,
        Gender.MAN: 36,
        Gender.NON_BINARY: 5,
        Gender.SELF_DESCRIBED: 3,
        Gender.PREFER_NOT_TO_SAY: 8,
        "": 8,
    }
    # The gender the person gives when joining is saved on their account (one UPDATE
    # per answer: a bulk_update of thousands of rows costs minutes on a busy machine).
    answers = defaultdict(list)
    for i, m in enumerate(chosen):
        gender = spread(rnd, i, genders)
        described = rnd.choice(SELF_DESCRIPTIONS) if gender == Gender.SELF_DESCRIBED else ""
        answers[gender, described].append(m.user_id)
    people = get_user_model().objects
    for (gender, described), ids in answers.items():
        people.filter(pk__in=ids).update(gender=gender, gender_self_description=described)

    today = now.date()

    def profiles():
        for i, m in enumerate(chosen):
            joined = now - timedelta(days=rnd.randrange(1, 900), minutes=rnd.randrange(1440))
            public = spread(rnd, i, {True: 60, False: 40})
            heritage = rnd.sample(BENEFITING, rnd.choice([1, 1, 1, 2]))
            host = rnd.choice(HOSTS)
            world.youth.append((m.user_id, m.email, m.full_name, public, heritage))
            yield YouthProfile(
                user_id=m.user_id,
                # 18 to 34 today: inside the default youth age range (YouthSettings).
                date_of_birth=today - timedelta(days=rnd.randrange(18 * 365 + 10, 35 * 365 - 10)),
                heritage_countries=heritage,
                about="I study public health and volunteer with my community's youth group.",
                country_of_residence=host,
                diaspora_community=f"{DEMONYMS[heritage[0]]} community in {host}",
                languages=rnd.choice(["English, Spanish", "English, French", "Georgian, English"]),
                organization_id=m.org_id
                if (m.kind, m.status) == ("diaspora", "verified")
                else None,
                consent_at=joined,
                consent_version=CONSENT_VERSION,
                public_consent_at=joined if public else None,
                public_consent_version=PUBLIC_CONSENT_VERSION if public else "",
                created_at=joined,
            )

    with keeping(YouthProfile, "created_at"):
        rows = insert(YouthProfile, profiles(), keep=lambda p: p.pk)
    Interest = YouthProfile.interests.through
    insert(
        Interest,
        (
            Interest(youthprofile_id=pk, sector_id=s.pk)
            for pk in rows
            for s in rnd.sample(world.sectors, rnd.randint(1, len(world.sectors)))
        ),
    )
    log(f"{len(rows)} youth participants")


def build_sessions(world: World, size) -> None:
    """Past and future sessions across time zones, with their agendas and invitations:
    answers spread as people answer, attendance and check-ins for held sessions, the
    published summaries, and the reminders owed for upcoming ones."""
    from django.contrib.contenttypes.models import ContentType

    from alliance.models import AgendaItem, AllianceSession, Participant, Reminder
    from alliance.services.reminders import reminders_for
    from gdpa.audit.models import AuditEntry

    rnd, now = world.rnd, world.now
    Status, Kind, Format = AllianceSession.Status, AllianceSession.Kind, AllianceSession.Format
    past_count = int(size.sessions * 0.75)
    kinds = {
        Kind.WORKING_GROUP: 45,
        Kind.PLENARY: 15,
        Kind.YOUTH_DIALOGUE: 20,
        Kind.TRAINING_BRIEFING: 20,
    }
    plans = []
    for i in range(size.sessions):
        past = i < past_count
        if past:
            status = spread(rnd, i, {Status.HELD: 88, Status.CANCELLED: 12})
            day = (now - timedelta(days=rnd.randrange(1, 1095))).date()
        else:
            status = spread(
                rnd, i - past_count, {Status.SCHEDULED: 80, Status.DRAFT: 12, Status.CANCELLED: 8}
            )
            day = (now + timedelta(days=rnd.randrange(1, 180))).date()
        kind = spread(rnd, i, kinds)
        weight = 0 if status == Status.DRAFT else rnd.lognormvariate(0, 0.6)
        plans.append((status, day, kind, weight * (3 if kind == Kind.PLENARY else 1)))

    everyone = [(m.user_id, m.email) for m in world.members]
    youth = [(pk, email) for pk, email, *_rest in world.youth]
    caps = [len(youth) if kind == Kind.YOUTH_DIALOGUE else len(everyone) for *_x, kind, _w in plans]
    invited = _counts_to(size.invitations, [w for *_x, w in plans], caps)
    sector_ids = [s.pk for s in world.sectors]

    def sessions():
        for i, ((status, day, kind, _w), count) in enumerate(zip(plans, invited, strict=True)):
            zone = ZONES[i % len(ZONES)]
            starts = _local(rnd, day, zone)
            form = spread(rnd, i, {Format.ONLINE: 55, Format.HYBRID: 25, Format.IN_PERSON: 20})
            sector = rnd.choice(sector_ids) if kind == Kind.WORKING_GROUP else None
            topic = rnd.choice(TOPICS)
            ends = starts + timedelta(minutes=rnd.choice((60, 90, 120, 180)))
            summary = status == Status.HELD and rnd.random() < 0.6
            sector_of.append(sector)
            yield AllianceSession(
                title=f"{Kind(kind).label}: {topic}",
                kind=kind,
                description=f"<p>{topic}: what members have tried, and what the alliance can do.</p>",
                time_zone=zone,
                starts_at=starts,
                ends_at=ends,
                format=form,
                join_url=f"https://meet.example.org/gdpa-{i}" if form != Format.IN_PERSON else "",
                venue=rnd.choice(VENUES) if form != Format.ONLINE else "",
                # A room holds those invited; online sessions have no limit.
                capacity=max(count, 1) if form == Format.IN_PERSON else None,
                language=spread(rnd, i, LANGUAGES),
                status=status,
                summary="<p>Members agreed to draft a recommendation.</p>" if summary else "",
                summary_published_at=ends + timedelta(days=2) if summary else None,
                created_by=world.staff_member(),
                created_at=starts - timedelta(days=40),
                updated_at=starts - timedelta(days=30),
            )

    sector_of = []  # the working group's sector, for the recommendation tracks
    with keeping(AllianceSession, "created_at", "updated_at"):
        rows = insert(AllianceSession, sessions(), keep=lambda s: s)
    world.sessions = [
        (s.pk, s.kind, s.status, sector) for s, sector in zip(rows, sector_of, strict=True)
    ]
    SessionSector = AllianceSession.sectors.through
    insert(
        SessionSector,
        (
            SessionSector(alliancesession_id=pk, sector_id=sector or rnd.choice(sector_ids))
            for pk, _kind, _status, sector in world.sessions
        ),
    )
    insert(
        AgendaItem,
        (
            AgendaItem(
                session=s, position=n, title=title, duration_minutes=rnd.choice((10, 15, 30))
            )
            for s in rows
            for n, title in enumerate(AGENDA[: rnd.randint(3, len(AGENDA))])
        ),
    )

    answers = {
        Status.HELD: {"accepted": 55, "tentative": 8, "declined": 15, "invited": 22},
        Status.CANCELLED: {"accepted": 40, "tentative": 10, "declined": 20, "invited": 30},
        Status.SCHEDULED: {"invited": 45, "accepted": 35, "tentative": 8, "declined": 12},
    }
    shows = {"accepted": 0.85, "tentative": 0.5, "invited": 0.1, "declined": 0.02}
    upcoming = defaultdict(list)

    def participants():
        for session, count in zip(rows, invited, strict=True):
            if not count:
                continue
            pool = youth if session.kind == Kind.YOUTH_DIALOGUE else everyone
            invited_at = session.starts_at - timedelta(days=21)
            for j, (user_id, email) in enumerate(rnd.sample(pool, count)):
                rsvp = spread(rnd, next(answer_n), answers[session.status])
                if pool is everyone and rnd.random() < 0.04:  # invited by address, no account
                    user_id, email = None, f"guest-{session.pk}-{j}@example.net"
                attended = session.status == Status.HELD and rnd.random() < shows[rsvp]
                answered = min(session.starts_at, now) - timedelta(hours=rnd.randrange(1, 400))
                going = rsvp in ("accepted", "tentative")
                yield Participant(
                    session=session,
                    user_id=user_id,
                    email=email.lower(),
                    language="" if user_id else session.language,
                    rsvp=rsvp,
                    responded_at=max(answered, invited_at) if rsvp != "invited" else None,
                    invited_at=invited_at,
                    invited_by=session.created_by,
                    invitation_sent_at=invited_at + timedelta(minutes=4),
                    notified_sequence=session.sequence,
                    attended=attended,
                    checked_in_at=(
                        session.starts_at + timedelta(minutes=rnd.randrange(-10, 20))
                        if attended and rnd.random() < 0.4
                        else None
                    ),
                    summary_sent_at=(
                        session.summary_published_at + timedelta(minutes=10)
                        if session.summary_published_at and (attended or going)
                        else None
                    ),
                )

    answer_n = itertools.count()
    with keeping(Participant, "invited_at"):
        kept = insert(Participant, participants(), keep=lambda p: (p.pk, p.session_id, p.rsvp))
    by_pk = {s.pk: s for s in rows}
    for pk, session_id, rsvp in kept:
        if by_pk[session_id].status == Status.SCHEDULED and rsvp in ("accepted", "tentative"):
            upcoming[session_id].append(pk)

    def reminders():
        for session_id, going in upcoming.items():
            for pk in going:
                yield from reminders_for(Participant(pk=pk), by_pk[session_id], now)

    insert(Reminder, reminders())
    target = ContentType.objects.get_for_model(AllianceSession)
    with keeping(AuditEntry, "at"):
        insert(
            AuditEntry,
            (
                AuditEntry(
                    actor=s.created_by,
                    actor_label=f"{s.created_by} <{s.created_by.email}>",
                    action="session.invite",
                    target_type=target,
                    target_id=str(s.pk),
                    target_label=s.title,
                    after={"invited": count, "already_invited": 0},
                    at=s.starts_at - timedelta(days=21),
                )
                for s, count in zip(rows, invited, strict=True)
                if count
            ),
        )
    log(f"{len(rows)} sessions, {sum(invited)} invitations")


def build_trainings(world: World, size) -> None:
    """Programmes for each audience and their offerings in every status, with meetings,
    enrollments in every status (approval, waiting list, withdrawal, decline), attendance
    at past meetings, completions by the offering's threshold, and feedback."""
    from trainings.models import Enrollment, Offering, TrainingMeeting, TrainingProgramme

    rnd, now = world.rnd, world.now
    today = now.date()
    Audience, Mode = TrainingProgramme.Audience, TrainingProgramme.Mode
    audiences = [Audience.GOVERNMENT, Audience.DIASPORA, Audience.YOUTH]
    programmes = insert(
        TrainingProgramme,
        (
            TrainingProgramme(
                title=f"{TOPICS[i % len(TOPICS)]} ({Audience(audiences[i % 3]).label})",
                summary="A practical course with case studies from the benefiting member states.",
                learning_objectives="Map your diaspora; design a programme; measure its results.",
                audience=audiences[i % 3],
                language=spread(rnd, i, LANGUAGES),
                mode=spread(rnd, i, {Mode.ONLINE: 60, Mode.BLENDED: 25, Mode.IN_PERSON: 15}),
                published=spread(rnd, i, {True: 90, False: 10}),
            )
            for i in range(size.programmes)
        ),
        keep=lambda p: p,
    )
    ProgrammeSector = TrainingProgramme.sectors.through
    insert(
        ProgrammeSector,
        (
            ProgrammeSector(trainingprogramme_id=p.pk, sector_id=s.pk)
            for p in programmes
            for s in rnd.sample(world.sectors, rnd.randint(1, 2))
        ),
    )

    Status = Offering.Status
    statuses = {Status.CLOSED: 58, Status.OPEN: 22, Status.DRAFT: 8, Status.CANCELLED: 12}
    plans = []
    for i in range(size.offerings):
        status = spread(rnd, i, statuses)
        if status == Status.OPEN or status == Status.DRAFT or rnd.random() < 0.15:
            starts = today + timedelta(days=rnd.randrange(14, 150))
        else:
            starts = today - timedelta(days=rnd.randrange(10, 1000))
        weight = 0 if status == Status.DRAFT else rnd.lognormvariate(0, 0.5)
        plans.append((status, starts, weight))
    pools = {
        Audience.GOVERNMENT: [m.user_id for m in world.verified("government")],
        Audience.DIASPORA: [
            m.user_id
            for m in world.verified("diaspora", "academia", "civil_society", "private_sector")
        ],
        Audience.YOUTH: [pk for pk, *_rest in world.youth],
    }
    programme_of = [programmes[i % len(programmes)] for i in range(size.offerings)]
    counts = _counts_to(
        size.enrollments,
        [w for *_x, w in plans],
        [len(pools[p.audience]) for p in programme_of],
    )

    def offerings():
        for i, ((status, starts, _w), programme, count) in enumerate(
            zip(plans, programme_of, counts, strict=True)
        ):
            zone = ZONES[(i * 7) % len(ZONES)]
            opens = datetime.combine(starts - timedelta(days=60), clock(9), TIMEZONES[zone])
            closes = datetime.combine(starts - timedelta(days=3), clock(17), TIMEZONES[zone])
            if status == Status.OPEN:
                opens = min(opens, now - timedelta(days=2))
            yield Offering(
                programme=programme,
                title=f"Cohort {i + 1}",
                starts_on=starts,
                ends_on=starts + timedelta(days=rnd.choice((0, 2, 4, 11, 20))),
                time_zone=zone,
                venue=rnd.choice(VENUES) if programme.mode != Mode.ONLINE else "",
                join_url=f"https://learn.example.org/c{i}"
                if programme.mode != Mode.IN_PERSON
                else "",
                countries=[rnd.choice(BENEFITING)] if rnd.random() < 0.4 else [],
                # Most cohorts fill up; some have a waiting list.
                capacity=max(1, round(count * rnd.uniform(0.7, 1.1))),
                enrollment_opens_at=opens,
                enrollment_closes_at=closes,
                needs_approval=i % 3 == 1 or rnd.random() < 0.2,
                completion_threshold=rnd.choice((75, 80, 80, 100)),
                status=status,
                created_at=opens - timedelta(days=10),
                updated_at=opens - timedelta(days=10),
            )

    with keeping(Offering, "created_at", "updated_at"):
        offers = insert(Offering, offerings(), keep=lambda o: o)

    def meetings():
        for offering in offers:
            days = (offering.ends_on - offering.starts_on).days
            n = min(rnd.randint(3, 6), days + 1) if days else rnd.randint(1, 2)
            for k in range(n):
                day = offering.starts_on + timedelta(days=round(k * days / max(n - 1, 1)))
                hour = 10 if days else 10 + 3 * k
                starts = datetime.combine(day, clock(hour), TIMEZONES[offering.time_zone])
                yield TrainingMeeting(
                    offering=offering,
                    title=f"Meeting {k + 1}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    created_at=offering.created_at,
                    updated_at=offering.created_at,
                )

    with keeping(TrainingMeeting, "created_at", "updated_at"):
        meeting_rows = insert(
            TrainingMeeting,
            meetings(),
            keep=lambda m: (m.pk, m.offering_id, m.starts_at, m.ends_at),
        )
    meetings_of = defaultdict(list)
    for row in meeting_rows:
        meetings_of[row[1]].append(row)

    nominators = [m.user_id for m in world.focal_points().values()]
    nominators += [m.user_id for m in world.org_admins().values()]

    def enrollments():
        for offering, count in zip(offers, counts, strict=True):
            if not count:
                continue
            pool = pools[offering.programme.audience]
            asked_until = min(offering.enrollment_closes_at, now)
            span = max(int((asked_until - offering.enrollment_opens_at).total_seconds()), 60)
            asked = sorted(
                offering.enrollment_opens_at + timedelta(seconds=rnd.randrange(span))
                for _ in range(count)
            )
            outcomes = {"seat": 80, "withdraw": 7}
            if offering.needs_approval:
                outcomes["decline"] = 8
                if offering.status == Status.OPEN:
                    outcomes["pending"] = 25
            seats = 0
            for j, (user_id, at) in enumerate(zip(rnd.sample(pool, count), asked, strict=True)):
                outcome = spread(rnd, j, outcomes)
                decided = at + timedelta(days=rnd.randint(1, 5))
                fields = {}
                if outcome == "seat":
                    status = (
                        Enrollment.Status.ENROLLED
                        if seats < offering.capacity
                        else Enrollment.Status.WAITLISTED
                    )
                    seats += status == Enrollment.Status.ENROLLED
                    if offering.needs_approval:
                        fields = {"decided_by": world.staff_member(), "decided_at": decided}
                elif outcome == "withdraw":
                    status = Enrollment.Status.WITHDRAWN
                    fields = {"withdrawn_at": decided}
                elif outcome == "decline":
                    status = Enrollment.Status.DECLINED
                    fields = {
                        "decided_by": world.staff_member(),
                        "decided_at": decided,
                        "decision_reason": "This cohort is for people working on health policy.",
                    }
                else:
                    status = Enrollment.Status.PENDING
                yield Enrollment(
                    offering=offering,
                    user_id=user_id,
                    status=status,
                    nominated_by_id=(
                        rnd.choice(nominators)
                        if offering.programme.audience != Audience.YOUTH and rnd.random() < 0.1
                        else None
                    ),
                    created_at=at,
                    updated_at=fields.get("decided_at") or fields.get("withdrawn_at") or at,
                    **fields,
                )

    with keeping(Enrollment, "updated_at"):
        enrolled = insert(
            Enrollment,
            enrollments(),
            keep=lambda e: (e.pk, e.offering_id, e.status),
        )
    _attend(world, offers, meetings_of, enrolled)
    log(f"{len(programmes)} programmes, {len(offers)} offerings, {len(enrolled)} enrollments")


def _attend(world: World, offers, meetings_of, enrolled) -> None:
    """Attendance at past meetings; completion where it meets the offering's threshold
    (``trainings.completion``); feedback from some of those who completed."""
    from trainings.models import Enrollment, MeetingAttendance, Offering, TrainingFeedback

    rnd, now = world.rnd, world.now
    by_offering = {o.pk: o for o in offers}
    completed = []

    def attendance():
        for pk, offering_id, status in enrolled:
            offering = by_offering[offering_id]
            if status != Enrollment.Status.ENROLLED or offering.status == Offering.Status.CANCELLED:
                continue
            meetings = meetings_of[offering_id]
            held = [m for m in meetings if m[2] < now]
            keen = rnd.uniform(0.5, 1.0)
            present = [m for m in held if rnd.random() < keen]
            for meeting_pk, _o, starts, _ends in present:
                by_staff = rnd.random() < 0.6
                yield MeetingAttendance(
                    meeting_id=meeting_pk,
                    enrollment_id=pk,
                    method=MeetingAttendance.Method.STAFF
                    if by_staff
                    else MeetingAttendance.Method.CODE,
                    recorded_by=world.staff_member() if by_staff else None,
                    recorded_at=starts + timedelta(minutes=20),
                )
            if (
                held
                and len(held) == len(meetings)
                and len(present) * 100 >= offering.completion_threshold * len(meetings)
            ):
                completed.append((pk, max(m[3] for m in meetings) + timedelta(hours=1)))

    attended = insert(MeetingAttendance, attendance(), keep=lambda a: a.pk)
    # What completion_update records: one UPDATE per offering (they share the time).
    by_time = defaultdict(list)
    for pk, at in completed:
        by_time[at].append(pk)
    for at, ids in by_time.items():
        Enrollment.objects.filter(pk__in=ids).update(completed_at=at)
    insert(
        TrainingFeedback,
        (
            TrainingFeedback(
                enrollment_id=pk,
                overall=rnd.choice((3, 4, 4, 5, 5)),
                content=rnd.choice((3, 4, 5)),
                facilitation=rnd.choice((2, 4, 5)),
                relevance=rnd.choice((3, 4, 5, 5)),
                comment=rnd.choice(("", "More time for case studies, please.", "Very useful.")),
            )
            for pk, _at in completed
            if rnd.random() < 0.45
        ),
    )
    log(f"{len(attended)} attendances, {len(completed)} completions")


def build_recommendations(world: World, size) -> None:
    """Tracks per sector linked to their working-group sessions; recommendations in every
    status with their versions, inputs (youth voices among them, most answered once the
    input period closed), member states' endorsements (some withdrawn) and supports."""
    from alliance.models import (
        Endorsement,
        OrganizationSupport,
        Recommendation,
        RecommendationTrack,
    )

    rnd, now = world.rnd, world.now
    tracks = insert(
        RecommendationTrack,
        (
            RecommendationTrack(
                sector=sector,
                title=TRACKS.get(sector.slug, TOPICS)[t % 4],
                description=f"The alliance's recommendations on {sector.name_en.lower()}.",
                created_by=world.staff[0],
            )
            for sector in world.sectors
            for t in range(size.tracks_per_sector)
        ),
        keep=lambda t: t,
    )
    tracks_of = defaultdict(list)
    for track in tracks:
        tracks_of[track.sector_id].append(track)
    TrackSession = RecommendationTrack.sessions.through
    insert(
        TrackSession,
        (
            TrackSession(
                recommendationtrack_id=rnd.choice(tracks_of[sector]).pk, alliancesession_id=pk
            )
            for pk, _kind, _status, sector in world.sessions
            if sector in tracks_of
        ),
    )

    Status = Recommendation.Status
    statuses = {
        Status.PUBLISHED: 38,
        Status.OPEN: 20,
        Status.REVIEW: 12,
        Status.DRAFT: 10,
        Status.ENDORSED: 10,
        Status.WITHDRAWN: 10,
    }

    def recommendations():
        for i in range(size.recommendations):
            status = spread(rnd, i, statuses)
            language = spread(rnd, i, LANGUAGES)
            closes = published = None
            if status == Status.DRAFT:
                created = now - timedelta(days=rnd.randrange(1, 120))
            elif status == Status.OPEN:
                created = now - timedelta(days=rnd.randrange(10, 200))
                closes = now + timedelta(days=rnd.randrange(3, 60))
            else:
                created = now - timedelta(days=rnd.randrange(200, 1000))
                closes = created + timedelta(days=45)
                if status == Status.PUBLISHED:
                    published = closes + timedelta(days=rnd.randrange(30, 120))
            topic = TOPICS[i % len(TOPICS)]
            translated = status == Status.PUBLISHED and rnd.random() < 0.7
            text = {
                code: (
                    f"{topic} ({code}) {i}",
                    f"<p>Member states should support {topic.lower()}.</p>",
                )
                if code == language or translated
                else ("", "")
                for code in ("en", "fr", "es")
            }
            yield Recommendation(
                track=rnd.choice(tracks),
                original_language=language,
                title_en=text["en"][0],
                title_fr=text["fr"][0],
                title_es=text["es"][0],
                text_en=text["en"][1],
                text_fr=text["fr"][1],
                text_es=text["es"][1],
                rationale="<p>Evidence from the benefiting member states' pilots.</p>",
                sdg_goals=sorted(rnd.sample(range(1, 18), rnd.randint(1, 3))),
                gcm_objectives=sorted({19, *rnd.sample(range(1, 24), rnd.randint(0, 2))}),
                nexus_pillar=rnd.choice(["", *Recommendation.Nexus.values]),
                status=status,
                input_closes_at=closes,
                published_at=published,
                position=i,
                created_by=world.staff_member(),
                created_at=created,
                updated_at=published or closes or created,
            )

    with keeping(Recommendation, "created_at", "updated_at"):
        recs = insert(Recommendation, recommendations(), keep=lambda r: r)
    _versions(recs)
    Capital = Recommendation.capitals.through
    insert(
        Capital,
        (
            Capital(recommendation_id=r.pk, diasporacapital_id=c.pk)
            for r in recs
            for c in rnd.sample(world.capitals, rnd.randint(1, 2))
        ),
    )
    inputs = _inputs(world, size, recs)

    focal = world.focal_points()
    states = [s for s in world.states if s.pk in focal]
    active_n = itertools.count()

    def endorsements():
        for r in recs:
            if r.status not in (Status.REVIEW, Status.ENDORSED, Status.PUBLISHED):
                continue
            wanted = {Status.REVIEW: (0, 6), Status.ENDORSED: (5, 40), Status.PUBLISHED: (10, 60)}
            low, high = wanted[r.status]
            until = r.published_at or now
            for state in rnd.sample(states, min(len(states), rnd.randint(low, high))):
                person = focal[state.pk]
                at = r.input_closes_at + (until - r.input_closes_at) * rnd.random()
                withdrawn = not spread(rnd, next(active_n), {True: 95, False: 5})
                yield Endorsement(
                    recommendation=r,
                    member_state=state,
                    endorsed_by_id=person.user_id,
                    endorsed_by_name=person.full_name,
                    endorsed_at=at,
                    withdrawn_at=at + (until - at) / 2 if withdrawn else None,
                    withdrawn_by_id=person.user_id if withdrawn else None,
                )

    endorsed = insert(Endorsement, endorsements(), keep=lambda e: e.pk)
    admins = list(world.org_admins().items())

    def supports():
        for r in recs:
            if r.status in (Status.DRAFT, Status.WITHDRAWN):
                continue
            for org_id, admin in rnd.sample(admins, min(len(admins), rnd.randint(0, 12))):
                yield OrganizationSupport(
                    recommendation=r,
                    organization_id=org_id,
                    given_by_id=admin.user_id,
                    created_at=r.created_at + (now - r.created_at) * rnd.random(),
                )

    with keeping(OrganizationSupport, "created_at"):
        supported = insert(OrganizationSupport, supports(), keep=lambda s: s.pk)
    log(
        f"{len(tracks)} tracks, {len(recs)} recommendations, {inputs} inputs, "
        f"{len(endorsed)} endorsements, {len(supported)} supports"
    )


def _versions(recs) -> None:
    """The versions the history page lists: the draft as written, and the recommendation
    as it is now when its status moved since (django-simple-history's rows)."""
    from alliance.models import Recommendation

    History = Recommendation.history.model
    copied = [f.attname for f in History._meta.fields if not f.name.startswith("history_")]

    def version(r, when, kind, **override):
        values = {name: getattr(r, name) for name in copied}
        values.update(override)
        return History(
            history_date=when, history_type=kind, history_user_id=r.created_by_id, **values
        )

    def versions():
        for r in recs:
            yield version(
                r,
                r.created_at,
                "+",
                status=Recommendation.Status.DRAFT,
                input_closes_at=None,
                published_at=None,
            )
            if r.status != Recommendation.Status.DRAFT:
                yield version(r, r.updated_at, "~")

    insert(History, versions())


def _inputs(world: World, size, recs) -> int:
    """Comments and amendments from members (some on behalf of their organization) and
    youth participants, given while input was open; staff answered most of those on
    recommendations that moved on, with a reason."""
    from alliance.models import Recommendation, RecommendationInput

    rnd, now = world.rnd, world.now
    Status, Input = Recommendation.Status, RecommendationInput.Status
    answers = {
        Status.OPEN: {
            Input.SUBMITTED: 70,
            Input.TAKEN_UP: 12,
            Input.MERGED: 6,
            Input.NOT_TAKEN_UP: 12,
        },
        Status.REVIEW: {
            Input.SUBMITTED: 35,
            Input.TAKEN_UP: 30,
            Input.MERGED: 15,
            Input.NOT_TAKEN_UP: 20,
        },
        Status.ENDORSED: {
            Input.TAKEN_UP: 45,
            Input.MERGED: 25,
            Input.NOT_TAKEN_UP: 28,
            Input.SUBMITTED: 2,
        },
        Status.PUBLISHED: {
            Input.TAKEN_UP: 45,
            Input.MERGED: 25,
            Input.NOT_TAKEN_UP: 28,
            Input.SUBMITTED: 2,
        },
        Status.WITHDRAWN: {Input.SUBMITTED: 50, Input.NOT_TAKEN_UP: 50},
    }
    weights = {
        Status.OPEN: 3,
        Status.REVIEW: 2,
        Status.ENDORSED: 1.5,
        Status.PUBLISHED: 1.5,
        Status.WITHDRAWN: 0.5,
    }
    open_ever = [r for r in recs if r.input_closes_at is not None]
    counts = _counts_to(
        size.inputs,
        [weights[r.status] * rnd.lognormvariate(0, 0.5) for r in open_ever],
        [size.inputs] * len(open_ever),
    )
    speakers = [m for m in world.members if m.status == "verified"]
    youth = world.youth
    given = itertools.count()

    def inputs():
        for r, count in zip(open_ever, counts, strict=True):
            until = min(r.input_closes_at, now)
            for _ in range(count):
                n = next(given)
                is_youth = spread(rnd, n, {True: 20, False: 80})
                organization = None
                if is_youth:
                    author_id, _email, name, *_rest = rnd.choice(youth)
                else:
                    m = rnd.choice(speakers)
                    author_id, name = m.user_id, m.full_name
                    organization = m.org_id if rnd.random() < 0.35 else None
                kind = spread(rnd, n, {"comment": 70, "amendment": 30})
                status = spread(rnd, n, answers[r.status])
                at = r.created_at + (until - r.created_at) * rnd.random()
                answered = status != Input.SUBMITTED
                yield RecommendationInput(
                    recommendation=r,
                    author_id=author_id,
                    author_name=name,
                    organization_id=organization,
                    kind=kind,
                    text="<p>In our community this works only with local health committees.</p>",
                    proposed_text=(
                        "<p>Member states should fund diaspora health committees.</p>"
                        if kind == "amendment"
                        else ""
                    ),
                    is_youth=is_youth,
                    status=status,
                    response="Reflected in the second paragraph." if answered else "",
                    responded_by=world.staff_member() if answered else None,
                    responded_at=at + (now - at) * rnd.uniform(0.05, 0.3) if answered else None,
                    created_at=at,
                )

    return len(insert(RecommendationInput, inputs(), keep=lambda i: i.pk))


def build_stories(world: World, size) -> None:
    """Youth Voices stories in every moderation state; published ones by authors who
    consent to public display, with the times and comments moderation leaves."""
    from youth.models import Story

    rnd, now = world.rnd, world.now
    Status = Story.Status
    statuses = {
        Status.PUBLISHED: 45,
        Status.DRAFT: 15,
        Status.SUBMITTED: 15,
        Status.CHANGES_REQUESTED: 10,
        Status.REJECTED: 7,
        Status.UNPUBLISHED: 8,
    }
    comments = {
        Status.CHANGES_REQUESTED: "Please add where this happened and remove the surname.",
        Status.REJECTED: "This is an advertisement, not a story.",
    }
    public = [y for y in world.youth if y[3]]
    moderated = {Status.PUBLISHED, Status.CHANGES_REQUESTED, Status.REJECTED, Status.UNPUBLISHED}

    def stories():
        for i in range(size.stories):
            status = spread(rnd, i, statuses)
            author_id, _email, _name, _public, heritage = rnd.choice(
                public if status == Status.PUBLISHED else world.youth
            )
            world.story_authors.append(author_id)
            created = now - timedelta(days=rnd.randrange(20, 900), minutes=rnd.randrange(1440))
            submitted = created + timedelta(days=rnd.randint(1, 5))
            decided = submitted + timedelta(days=rnd.randint(1, 7))
            topic = rnd.choice(TOPICS)
            yield Story(
                author_id=author_id,
                title=f"{topic}: my story",
                summary=f"How {topic.lower()} changed my family's life.",
                text=f"<p>{topic}. " + "My grandmother still lives there. " * 40 + "</p>",
                language=spread(rnd, i, LANGUAGES),
                sector=rnd.choice(world.sectors),
                country=heritage[0],
                video_url="https://video.example.org/watch?v=gdpa" if rnd.random() < 0.15 else "",
                status=status,
                moderation_comment=comments.get(status, ""),
                moderated_by=world.staff_member() if status in moderated else None,
                moderated_at=decided if status in moderated else None,
                submitted_at=submitted if status != Status.DRAFT else None,
                published_at=decided if status in (Status.PUBLISHED, Status.UNPUBLISHED) else None,
                created_at=created,
                updated_at=decided,
            )

    with keeping(Story, "updated_at"):
        rows = insert(Story, stories(), keep=lambda s: s.pk)
    log(f"{len(rows)} stories")


#: The models counted at the end, and the lifecycle field of each that has one.
COUNTED = [
    ("alliance.MemberState", None),
    ("alliance.Organization", "status"),
    ("accounts.User", None),
    ("account.EmailAddress", None),
    ("alliance.Membership", "role"),
    ("youth.YouthProfile", None),
    ("accounts.User", "gender"),
    ("alliance.AllianceSession", "status"),
    ("alliance.AgendaItem", None),
    ("alliance.Participant", "rsvp"),
    ("alliance.Reminder", None),
    ("trainings.TrainingProgramme", None),
    ("trainings.Offering", "status"),
    ("trainings.TrainingMeeting", None),
    ("trainings.Enrollment", "status"),
    ("trainings.MeetingAttendance", None),
    ("trainings.TrainingFeedback", None),
    ("alliance.RecommendationTrack", None),
    ("alliance.Recommendation", "status"),
    ("alliance.HistoricalRecommendation", None),
    ("alliance.RecommendationInput", "status"),
    ("alliance.Endorsement", None),
    ("alliance.OrganizationSupport", None),
    ("youth.Story", "status"),
    ("audit.AuditEntry", "action"),
]


def counts() -> dict:
    """Rows per model, and per state for the lifecycle fields."""
    from django.apps import apps
    from django.db.models import Count

    found = {}
    for label, field in COUNTED:
        qs = apps.get_model(label).objects.order_by()
        if field is None:
            found[label] = qs.count()
        else:
            found[f"{label}.{field}"] = dict(
                sorted(Counter(dict(qs.values_list(field).annotate(n=Count("pk")))).items())
            )
    return found
