"""PDF reports of published recommendations (issue 9): what the PDF shows in each
language, the fingerprint, one stored file for an unchanged report, the build task's
limits and failures, the staff pages (htmx polling) and who may download."""

import datetime as dt
import io
import re

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from alliance import tasks
from alliance.models import (
    DiasporaCapital,
    Endorsement,
    Recommendation,
    RecommendationReport,
    Sector,
)
from alliance.permissions import endorsing_states
from alliance.services import endorsements, recommendation_inputs, reports
from alliance.services import recommendations as drafting
from gdpa import pdf as gdpa_pdf
from gdpa.audit.models import AuditEntry
from tests import factories
from youth.services import youth_profile_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_storage(settings):
    """A fresh in-memory storage per test, so stored files can be counted."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


CLIMATE_TITLE_FR = "Financement climatique de la diaspora"
HEALTH_TITLE = "Telehealth with diaspora doctors"
YOUTH_WORDS = "Young people can run the matching fund"


def publish(staff, recommendation, *, before_endorsement=None):
    """Take a draft through input, review and endorsement to publication."""
    recommendation = drafting.recommendation_transition(
        actor=staff,
        recommendation=recommendation,
        status="open",
        input_closes_at=timezone.now() + dt.timedelta(days=7),
    )
    if before_endorsement:
        before_endorsement(recommendation)
    for status in ("review", "endorsed", "published"):
        recommendation = drafting.recommendation_transition(
            actor=staff, recommendation=recommendation, status=status
        )
    return recommendation


@pytest.fixture
def youth():
    person = factories.make_user(full_name="Nadia K.")
    youth_profile_create(
        user=person, date_of_birth=dt.date(2002, 3, 4), heritage_countries=["MU"], consent=True
    )
    return person


@pytest.fixture
def published(staff, youth, member, leader, focal_point, diaspora_org):
    """Two published recommendations: climate (English and French, tagged, a youth voice
    taken up, a member's input for their organization, endorsed by Fiji, supported by the
    diaspora organization) and health (English only)."""
    climate = drafting.track_create(
        actor=staff, sector=Sector.objects.get(slug="climate"), title="Climate Action"
    )
    health = drafting.track_create(
        actor=staff, sector=Sector.objects.get(slug="health"), title="Health"
    )
    draft = drafting.recommendation_create(
        actor=staff,
        track=climate,
        original_language="en",
        title_en="Diaspora climate finance",
        title_fr=CLIMATE_TITLE_FR,
        text_en="<p>Match diaspora savings for adaptation.</p>",
        text_fr="<p>Abonder l'épargne de la diaspora pour l'adaptation.</p>",
        rationale="<p>Remittances dwarf aid.</p>",
        sdg_goals=[13, 10],
        gcm_objectives=[19],
        nexus_pillar="development",
        capitals=[DiasporaCapital.objects.get(slug="economic")],
    )

    def take_part(recommendation):
        voice = recommendation_inputs.input_create(
            author=youth,
            recommendation=recommendation,
            kind="comment",
            text=f"<p>{YOUTH_WORDS}.</p>",
        )
        other = recommendation_inputs.input_create(
            author=member,
            recommendation=recommendation,
            kind="comment",
            text="<p>Add remittance costs.</p>",
            organization=diaspora_org,
        )
        for given in (voice, other):
            recommendation_inputs.input_respond(
                actor=staff, given=given, status="taken_up", response="Added."
            )
        endorsements.endorse(
            actor=focal_point,
            recommendation=recommendation,
            member_state=endorsing_states(focal_point)[0],
        )
        endorsements.support_add(
            actor=leader, recommendation=recommendation, organization=diaspora_org
        )

    first = publish(staff, draft, before_endorsement=take_part)
    second = publish(
        staff,
        drafting.recommendation_create(
            actor=staff,
            track=health,
            original_language="en",
            title_en=HEALTH_TITLE,
            text_en="<p>Fund remote consultations.</p>",
        ),
    )
    return first, second


def ask(staff, capture, **fields) -> RecommendationReport:
    """Ask for a report and run the build the commit enqueues (tasks run eagerly)."""
    fields = {"title": "Alliance recommendations 2027", "language": "en", **fields}
    with capture(execute=True):
        report = reports.report_request(actor=staff, **fields)
    report.refresh_from_db()
    return report


def pdf_text(report: RecommendationReport) -> str:
    with report.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def stored_reports() -> list[str]:
    return default_storage.listdir("reports")[1]


# What the PDF shows ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_pdf_shows_cover_contents_sections_youth_voices_and_annex_in_its_language(
    staff, published, language, django_capture_on_commit_callbacks
):
    report = ask(staff, django_capture_on_commit_callbacks, language=language)
    assert report.status == RecommendationReport.Status.READY
    text = pdf_text(report)
    flat = " ".join(text.split())
    assert report.pages == len(PdfReader(report.pdf.open("rb")).pages) >= 5
    with translation.override(language):
        climate, health = Sector.objects.get(slug="climate"), Sector.objects.get(slug="health")
        labels = {
            "alliance": gettext("Global Diaspora Policy Alliance"),
            "contents": gettext("Contents"),
            "youth": gettext("Youth voices"),
            "annex": gettext("Annex: contributing organizations"),
            "rationale": gettext("Rationale"),
            "capitals": gettext("Diaspora capitals"),
            "marker": gettext("original language"),
            "fiji": str(focal_state_name()),
            "page": gettext("Page %(number)s of %(total)s") % {"number": 2, "total": report.pages},
            "sdg": gettext("SDG %(goal)s") % {"goal": 13},
            "gcm": gettext("GCM objective %(objective)s") % {"objective": 19},
        }
        # The PDF's text has plain spaces where French puts no-break ones.
        labels = {key: " ".join(value.split()) for key, value in labels.items()}
        sectors = (climate.name, health.name)
        development = str(Recommendation.Nexus.DEVELOPMENT.label)
        economic = DiasporaCapital.objects.get(slug="economic").name
    # The cover: the alliance, the IOM project and its identifiers, the report's title.
    assert labels["alliance"] in flat and "Alliance recommendations 2027" in flat
    assert "Harnessing Inclusive Global Alliances for Diaspora Engagement" in flat
    assert "CH10P1170" in flat and "TK.0042" in flat
    # The contents give each section with its page number; the running header and the
    # page counter are on the pages after the cover.
    assert labels["contents"] in flat
    for entry in (*sectors, labels["youth"], labels["annex"]):
        assert re.search(re.escape(entry) + r"[ .]*\d+", flat), entry
    assert labels["page"] in flat
    # One section per sector, each recommendation with its tags and endorsing states.
    assert labels["rationale"] in flat and labels["capitals"] in flat and economic in flat
    assert labels["sdg"] in flat and labels["gcm"] in flat and development in flat
    assert labels["fiji"] in flat
    if language == "fr":
        assert CLIMATE_TITLE_FR in flat and "Abonder l'épargne" in flat
        assert "Diaspora climate finance" not in flat
    else:
        assert "Diaspora climate finance" in flat
    # Recommendations not written in the report's language say they are the original.
    marked = re.findall(r"\(" + re.escape(labels["marker"]), flat)
    assert len(marked) == {"en": 0, "fr": 1, "es": 2}[language]
    if language != "en":
        assert re.search(re.escape(HEALTH_TITLE) + r" \(" + re.escape(labels["marker"]), flat)
    # Youth voices quote the inputs taken up, with the author's name as written.
    assert labels["youth"] in flat and YOUTH_WORDS in flat and "Nadia K." in flat
    # The annex: organizations that gave input or support.
    assert "Fiji Diaspora Network" in flat


def focal_state_name():
    from alliance.models import MemberState

    return MemberState.objects.get(country="FJ")


def test_french_and_spanish_labels_come_from_the_catalogues(
    staff, published, django_capture_on_commit_callbacks
):
    """Labels already translated show in the report's language, not in English."""
    french = " ".join(
        pdf_text(ask(staff, django_capture_on_commit_callbacks, language="fr")).split()
    )
    spanish = " ".join(
        pdf_text(ask(staff, django_capture_on_commit_callbacks, language="es")).split()
    )
    assert "Alliance mondiale pour les politiques relatives aux diasporas" in french
    assert "Page 2 sur" in french and "Justification" in french and "Fidji" in french
    assert "Action climatique" in french and "(langue originale" in french
    assert "Página 2 de" in spanish and "Acción climática" in spanish
    assert "(idioma original" in spanish
    assert "Page 2 of" not in french + spanish


