"""Thin Celery tasks: take ids, call a service. Each is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=services.BUILD_SOFT_LIMIT,
    time_limit=services.BUILD_HARD_LIMIT,
    autoretry_for=(services.DonorReportBuildFailed,),
    retry_backoff=30,
    max_retries=services.BUILD_RETRIES,
)
def build_donor_report(self, report_id: int) -> bool:
    """Build a donor report's PDF; a failed attempt is retried with back-off, the last one
    marks the report failed. Run in-process (no broker), the first attempt is the last."""
    return services.donor_report_build(
        report_id=report_id,
        last_attempt=self.request.is_eager or self.request.retries >= self.max_retries,
    )


@shared_task(acks_late=True)
def sweep_donor_reports() -> int:
    """Periodic: enqueue again the reports a lost message or a killed worker left stuck."""
    return services.donor_report_sweep()
