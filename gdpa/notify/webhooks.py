"""The providers' tracking webhooks: anymail's views behind the portal's own gate.

``/anymail/<provider>/tracking/`` takes a POST from the provider named, with HTTP basic
auth matching ``ANYMAIL["WEBHOOK_SECRET"]``. Anything else is refused with 401 and a log
line (the caller's IP, never the credentials): no secret configured refuses everything
(anymail alone would accept anyone), and wrong or missing credentials answer 401 with a
challenge (anymail alone answers 400). A payload that cannot be read answers 400.
"""

import json
import logging

from anymail.exceptions import AnymailConfigurationError, AnymailWebhookValidationFailure
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

TRACKING_VIEWS = {
    "postmark": PostmarkTrackingWebhookView,
    "mailgun": MailgunTrackingWebhookView,
    "sendgrid": SendGridTrackingWebhookView,
    "amazon_ses": AmazonSESTrackingWebhookView,
    "brevo": BrevoTrackingWebhookView,
}
_VIEWS = {name: view.as_view() for name, view in TRACKING_VIEWS.items()}


def _refused(request, provider: str, why: str) -> HttpResponse:
    logger.warning(
        "Tracking webhook for %s refused (%s) from %s.",
        provider,
        why,
        request.META.get("REMOTE_ADDR", "?"),
    )
    response = HttpResponse(status=401)
    response["WWW-Authenticate"] = 'Basic realm="anymail"'
    return response


@csrf_exempt
def tracking_webhook(request, provider: str):
    view = _VIEWS.get(provider)
    if view is None:
        raise Http404
    if request.method == "HEAD":  # some providers check the URL exists when it is set up
        return HttpResponse()
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST, HEAD"})
    if not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
        return _refused(request, provider, "no ANYMAIL_WEBHOOK_SECRET configured")
    try:
        return view(request)
    except AnymailWebhookValidationFailure:
        return _refused(request, provider, "missing or wrong credentials")
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, AnymailConfigurationError) as exc:
        logger.warning("Tracking webhook for %s unreadable (%s).", provider, type(exc).__name__)
        return HttpResponse(status=400)