def test_a_period_keeps_only_recommendations_published_in_it(
    staff, published, django_capture_on_commit_callbacks
):
    _climate, health = published
    Recommendation.objects.filter(pk=health.pk).update(
        published_at=timezone.now() - dt.timedelta(days=400)
    )
    today = timezone.now().date()
    report = ask(
        staff,
        django_capture_on_commit_callbacks,
        period_start=today - dt.timedelta(days=30),
        period_end=today,
    )
    flat = " ".join(pdf_text(report).split())
    assert "Diaspora climate finance" in flat and HEALTH_TITLE not in flat


def test_a_report_of_one_sector_leaves_the_others_out(
    staff, published, django_capture_on_commit_callbacks
):
    report = ask(
        staff, django_capture_on_commit_callbacks, sectors=[Sector.objects.get(slug="health")]
    )
    flat = " ".join(pdf_text(report).split())
    assert HEALTH_TITLE in flat and "Diaspora climate finance" not in flat
    assert YOUTH_WORDS not in flat and "Climate Action" not in flat


# Fingerprint and storing once ---------------------------------------------------------------


def test_the_fingerprint_changes_with_a_text_or_an_endorsement_and_not_otherwise(
    staff, published, django_capture_on_commit_callbacks
):
    climate, _health = published
    report = ask(staff, django_capture_on_commit_callbacks)
    before = reports.report_fingerprint(report)
    assert before == report.fingerprint

    # Things the PDF does not show: a draft, an input not taken up, the request's time.
    drafting.recommendation_create(
        actor=staff,
        track=climate.track,
        original_language="en",
        title_en="Still a draft",
        text_en="<p>Not published.</p>",
    )
    RecommendationReport.objects.filter(pk=report.pk).update(
        requested_at=timezone.now() - dt.timedelta(days=1)
    )
    report.refresh_from_db()
    assert reports.report_fingerprint(report) == before

    Recommendation.objects.filter(pk=climate.pk).update(text_en="<p>Match savings 2:1.</p>")
    changed_text = reports.report_fingerprint(report)
    assert changed_text != before

    Endorsement.objects.filter(recommendation=climate).update(withdrawn_at=timezone.now())
    assert reports.report_fingerprint(report) not in (before, changed_text)


