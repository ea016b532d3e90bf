from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, max_retries=services.MAX_ATTEMPTS)
def send_email(self, email_id: int) -> None:
    if services.email_deliver(email_id=email_id):
        raise self.retry(countdown=min(60 * 2**self.request.retries, 1800))


@shared_task
def sweep_emails() -> int:
    return services.emails_sweep()
