"""Thin Celery tasks: take ids, call a service. Each is safe to run twice."""

from celery import shared_task

from . import services
from .services import import_runs, reports
from .services.sweeps import session_mail_sweep


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def send_session_invitations(session_id: int) -> int:
    return services.session_invitations_send(session_id=session_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def notify_session_change(session_id: int) -> int:
    return services.participants_notify_change(session_id=session_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def send_session_summary(session_id: int) -> int:
    return services.session_summary_send(session_id=session_id)


@shared_task(acks_late=True)
def dispatch_reminders() -> int:
    return services.reminders_dispatch()


@shared_task(acks_late=True)
def sweep_session_mail() -> dict[str, int]:
    """Periodic: drive session e-mails whose task message was never published or was lost."""
    return session_mail_sweep()


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=reports.BUILD_SOFT_LIMIT,
    time_limit=reports.BUILD_HARD_LIMIT,
    autoretry_for=(reports.ReportBuildFailed,),
    retry_backoff=30,
    max_retries=reports.BUILD_RETRIES,
)
def build_recommendation_report(self, report_id: int) -> bool:
    """Build a report's PDF (or share an identical one's); a failed attempt is retried
    with back-off, the last one marks the report failed. Run in-process (no broker), the
    first attempt is the last: the person's request does not wait for three renders."""
    return reports.report_build(
        report_id=report_id,
        last_attempt=self.request.is_eager or self.request.retries >= self.max_retries,
    )


@shared_task(acks_late=True)
def sweep_recommendation_reports() -> int:
    """Periodic: enqueue again the reports a lost message or a killed worker left stuck."""
    return reports.report_sweep()


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def run_staff_import(run_id: int) -> int:
    """Write a confirmed staff import's rows. Resumable and leased (safe to run twice);
    a run cut off by the time limit is picked up again by the sweep."""
    return import_runs.import_run(run_id=run_id)


@shared_task(acks_late=True)
def sweep_staff_imports() -> int:
    """Periodic: enqueue again the imports a lost message or a killed worker left running."""
    return import_runs.import_sweep()