def test_building_the_same_unchanged_report_twice_stores_it_once(
    staff, published, django_capture_on_commit_callbacks
):
    first = ask(staff, django_capture_on_commit_callbacks)
    assert stored_reports() == [first.pdf.name.split("/")[-1]]

    second = ask(staff, django_capture_on_commit_callbacks)
    assert second.pk != first.pk and second.status == RecommendationReport.Status.READY
    assert second.pdf.name == first.pdf.name and second.pages == first.pages
    assert second.fingerprint == first.fingerprint
    assert len(stored_reports()) == 1
    built = AuditEntry.objects.filter(action="recommendation_report.build").order_by("pk")
    assert [e.after["reused"] for e in built] == [None, first.pk]

    # Another language or changed data is rendered again.
    ask(staff, django_capture_on_commit_callbacks, language="fr")
    Endorsement.objects.update(withdrawn_at=timezone.now())
    third = ask(staff, django_capture_on_commit_callbacks)
    assert third.pdf.name != first.pdf.name
    assert len(stored_reports()) == 3


# The build task ------------------------------------------------------------------------------


def test_the_build_task_has_time_limits_below_the_visibility_timeout():
    task = tasks.build_recommendation_report
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert task.soft_time_limit == 120 and task.time_limit == 150 < visibility
    assert task.acks_late and task.max_retries == 2


def test_a_task_run_twice_builds_once(staff, published, django_capture_on_commit_callbacks):
    report = ask(staff, django_capture_on_commit_callbacks)
    assert tasks.build_recommendation_report.delay(report.pk).get() is False
    assert AuditEntry.objects.filter(action="recommendation_report.build").count() == 1


