"""The receiver of django-anymail's ``tracking`` signal (connected in ``NotifyConfig.ready``).

Anymail turns each provider's webhook into an ``AnymailTrackingEvent``; this module says
what the event means for the portal (a verdict) and hands it to
``deliverability.email_delivery_report``. Opens, clicks, deferrals and the like are not
the portal's concern and are dropped.
"""

import logging

from anymail.signals import EventType
from django.core.exceptions import ValidationError

from . import deliverability

logger = logging.getLogger(__name__)

#: Postmark bounce types that are final ("HardBounce"); everything else it files under
#: "Bounce" (SoftBounce, VirusNotification, ...) may still be delivered later.
_POSTMARK_HARD = {"HardBounce"}


def is_hard_bounce(event, esp_name: str) -> bool:
    """Whether a *bounced* event is final. Anymail does not say; each provider does."""
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    provider = (esp_name or "").lower()
    if provider == "postmark":
        return raw.get("Type") in _POSTMARK_HARD
    if provider in ("brevo", "sendinblue"):
        return raw.get("event") == "hard_bounce"
    if provider == "amazon ses":  # description is "<bounceType>: <bounceSubType>"
        return (event.description or "").startswith("Permanent")
    if provider == "sendgrid":  # "blocked" is SendGrid's temporary refusal
        return raw.get("type", "bounce") != "blocked"
    # Mailgun (and the rest) report temporary failures as "deferred": a bounce is final.
    return True


def verdict_for(event, esp_name: str) -> str | None:
    kind = event.event_type
    if kind == EventType.DELIVERED:
        return deliverability.DELIVERED
    if kind == EventType.COMPLAINED:
        return deliverability.COMPLAINED
    if kind == EventType.REJECTED:
        return deliverability.REJECTED
    if kind == EventType.BOUNCED:
        return (
            deliverability.HARD_BOUNCE
            if is_hard_bounce(event, esp_name)
            else deliverability.SOFT_BOUNCE
        )
    return None


def _detail(event) -> str:
    parts = [event.description or "", event.mta_response or ""]
    return " — ".join(part.strip() for part in parts if part and part.strip())


def on_tracking(sender, event, esp_name, **kwargs) -> None:
    verdict = verdict_for(event, esp_name)
    if verdict is None:
        return
    try:
        deliverability.email_delivery_report(
            message_id=str(event.message_id or ""),
            verdict=verdict,
            detail=_detail(event),
            at=event.timestamp,
        )
    except ValidationError:  # a report that does not fit: logged, the webhook answers 200
        logger.warning("A %s report from %s could not be applied.", verdict, esp_name)
