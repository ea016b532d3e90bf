from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

from gdpa.notify.services import email_queue


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails (confirmation, password reset) go through our outbox."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        language = translation.get_language() or settings.LANGUAGE_CODE
        user = context.get("user")
        if user is not None and getattr(user, "preferred_language", None) and user.pk:
            language = user.preferred_language
        with translation.override(language):
            request = context.get("request") or self.request
            ctx = {"email": email, "request": request, "current_site": _site(request)}
            ctx.update(context)
            message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), ""
        )
        email_queue(
            to=email,
            kind=template_prefix.rsplit("/", 1)[-1],
            language=language,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            user=user if getattr(user, "pk", None) else None,
        )


def _site(request):
    from django.contrib.sites.shortcuts import get_current_site

    return get_current_site(request)
