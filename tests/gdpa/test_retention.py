"""Retention: each rule deletes what is older than its period and keeps what is younger
or still needed; files go from storage only once the deletion commits; the log says what
went; one failing rule does not stop the others; a dry run deletes nothing."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from alliance import services as alliance_services
from alliance.models import Invitation, RecommendationReport, StaffImport, StaffImportRow
from gdpa.accounts.models import User
from gdpa.audit.models import AuditEntry
from gdpa.exports.models import ExportJob
from gdpa.notify.models import OutboundEmail, RecipientAddress
from gdpa.results.models import DonorReport
from gdpa.retention import registry
from gdpa.retention.models import RetentionLogEntry, RetentionRun
from gdpa.retention.services import retention_apply
from gdpa.retention.tasks import apply_retention
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
LONG_AGO = timedelta(days=400)


def _past(delta):
    return time_machine.travel(timezone.now() - delta, tick=False)


def _apply(capture):
    """Run the rules as the daily task does, with the on-commit file deletions run."""
    with capture(execute=True):
        return retention_apply()


def _entry(run, key) -> RetentionLogEntry:
    return run.entries.get(rule_key=key)


# Unverified accounts ----------------------------------------------------------------------


def test_stale_unverified_accounts_go_and_everyone_else_stays(
    staff, diaspora_org, django_capture_on_commit_callbacks
):
    with _past(timedelta(days=31)):
        stale = factories.make_user(email="stale@example.org")
        EmailAddress.objects.filter(user=stale).update(verified=False)
        confirmation = _email(OutboundEmail.Status.SENT, user=stale, to_email=stale.email)
        still_to_send = _email(OutboundEmail.Status.QUEUED, user=stale, to_email=stale.email)
        joined = factories.make_user(email="joined@example.org")
        EmailAddress.objects.filter(user=joined).update(verified=False)
        factories.add_member(staff=staff, organization=diaspora_org, user=joined)
        factories.make_user(email="verified@example.org")
        signed_in = factories.make_user(email="signedin@example.org")
        EmailAddress.objects.filter(user=signed_in).update(verified=False)
        User.objects.filter(pk=signed_in.pk).update(last_login=timezone.now())
    with _past(timedelta(days=29)):
        recent = factories.make_user(email="recent@example.org")
        EmailAddress.objects.filter(user=recent).update(verified=False)

    run = _apply(django_capture_on_commit_callbacks)

    assert not User.objects.filter(pk=stale.pk).exists()
    assert not EmailAddress.objects.filter(email="stale@example.org").exists()
    # Its sent confirmation e-mail goes with it; one still to be sent stays.
    assert not OutboundEmail.objects.filter(pk=confirmation.pk).exists()
    assert OutboundEmail.objects.filter(pk=still_to_send.pk, user=None).exists()
    kept = set(User.objects.values_list("email", flat=True))
    assert {
        "joined@example.org",
        "verified@example.org",
        "signedin@example.org",
        "recent@example.org",
    } <= kept
    assert _entry(run, "unverified_accounts").deleted == 1


def test_an_unverified_account_with_a_youth_profile_is_kept(db, django_capture_on_commit_callbacks):
    with _past(timedelta(days=60)):
        youth = factories.make_youth_participant()
        EmailAddress.objects.filter(user=youth).update(verified=False)
    _apply(django_capture_on_commit_callbacks)
    assert User.objects.filter(pk=youth.pk).exists()


# Invitations ------------------------------------------------------------------------------


def test_expired_and_revoked_invitations_go_accepted_and_open_ones_stay(
    diaspora_org, leader, django_capture_on_commit_callbacks
):
    with _past(LONG_AGO):
        expired = alliance_services.invitation_create(
            actor=leader, organization=diaspora_org, email="expired@example.org", role="member"
        )
        revoked = alliance_services.invitation_create(
            actor=leader, organization=diaspora_org, email="revoked@example.org", role="member"
        )
        alliance_services.invitation_revoke(actor=leader, invitation=revoked)
        person = factories.make_user(email="accepted@example.org")
        accepted = alliance_services.invitation_create(
            actor=leader, organization=diaspora_org, email=person.email, role="member"
        )
        alliance_services.invitation_accept(
            user=person, token=alliance_services.invitation_token(accepted)
        )
    recent = alliance_services.invitation_create(
        actor=leader, organization=diaspora_org, email="recent@example.org", role="member"
    )

    run = _apply(django_capture_on_commit_callbacks)

    left = set(Invitation.objects.values_list("pk", flat=True))
    assert expired.pk not in left and revoked.pk not in left
    assert {accepted.pk, recent.pk} <= left
    assert _entry(run, "invitations").deleted == 2


# Report files -----------------------------------------------------------------------------


def _recommendation_report(*, public: bool, status=RecommendationReport.Status.READY):
    report = RecommendationReport.objects.create(
        title="Report", language="en", status=status, is_public=public
    )
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.7 report"), save=True)
    return report


def test_old_private_recommendation_reports_go_with_their_file_public_ones_stay(
    db, django_capture_on_commit_callbacks
):
    with _past(timedelta(days=91)):
        old_private = _recommendation_report(public=False)
        old_public = _recommendation_report(public=True)
        building = _recommendation_report(public=False, status=RecommendationReport.Status.BUILDING)
    young = _recommendation_report(public=False)
    old_file = old_private.pdf.name

    run = _apply(django_capture_on_commit_callbacks)

    assert not RecommendationReport.objects.filter(pk=old_private.pk).exists()
    assert not default_storage.exists(old_file)
    for kept in (old_public, building, young):
        kept.refresh_from_db()
        assert default_storage.exists(kept.pdf.name)
    assert _entry(run, "recommendation_reports").deleted == 1


def test_old_donor_reports_go_with_their_file(staff, django_capture_on_commit_callbacks):
    def report():
        made = DonorReport.objects.create(
            period_start="2026-01-01",
            period_end="2026-03-31",
            language="en",
            status=DonorReport.Status.READY,
        )
        made.pdf.save("donor.pdf", ContentFile(b"%PDF-1.7 donor"), save=True)
        return made

    with _past(LONG_AGO):
        old = report()
    young = report()
    storage, old_name = old.pdf.storage, old.pdf.name

    run = _apply(django_capture_on_commit_callbacks)

    assert not DonorReport.objects.filter(pk=old.pk).exists()
    assert not storage.exists(old_name)
    assert DonorReport.objects.filter(pk=young.pk).exists()
    assert storage.exists(young.pdf.name)
    assert _entry(run, "donor_reports").deleted == 1


# Exports ----------------------------------------------------------------------------------


def test_expired_and_failed_exports_go_live_links_stay(staff, django_capture_on_commit_callbacks):
    def job(status, **extra):
        made = ExportJob.objects.create(
            requested_by=staff, dataset="people", format="csv", status=status, **extra
        )
        return made

    with _past(timedelta(days=31)):
        expired = job(ExportJob.Status.EXPIRED)
        failed = job(ExportJob.Status.FAILED)
        failed.file.save("left.csv", ContentFile(b"a,b\n"), save=True)
        live = job(ExportJob.Status.DONE, expires_at=timezone.now() + timedelta(days=60))
    young = job(ExportJob.Status.EXPIRED)
    storage, leftover = failed.file.storage, failed.file.name

    run = _apply(django_capture_on_commit_callbacks)

    left = set(ExportJob.objects.values_list("pk", flat=True))
    assert expired.pk not in left and failed.pk not in left
    assert {live.pk, young.pk} <= left
    assert not storage.exists(leftover)
    assert _entry(run, "exports").deleted == 2


# Staff imports ----------------------------------------------------------------------------


def test_old_finished_imports_go_with_their_rows_running_ones_stay(
    staff, django_capture_on_commit_callbacks
):
    with _past(LONG_AGO):
        done = StaffImport.objects.create(
            token="old",
            kind=StaffImport.Kind.ORGANIZATIONS,
            file_name="orgs.csv",
            status=StaffImport.Status.DONE,
            finished_at=timezone.now(),
        )
        StaffImportRow.objects.create(run=done, line=2, label="Someone", created=True)
        running = StaffImport.objects.create(
            token="running", kind=StaffImport.Kind.ORGANIZATIONS, file_name="orgs.csv"
        )
    recent = StaffImport.objects.create(
        token="recent",
        kind=StaffImport.Kind.ORGANIZATIONS,
        file_name="orgs.csv",
        status=StaffImport.Status.DONE,
        finished_at=timezone.now(),
    )

    run = _apply(django_capture_on_commit_callbacks)

    left = set(StaffImport.objects.values_list("pk", flat=True))
    assert done.pk not in left and {running.pk, recent.pk} <= left
    assert not StaffImportRow.objects.filter(run_id=done.pk).exists()
    assert _entry(run, "staff_imports").deleted == 1


# Sent e-mails -----------------------------------------------------------------------------


def _email(status, **extra):
    extra.setdefault("to_email", "someone@example.org")
    return OutboundEmail.objects.create(
        kind="test",
        language="en",
        subject="Hello",
        body_text="" if status != OutboundEmail.Status.QUEUED else "Body",
        status=status,
        **extra,
    )


def test_old_sent_emails_go_suppression_and_pending_ones_stay(
    db, django_capture_on_commit_callbacks
):
    with _past(LONG_AGO):
        sent = _email(OutboundEmail.Status.SENT, bodies_cleared_at=timezone.now())
        resendable = _email(OutboundEmail.Status.FAILED)
        queued = _email(OutboundEmail.Status.QUEUED)
        cause = _email(OutboundEmail.Status.BOUNCED, bodies_cleared_at=timezone.now())
        suppression = RecipientAddress.objects.create(
            address="someone@example.org",
            hard_bounces=2,
            reason=RecipientAddress.Reason.BOUNCED,
            suppressed_at=timezone.now(),
            cause=cause,
        )
    young = _email(OutboundEmail.Status.SENT, bodies_cleared_at=timezone.now())

    run = _apply(django_capture_on_commit_callbacks)

    left = set(OutboundEmail.objects.values_list("pk", flat=True))
    assert sent.pk not in left
    assert {resendable.pk, queued.pk, cause.pk, young.pk} <= left
    assert RecipientAddress.objects.filter(pk=suppression.pk, cause=cause).exists()
    assert _entry(run, "sent_emails").deleted == 1


# The run, its log, failures and dry runs --------------------------------------------------


def test_the_log_records_each_rule_with_its_period_and_a_second_run_deletes_nothing(
    db, django_capture_on_commit_callbacks
):
    with _past(timedelta(days=91)):
        _recommendation_report(public=False)
        _recommendation_report(public=False)

    first = _apply(django_capture_on_commit_callbacks)
    second = _apply(django_capture_on_commit_callbacks)

    entry = _entry(first, "recommendation_reports")
    assert (entry.deleted, entry.period_days, entry.error) == (2, 90, "")
    assert first.deleted_total == 2 and first.finished_at is not None
    assert {e.rule_key for e in first.entries.all()} == {r.key for r in registry.rules()}
    assert second.deleted_total == 0
    assert AuditEntry.objects.filter(action="retention.apply").count() == 2


def test_the_periodic_task_is_scheduled_daily_and_runs_the_rules(
    db, settings, django_capture_on_commit_callbacks
):
    schedule = [s for s in settings.CELERY_BEAT_SCHEDULE.values() if "retention" in s["task"]]
    assert schedule == [{"task": "gdpa.retention.tasks.apply_retention", "schedule": 86400.0}]
    with django_capture_on_commit_callbacks(execute=True):
        run_id = apply_retention.delay().get()
    assert RetentionRun.objects.get(pk=run_id).entries.count() == len(registry.rules())


@pytest.fixture
def breaking_rule():
    """A rule that deletes a report (and asks for its file to go), then fails."""

    def purge(now, cutoff):
        report = RecommendationReport.objects.get(title="Doomed")
        registry.delete_file_on_commit(report.pdf)
        report.delete()
        raise RuntimeError("someone@example.org broke it")

    registry.register_rule(
        registry.RetentionRule(
            key="aaa_breaks",
            label="Breaks",
            period_setting="aaa_breaks",
            default_days=1,
            purge=purge,
        )
    )
    yield
    registry.unregister_rule("aaa_breaks")


def test_a_failing_rule_is_rolled_back_logged_and_does_not_stop_the_others(
    db, breaking_rule, django_capture_on_commit_callbacks
):
    doomed = RecommendationReport.objects.create(title="Doomed", language="en", is_public=True)
    doomed.pdf.save("doomed.pdf", ContentFile(b"%PDF"), save=True)
    with _past(timedelta(days=91)):
        old = _recommendation_report(public=False)

    run = _apply(django_capture_on_commit_callbacks)

    # The failed rule's deletion was rolled back, and its file was not deleted.
    assert RecommendationReport.objects.filter(pk=doomed.pk).exists()
    assert default_storage.exists(doomed.pdf.name)
    failed = _entry(run, "aaa_breaks")
    assert failed.error == "RuntimeError" and failed.deleted == 0
    assert "example.org" not in failed.error  # the message may carry personal data
    assert run.failed_rules == 1
    # The rules after it ran.
    assert not RecommendationReport.objects.filter(pk=old.pk).exists()
    assert _entry(run, "recommendation_reports").deleted == 1


def test_dry_run_prints_what_would_go_and_deletes_nothing(
    db, capsys, django_capture_on_commit_callbacks
):
    with _past(timedelta(days=91)):
        old = _recommendation_report(public=False)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("apply_retention", "--dry-run")

    out = capsys.readouterr().out
    assert "recommendation_reports: 1 would be deleted" in out
    assert "nothing was deleted" in out
    assert callbacks == []
    assert RecommendationReport.objects.filter(pk=old.pk).exists()
    assert default_storage.exists(old.pdf.name)
    assert not RetentionRun.objects.exists()


def test_the_command_without_dry_run_deletes_and_logs(
    db, capsys, django_capture_on_commit_callbacks
):
    with _past(timedelta(days=91)):
        old = _recommendation_report(public=False)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention")
    assert "recommendation_reports: 1 deleted" in capsys.readouterr().out
    assert not RecommendationReport.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old.pdf.name)
    assert RetentionRun.objects.count() == 1


def test_a_period_of_zero_turns_a_rule_off(db, settings, django_capture_on_commit_callbacks):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "recommendation_reports": 0}
    with _past(LONG_AGO):
        old = _recommendation_report(public=False)
    run = _apply(django_capture_on_commit_callbacks)
    assert RecommendationReport.objects.filter(pk=old.pk).exists()
    assert not run.entries.filter(rule_key="recommendation_reports").exists()


def test_a_shorter_period_from_the_settings_deletes_sooner(
    db, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "recommendation_reports": 7}
    with _past(timedelta(days=8)):
        old = _recommendation_report(public=False)
    run = _apply(django_capture_on_commit_callbacks)
    assert not RecommendationReport.objects.filter(pk=old.pk).exists()
    assert _entry(run, "recommendation_reports").period_days == 7


def test_each_rule_names_a_variable_the_settings_read(settings):
    base = (ROOT / "gdpa" / "settings" / "base.py").read_text()
    for rule in registry.rules():
        assert rule.period_setting in settings.RETENTION_DAYS
        assert f'env.int("{rule.environment_variable}", default={rule.default_days})' in base


def test_periods_are_read_from_the_environment():
    code = "from django.conf import settings; print(settings.RETENTION_DAYS)"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gdpa.settings.test",
        "RETENTION_UNVERIFIED_ACCOUNTS_DAYS": "12",
        "RETENTION_SENT_EMAILS_DAYS": "0",
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    days = eval(result.stdout)  # noqa: S307 (our own dict literal)
    assert days["unverified_accounts"] == 12
    assert days["sent_emails"] == 0
    assert days["exports"] == 30


# The staff page ---------------------------------------------------------------------------


def test_staff_see_the_rules_and_runs_newest_first(
    client, staff, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with _past(timedelta(days=91)):
        _recommendation_report(public=False)
    with _past(timedelta(days=1)):
        _apply(django_capture_on_commit_callbacks)
    _apply(django_capture_on_commit_callbacks)
    client.force_login(staff)

    with override_settings(LANGUAGE_CODE="en"), django_assert_max_num_queries(12):
        response = client.get(reverse("retention:log"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-rule="unverified_accounts"' in html and "30 days" in html
    assert "<code>RETENTION_UNVERIFIED_ACCOUNTS_DAYS</code>" in html
    assert "Certificate" not in html  # certificates are never deleted by retention
    first, second = RetentionRun.objects.order_by("started_at")
    assert html.index(f'data-run="{second.pk}"') < html.index(f'data-run="{first.pk}"')
    assert "1 item deleted" in html and "0 items deleted" in html

    for _ in range(25):
        _apply(django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(12):
        small = client.get(reverse("retention:log"))
    with django_assert_max_num_queries(12):
        page_two = client.get(reverse("retention:log"), {"page": 2})
    assert small.status_code == page_two.status_code == 200
    assert len(small.context["runs"]) == 20


def test_members_get_a_404(client, member):
    client.force_login(member)
    assert client.get(reverse("retention:log")).status_code == 404


def test_staff_filter_the_runs_by_rule_and_by_failure(
    client, staff, breaking_rule, django_capture_on_commit_callbacks
):
    quiet = _apply(django_capture_on_commit_callbacks)  # "Doomed" missing: the rule fails
    registry.unregister_rule("aaa_breaks")
    with _past(timedelta(days=91)):
        _recommendation_report(public=False)
    busy = _apply(django_capture_on_commit_callbacks)
    nothing = _apply(django_capture_on_commit_callbacks)
    client.force_login(staff)
    url = reverse("retention:log")

    def shown(**query):
        html = client.get(url, query).content.decode()
        return {run.pk for run in (quiet, busy, nothing) if f'data-run="{run.pk}"' in html}

    assert shown() == {quiet.pk, busy.pk, nothing.pk}
    assert shown(rule="recommendation_reports") == {busy.pk}
    assert shown(failed="on") == {quiet.pk}

    refused = client.get(url, {"rule": "no-such-rule"})
    assert refused.status_code == 400
    assert "Choose a rule from the list" in refused.content.decode()
