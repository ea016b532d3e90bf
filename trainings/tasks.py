"""Thin Celery tasks of the trainings app. Each is safe to run twice."""

from celery import shared_task

from .reminders import reminders_dispatch


@shared_task(acks_late=True)
def send_training_reminders() -> int:
    """Periodic: write the meeting reminders now due and send every due reminder once."""
    return reminders_dispatch()
