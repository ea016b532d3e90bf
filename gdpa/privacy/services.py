"""Personal data rights: collect everything about a person, erase it on request."""

import logging

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from gdpa.audit.services import audit_record

from .models import ErasureRequest
from .registry import erased_email, erased_label, handlers

logger = logging.getLogger(__name__)


@scopes_disabled()  # a person's data wherever it lies: invitations from any organization
def person_data(user) -> list[dict]:
    """Everything registered about ``user``: one section per model that holds any of
    their data, in the handlers' order. A fixed number of queries per handler."""
    sections = []
    for handler in handlers():
        data = handler.export(user)
        if not data:
            continue
        model = apps.get_model(handler.model_label)
        records = data if isinstance(data, list) else [data]
        sections.append(
            {
                "model": handler.model_label,
                "title": str(model._meta.verbose_name_plural).capitalize(),
                "records": records,
                # For the readable page: each value under the field's own label.
                "rows": [
                    [(field_label(model, key), value) for key, value in record.items()]
                    for record in records
                ],
            }
        )
    return sections


def field_label(model, key: str) -> str:
    """The verbose name of ``key`` (``"offering.title"`` follows the relation), or the
    key itself when it is not a field."""
    parts = key.split(".")
    labels = []
    for part in parts:
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:  # an exported key that is not a field
            return key.replace("_", " ").replace(".", " · ").capitalize()
        labels.append(str(getattr(field, "verbose_name", part)))
        model = field.related_model or model
    return " · ".join(labels).capitalize()


def _move(request: ErasureRequest, status: str, *, actor, reason: str = "") -> None:
    if not request.can_move_to(status):
        raise ValidationError(_("This erasure request has already been answered."))
    before = request.status
    request.status = status
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.refusal_reason = reason
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        action=(
            "privacy.erasure_refuse"
            if status == ErasureRequest.Status.REFUSED
            else "privacy.erasure_done"
        ),
        target=request,
        before={"status": before},
        after={"status": status, **({"reason": reason} if reason else {})},
    )


@transaction.atomic
def erasure_request_create(*, user) -> ErasureRequest:
    """The person asks for erasure. One open request at a time: asking again returns
    the open one."""
    # Lock the account: two requests sent at once make one, not an integrity error.
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    open_request = ErasureRequest.objects.filter(
        user=user, status=ErasureRequest.Status.REQUESTED
    ).first()
    if open_request is not None:
        return open_request
    if not user.is_active:
        raise ValidationError(_("This account is no longer active."))
    request = ErasureRequest(user=user)
    request.full_clean()
    request.save()
    audit_record(
        actor=user, action="privacy.erasure_request", target=request, after={"status": "requested"}
    )
    return request


def _notify(*, user, address: str, template: str, kind: str, context: dict) -> None:
    from gdpa.notify.services import email_render_and_queue

    email_render_and_queue(
        to=address,
        kind=kind,
        template=template,
        context=context,
        language=user.preferred_language or settings.LANGUAGE_CODE,
        time_zone=user.time_zone,
        # Not linked to the account: after erasure this notice is the one row that still
        # holds the address, so the person can be told (see docs/security.md).
        user=None,
    )


@transaction.atomic
def erasure_refuse(*, actor, request_id: int, reason: str) -> ErasureRequest:
    """Staff refuse a request, with a reason the person is told by e-mail."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is refused.")})
    request = ErasureRequest.objects.select_for_update().select_related("user").get(pk=request_id)
    _move(request, ErasureRequest.Status.REFUSED, actor=actor, reason=reason)
    _notify(
        user=request.user,
        address=request.user.email,
        template="privacy/email/erasure_refused",
        kind="privacy_erasure_refused",
        context={"reason": reason},
    )
    return request


@transaction.atomic
def erasure_carry_out(*, actor, request_id: int) -> ErasureRequest:
    """Staff carry out a request: the person is e-mailed at the address they had, then
    erased."""
    request = ErasureRequest.objects.select_for_update().select_related("user").get(pk=request_id)
    if not request.can_move_to(ErasureRequest.Status.DONE):
        raise ValidationError(_("This erasure request has already been answered."))
    user = request.user
    address = user.email
    person_erase(actor=actor, user=user)
    _move(request, ErasureRequest.Status.DONE, actor=actor)
    if address:
        _notify(
            user=user,
            address=address,
            template="privacy/email/erasure_done",
            kind="privacy_erasure_done",
            context={},
        )
    return request


def _rows_of(user) -> dict[str, set[str]]:
    """The pks (as text, as the audit log stores them) of every row that is the
    person's own (``PersonalData.owners``), taken before any handler runs: the audit log
    then scrubs the entries about those rows. One query per model."""
    from django.db.models import Q

    User = get_user_model()
    rows = {}
    for handler in handlers():
        model = apps.get_model(handler.model_label)
        if model is User:
            continue
        owners = handler.owners
        if owners is None:
            owners = [
                f.name
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is User and f.name in handler.fields
            ]
        if not owners:
            continue
        query = Q()
        for name in owners:
            query |= Q(**{name: user})
        pks = model._default_manager.filter(query).values_list("pk", flat=True)
        rows[handler.model_label] = {str(pk) for pk in pks}
    return rows


@transaction.atomic
@scopes_disabled()  # erases the person's rows in every organization (tenant isolation)
def person_erase(*, actor, user) -> int:
    """Anonymize ``user`` everywhere: every registered handler's ``anonymize`` runs in
    this one transaction. The account is disabled (its sessions end), renamed
    "Erased person #<id>", given a non-routable unique address; rows that figures,
    recommendations, endorsements and attendance depend on stay, pointing to the
    anonymized account. Returns how many records were changed or deleted.
    """
    from allauth.account.models import EmailAddress

    from gdpa.accounts.services import account_disable

    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    addresses = {user.email.lower()} | {
        a.lower() for a in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    addresses.discard("")
    user._privacy_former_addresses = addresses
    user._privacy_former_identity = {"name": user.full_name, "addresses": sorted(addresses)}
    user._privacy_rows = _rows_of(user)
    account_disable(actor=actor, user=user, reason="erasure")
    total = 0
    for handler in handlers():
        total += handler.anonymize(user) or 0
    audit_record(
        actor=actor,
        action="privacy.erase",
        target=user,
        after={"records": total},
    )
    logger.info("Person %s erased: %s records anonymized or deleted.", user.pk, total)
    return total


__all__ = [
    "erased_email",
    "erased_label",
    "erasure_carry_out",
    "erasure_refuse",
    "erasure_request_create",
    "person_data",
    "person_erase",
]
