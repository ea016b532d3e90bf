"""Thin Celery task of the retention rules; safe to run twice (what is gone stays gone)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=1500, time_limit=1800)
def apply_retention() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): delete what is past its retention period and log it."""
    return services.retention_apply().pk
