"""Background data for the browser tests of the trainings, recommendations and Youth
Voices pages, built through the services as people would create it: each function
builds one area's objects, in the states its pages show, and returns them by name."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from alliance.models import Sector
from alliance.services import endorsements, recommendation_inputs, reports
from alliance.services import recommendations as drafting
from tests import factories
from trainings import services as training_services
from trainings.attendance import attendance_record
from trainings.certificates import certificates_issue
from trainings.feedback import feedback_save
from trainings.meetings import meeting_create
from trainings.models import Enrollment, Offering
from youth import stories

#: Long enough to be wider than a phone on one line: it must wrap, not widen the page.
LONG_EMAIL = (
    "mereoni.tuilau-nakalevu.diaspora-coordination-office@pacific-islands-community.example.org"
)


def jpeg_bytes() -> bytes:
    """A small photo: a 640 x 480 JPEG with a sea and a beach."""
    image = Image.new("RGB", (640, 480), (30, 110, 160))
    image.paste((220, 200, 150), (0, 320, 640, 480))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def running_offering(staff, programme):
    """An offering that started two days ago (in UTC), with two meetings already held;
    enrollment is still open."""

    now = timezone.now()
    offering = training_services.offering_create(
        actor=staff,
        programme=programme,
        title="Winter cohort, running now",
        starts_on=(now - datetime.timedelta(days=2)).date(),
        ends_on=(now + datetime.timedelta(days=3)).date(),
        time_zone="UTC",
        join_url="https://meet.example.org/winter",
        capacity=10,
        enrollment_opens_at=now - datetime.timedelta(days=10),
        enrollment_closes_at=now + datetime.timedelta(days=1),
        status=Offering.Status.OPEN,
    )
    for hours_ago, title in [(30, "Opening and mapping the diaspora"), (5, "Policy design")]:
        start = now - datetime.timedelta(hours=hours_ago)
        meeting_create(
            actor=staff,
            offering=offering,
            title=title,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
        )
    return offering


def training_world(staff, focal_point, government):
    """A government programme with an upcoming offering (a learner enrolled, one waiting,
    one nominated by the focal point, one pending in an offering needing approval), and a
    running one where the focal point attended both meetings, completed, gave feedback
    and holds a built certificate."""

    now = timezone.now()
    programme = factories.make_programme(
        staff=staff,
        title="Engaging your diaspora: policy design for ministries and consular networks",
    )
    upcoming = factories.make_offering(staff=staff, programme=programme, capacity=1)
    long_named = factories.make_user(email=LONG_EMAIL, full_name="Mereoni Tuilau-Nakalevu")
    officials = [
        factories.add_member(staff=staff, organization=government, user=long_named),
        factories.add_member(staff=staff, organization=government),
        factories.add_member(staff=staff, organization=government),
    ]
    training_services.enrollment_create(user=officials[0], offering=upcoming)
    training_services.enrollment_create(user=officials[1], offering=upcoming)  # waits
    training_services.nomination_create(
        nominator=focal_point,
        offering=upcoming,
        organization=government,
        person_pk=officials[2].pk,
    )
    approval = training_services.offering_create(
        actor=staff,
        programme=programme,
        title="Autumn cohort (IOM approves)",
        starts_on=(now + datetime.timedelta(days=60)).date(),
        ends_on=(now + datetime.timedelta(days=61)).date(),
        time_zone="Pacific/Fiji",
        join_url="https://meet.example.org/autumn",
        capacity=20,
        needs_approval=True,
        enrollment_opens_at=now - datetime.timedelta(days=1),
        enrollment_closes_at=now + datetime.timedelta(days=50),
        status=Offering.Status.OPEN,
    )
    training_services.enrollment_create(user=officials[0], offering=approval)

    running = running_offering(staff, programme)
    for person in (focal_point, long_named):
        training_services.enrollment_create(user=person, offering=running)
    enrolled = list(running.enrollments.values_list("pk", flat=True))
    for meeting in running.meetings.all():
        attendance_record(actor=staff, meeting=meeting, shown=enrolled, attended=enrolled)
    feedback_save(
        user=focal_point,
        offering=running,
        overall=5,
        content=4,
        facilitation=4,
        relevance=5,
        comment="Clear and useful.",
    )
    certificates_issue(actor=staff, offering=running)  # the PDFs build on commit
    certificate = Enrollment.objects.get(offering=running, user=focal_point).certificate
    nominee = Enrollment.objects.get(offering=upcoming, user=officials[2])
    return {
        "programme": programme,
        "upcoming": upcoming,
        "running": running,
        "meeting": running.meetings.order_by("starts_at").first(),
        "certificate": certificate,
        "nominee": nominee,
    }


def recommendation_world(staff, focal_point, leader, diaspora_org):
    """A published recommendation (a youth voice taken up, Fiji's endorsement, two
    versions) with a public report, and one open for input with a member's comment."""

    youth = factories.make_youth_participant(full_name="Nadia Ramgoolam-Beebeejaun")
    track = drafting.track_create(
        actor=staff, sector=Sector.objects.get(slug="climate"), title="Climate Action"
    )

    def draft(title):
        return drafting.recommendation_create(
            actor=staff,
            track=track,
            original_language="en",
            title_en=title,
            text_en="<p>Match diaspora savings with public funds for coastal adaptation.</p>",
        )

    published = draft("Diaspora climate finance for coastal adaptation")
    drafting.recommendation_update(
        actor=staff,
        recommendation=published,
        text_en="<p>Match diaspora savings with public funds for adaptation in the Pacific.</p>",
    )
    closes = timezone.now() + datetime.timedelta(days=7)
    drafting.recommendation_transition(
        actor=staff, recommendation=published, status="open", input_closes_at=closes
    )
    voice = recommendation_inputs.input_create(
        author=youth,
        recommendation=published,
        kind="comment",
        text="Young divers from the diaspora can map the reefs that need protecting first.",
    )
    recommendation_inputs.input_respond(
        actor=staff, given=voice, status="taken_up", response="Added as the first measure."
    )
    state = factories.make_member_state(actor=staff, country="FJ")
    endorsements.endorse(actor=focal_point, recommendation=published, member_state=state)
    for status in ("review", "endorsed", "published"):
        drafting.recommendation_transition(actor=staff, recommendation=published, status=status)

    open_one = draft("Remittance data shared with the ministries of health")
    drafting.recommendation_transition(
        actor=staff, recommendation=open_one, status="open", input_closes_at=closes
    )
    recommendation_inputs.input_create(
        author=leader,
        recommendation=open_one,
        kind="amendment",
        text="Name the ministries; " + LONG_EMAIL + " coordinates the data.",
        proposed_text="Remittance data is shared every quarter with the ministries of health.",
        organization=diaspora_org,
    )
    endorsement = endorsements.endorse(
        actor=focal_point, recommendation=open_one, member_state=state
    )
    report = reports.report_request(
        actor=staff, title="Climate recommendations 2027", language="en"
    )  # built on commit
    report.refresh_from_db()
    reports.report_publish(actor=staff, report=report)
    return {
        "track": track,
        "published": published,
        "open": open_one,
        "endorsement": endorsement,
        "report": report,
        "youth": youth,
        "version": published.history.order_by("history_id").last(),
    }


def youth_voices_world(staff):
    """A youth participant with a published story (with a photo), a draft and a story
    waiting for moderation."""

    author = factories.make_youth_participant(
        full_name="Teuea Kaiteie-Tebwebwe", public_consent=True
    )

    def write(title, **extra):
        return stories.story_create(
            author=author,
            title=title,
            summary="Our youth group planted 2,000 mangroves against erosion.",
            text="The sea takes a little more of our island every year.\n\nWe planted.",
            language="en",
            sector=Sector.objects.get(slug="climate"),
            country="KI",
            **extra,
        )

    published = write(
        "Mangroves we planted in Tarawa",
        photo=SimpleUploadedFile("mangroves.jpg", jpeg_bytes(), content_type="image/jpeg"),
        photo_alt="Three young women planting mangrove seedlings on a beach",
    )
    stories.story_submit(author=author, story=published)
    stories.story_publish(actor=staff, story=published)
    waiting = write("A reef survey by diaspora divers")
    stories.story_submit(author=author, story=waiting)
    draft = write("Solar lamps for the outer islands")
    return {"author": author, "published": published, "waiting": waiting, "draft": draft}
