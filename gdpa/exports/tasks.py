"""Thin Celery tasks of the exports: take ids, call a service. Each is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(
    acks_late=True,
    soft_time_limit=services.SOFT_TIME_LIMIT,
    time_limit=services.HARD_TIME_LIMIT,
)
def build_export(job_id: int) -> bool:
    """Build a large export's file (routed to the "heavy" queue: CELERY_TASK_ROUTES); a job already built or running in a
    live worker is skipped."""
    return services.export_job_run(job_id=job_id)


@shared_task(acks_late=True)
def sweep_exports() -> dict[str, int]:
    """Periodic: delete expired export files and enqueue again jobs left unbuilt."""
    return services.export_sweep()
