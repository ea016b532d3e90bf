from celery import shared_task

from . import delivery, services


def _backoff(retries: int) -> int:
    return min(60 * 2**retries, 1800)


@shared_task(bind=True, acks_late=True, max_retries=services.MAX_ATTEMPTS)
def send_email(self, email_id: int) -> None:
    """One e-mail (password reset, a confirmation ...)."""
    if delivery.email_deliver(email_id=email_id):
        raise self.retry(countdown=_backoff(self.request.retries))


@shared_task(bind=True, acks_late=True, max_retries=services.MAX_ATTEMPTS)
def send_email_batch(self, email_ids: list[int]) -> None:
    """A fan-out's e-mails, over one connection (``delivery.emails_deliver``). Safe to
    run twice: only rows still queued are claimed (rows an SMTP send left *sending* for
    ``STALE_SENDING_AFTER``, never accepted by the server, are queued again first). The
    ones the server refused or could not take are tried again, alone in the retried
    message, with back-off."""
    retry = delivery.emails_deliver(email_ids=email_ids)
    if retry:
        raise self.retry(args=(retry,), countdown=_backoff(self.request.retries))


@shared_task
def sweep_emails() -> int:
    return delivery.emails_sweep()
