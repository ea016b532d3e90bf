"""Thin Celery tasks: take ids, call a service. Each is safe to run twice."""

from celery import shared_task

from . import services
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