def test_a_failed_attempt_goes_back_to_the_queue_and_the_last_one_marks_it_failed(
    staff, published, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(report, content):
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(reports, "report_render", broken)
    with django_capture_on_commit_callbacks(execute=False):
        report = reports.report_request(actor=staff, title="Doomed", language="en")
    with pytest.raises(reports.ReportBuildFailed):
        reports.report_build(report_id=report.pk, last_attempt=False)
    report.refresh_from_db()
    assert report.status == RecommendationReport.Status.QUEUED
    assert report.error == "RuntimeError: layout exploded"
    assert reports.ReportBuildFailed in tasks.build_recommendation_report.autoretry_for

    assert reports.report_build(report_id=report.pk, last_attempt=True) is False
    report.refresh_from_db()
    assert report.status == RecommendationReport.Status.FAILED and not report.pdf


def test_without_a_broker_a_failed_build_is_marked_failed_at_once(
    client, staff, published, monkeypatch, django_capture_on_commit_callbacks
):
    """In-process (the embedded default), the staff member's request is not kept waiting
    for retries and gets no error page: the report page says it failed."""
    attempts = []

    def broken(report, content):
        attempts.append(report.pk)
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(reports, "report_render", broken)
    report = ask(staff, django_capture_on_commit_callbacks)
    assert attempts == [report.pk]
    assert report.status == RecommendationReport.Status.FAILED
    client.force_login(staff)
    page = client.get(reverse("alliance:report", args=[report.pk])).content.decode()
    assert "could not be built" in page and "RuntimeError: layout exploded" in page
    assert "hx-trigger" not in page


def allocate_past_the_limit(html, *, base_url):
    """A layout that needs four times the 16 MB the tests below allow (run in the child)."""
    return bytearray(64 * 1024 * 1024)


def test_a_report_too_large_for_the_memory_limit_fails_at_once_and_says_what_to_ask_for(
    client, staff, published, monkeypatch, settings, django_capture_on_commit_callbacks
):
    """The renderer runs out of its memory (a child process, so the worker lives on): the
    report fails without retries, since another attempt would need the same memory, and
    its page says what to ask for instead."""
    settings.PDF_MEMORY_LIMIT_MB = 16
    monkeypatch.setattr(gdpa_pdf, "layout", allocate_past_the_limit)
    with django_capture_on_commit_callbacks(execute=False):
        report = reports.report_request(actor=staff, title="Everything ever", language="en")
    assert reports.report_build(report_id=report.pk, last_attempt=False) is False
    report.refresh_from_db()
    assert report.status == RecommendationReport.Status.FAILED and not report.pdf
    assert report.error == (
        "The report needed more than 16 MB of memory to build, the most one PDF may use. "
        "Ask for fewer sectors or a shorter period. If it must cover all of it, the "
        "portal's administrators can raise PDF_MEMORY_LIMIT_MB."
    )
    client.force_login(staff)
    page = client.get(reverse("alliance:report", args=[report.pk])).content.decode()
    assert "could not be built" in page and "Ask for fewer sectors or a shorter period" in page

    # The worker carries on: the next report builds.
    monkeypatch.undo()
    settings.PDF_MEMORY_LIMIT_MB = 768
    with django_capture_on_commit_callbacks(execute=False):
        report = reports.report_request(actor=staff, title="Climate only", language="en")
    assert reports.report_build(report_id=report.pk) is True


def test_a_build_cut_off_by_the_soft_time_limit_fails_and_says_what_to_ask_for(
    client, staff, published, monkeypatch, django_capture_on_commit_callbacks
):
    def slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()  # what Celery raises in the task at 120 s

    monkeypatch.setattr(reports, "render_pdf", slow)
    report = ask(staff, django_capture_on_commit_callbacks)
    assert report.status == RecommendationReport.Status.FAILED
    assert report.error == (
        "The report took longer than 120 seconds to build, the most one PDF may take. "
        "Ask for fewer sectors or a shorter period."
    )
    client.force_login(staff)
    page = client.get(reverse("alliance:report", args=[report.pk])).content.decode()
    assert "took longer than 120 seconds" in page and "hx-trigger" not in page


def test_the_sweep_enqueues_reports_stuck_queued_or_building(
    staff, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        stuck = reports.report_request(actor=staff, title="Lost", language="en")
    with django_capture_on_commit_callbacks(execute=False):
        recent = reports.report_request(actor=staff, title="On its way", language="en")
    RecommendationReport.objects.filter(pk=stuck.pk).update(
        status=RecommendationReport.Status.BUILDING,
        requested_at=timezone.now() - reports.STUCK_AFTER - dt.timedelta(minutes=1),
    )
    assert tasks.sweep_recommendation_reports.delay().get() == 1
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.status == RecommendationReport.Status.READY
    assert recent.status == RecommendationReport.Status.QUEUED
    assert "sweep-recommendation-reports" in settings.CELERY_BEAT_SCHEDULE


# Staff pages ---------------------------------------------------------------------------------


def test_staff_ask_for_a_report_and_its_page_polls_until_it_is_ready(
    client, staff, published, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("alliance:report_create"),
            {
                "title": "Climate 2027",
                "sectors": [Sector.objects.get(slug="climate").pk],
                "language": "fr",
            },
        )
    report = RecommendationReport.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "alliance:report", args=[report.pk]
    )
    assert (report.status, report.language) == (RecommendationReport.Status.QUEUED, "fr")
    assert list(report.sectors.values_list("slug", flat=True)) == ["climate"]

    page = client.get(response.url).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'aria-live="polite"' in page
    assert reverse("alliance:report_download", args=[report.pk]) not in page

    for callback in callbacks:
        callback()
    region = client.get(response.url, HTTP_HX_REQUEST="true")
    body = region.content.decode()
    assert region.status_code == 200 and "HX-Request" in region["Vary"]
    assert body.lstrip().startswith('<div id="report-status"')
    assert "hx-trigger" not in body and "<html" not in body
    assert reverse("alliance:report_download", args=[report.pk]) in body
    report.refresh_from_db()
    assert f"<dd>{report.pages}</dd>" in body


def test_a_report_form_with_errors_answers_422_and_asks_for_nothing(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("alliance:report_create"),
        {"title": "", "language": "de", "period_start": "2027-05-01", "period_end": "2027-04-01"},
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["title"] == ["Enter the title of the report"]
    assert errors["language"] == ["Choose one of the options in the list"]
    assert errors["period_end"] == ["The end of the period must be after its start"]
    assert "There is a problem" in response.content.decode()
    assert not RecommendationReport.objects.exists()


def test_the_staff_list_runs_a_fixed_number_of_queries(
    client, staff, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    sectors = list(Sector.objects.all())

    def add(n):
        with django_capture_on_commit_callbacks(execute=False):
            for i in range(n):
                reports.report_request(
                    actor=staff, title=f"Report {i}", sectors=sectors[: i % 3], language="en"
                )

    add(2)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("alliance:staff_reports"))
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("alliance:staff_reports"))
    assert "Report 9" in response.content.decode()


def test_publishing_puts_the_report_on_the_public_page_and_is_audited(
    client, staff, published, django_capture_on_commit_callbacks
):
    report = ask(staff, django_capture_on_commit_callbacks)
    public_page = reverse("alliance:public_reports")
    assert report.title not in client.get(public_page).content.decode()

    client.force_login(staff)
    confirm = client.get(reverse("alliance:report_publish", args=[report.pk]))
    assert confirm.status_code == 200 and "Yes, publish it" in confirm.content.decode()
    assert client.post(reverse("alliance:report_publish", args=[report.pk])).status_code == 302
    client.logout()
    listing = client.get(public_page).content.decode()
    assert report.title in listing
    assert reverse("alliance:report_download", args=[report.pk]) in listing

    client.force_login(staff)
    client.post(reverse("alliance:report_unpublish", args=[report.pk]))
    report.refresh_from_db()
    assert not report.is_public
    assert list(
        AuditEntry.objects.filter(action__startswith="recommendation_report.p")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["recommendation_report.publish"]
    assert AuditEntry.objects.filter(action="recommendation_report.unpublish").count() == 1


# Who may download ------------------------------------------------------------------------------


def test_only_staff_download_a_private_report_and_anyone_a_public_one(
    client, staff, member, published, django_capture_on_commit_callbacks
):
    report = ask(staff, django_capture_on_commit_callbacks)
    url = reverse("alliance:report_download", args=[report.pk])
    assert client.get(url).status_code == 404
    client.force_login(member)
    assert client.get(url).status_code == 404

    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"alliance-recommendations-2027-{report.pk}.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    reports.report_publish(actor=staff, report=report)
    client.logout()
    assert client.get(url).status_code == 200
    client.force_login(member)
    assert client.get(url).status_code == 200


def test_a_report_not_ready_cannot_be_published_or_downloaded(
    client, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        report = reports.report_request(actor=staff, title="Queued", language="en")
    client.force_login(staff)
    response = client.post(reverse("alliance:report_publish", args=[report.pk]), follow=True)
    assert "Only a ready report can be published." in response.content.decode()
    report.refresh_from_db()
    assert not report.is_public
    assert client.get(reverse("alliance:report_download", args=[report.pk])).status_code == 404


def test_the_reports_data_takes_a_fixed_number_of_queries(
    staff, published, django_assert_num_queries, django_capture_on_commit_callbacks
):
    report = ask(staff, django_capture_on_commit_callbacks)
    with django_assert_num_queries(7):
        small = reports.report_content(report)
    climate, _health = published
    for i in range(3):
        extra = drafting.recommendation_create(
            actor=staff,
            track=climate.track,
            original_language="en",
            title_en=f"Extra {i}",
            text_en="<p>More.</p>",
        )
        Recommendation.objects.filter(pk=extra.pk).update(
            status="published", published_at=timezone.now()
        )
    with django_assert_num_queries(7):
        large = reports.report_content(report)
    assert large["count"] == small["count"] + 3
