"""Thin Celery tasks of the trainings app: take ids, call a service. Each is safe to run twice."""

from celery import shared_task

from . import certificates
from .reminders import reminders_dispatch


@shared_task(acks_late=True)
def send_training_reminders() -> int:
    """Periodic: write the meeting reminders now due and send every due reminder once."""
    return reminders_dispatch()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def build_certificate_pdf(certificate_id: int) -> bool:
    return certificates.certificate_build_pdf(certificate_id=certificate_id)


@shared_task(acks_late=True)
def sweep_certificate_pdfs() -> int:
    """Periodic: build the PDFs a lost message or a crashed worker left unbuilt."""
    return certificates.certificate_pdf_sweep()
