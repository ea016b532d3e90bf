"""Members' inputs on recommendations open for input, and staff's answers to them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gdpa.accounts import roles
from gdpa.audit.services import audit_record, snapshot
from gdpa.portal.richtext import plain_text, sanitize_html

from ..models import Organization, Recommendation, RecommendationInput
from ..permissions import can_give_input, membership_in


def input_refusal(user, recommendation: Recommendation) -> str | None:
    """Why ``user`` may not give input on ``recommendation`` now; ``None`` if they may."""
    if can_give_input(user, recommendation):
        return None
    if recommendation.status != Recommendation.Status.OPEN:
        return _("This recommendation is not open for input.")
    if not recommendation.accepts_input():
        return _("Input on this recommendation closed on its closing date.")
    if roles.has_role(user, roles.IOM_STAFF):
        return _("IOM staff answer inputs rather than give them.")
    return _("Input comes from members of verified organizations and youth participants.")


@transaction.atomic
def input_create(
    *,
    author,
    recommendation: Recommendation,
    kind: str,
    text: str,
    proposed_text: str = "",
    organization: Organization | None = None,
) -> RecommendationInput:
    """A comment or a proposed amendment. Refused outside the input period and from
    people who do not take part in the alliance; an amendment needs its wording."""
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    refusal = input_refusal(author, recommendation)
    if refusal:
        raise ValidationError(refusal)
    if organization is not None and membership_in(author, organization) is None:
        raise ValidationError(
            {"organization": _("You can only speak for an organization you belong to.")}
        )
    text = sanitize_html(text)
    proposed_text = (
        sanitize_html(proposed_text) if kind == RecommendationInput.Kind.AMENDMENT else ""
    )
    errors = {}
    if not plain_text(text):
        errors["text"] = _("Enter your comment")
    if kind == RecommendationInput.Kind.AMENDMENT and not plain_text(proposed_text):
        errors["proposed_text"] = _("Enter the wording you propose")
    if errors:
        raise ValidationError(errors)
    given = RecommendationInput(
        recommendation=recommendation,
        author=author,
        author_name=author.full_name,
        organization=organization,
        kind=kind,
        text=text,
        proposed_text=proposed_text,
        is_youth=roles.has_role(author, roles.YOUTH),
    )
    given.full_clean()
    given.save()
    audit_record(
        actor=author,
        action="recommendation_input.create",
        target=given,
        after=snapshot(given, ["recommendation", "kind", "is_youth"]),
    )
    return given


@transaction.atomic
def input_respond(*, actor, given: RecommendationInput, status: str, response: str):
    """Staff mark an input taken up, merged or not taken up, with a short reason the
    author sees. Answers can change while the recommendation's wording can."""
    given = (
        RecommendationInput.objects.select_for_update()
        .select_related("recommendation")
        .get(pk=given.pk)
    )
    if not given.recommendation.is_editable:
        raise ValidationError(
            _("The recommendation is settled; its inputs can no longer be answered.")
        )
    if status not in RecommendationInput.TRANSITIONS[RecommendationInput.Status(given.status)]:
        raise ValidationError({"status": _("Choose taken up, merged or not taken up")})
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": _("Give the author a short reason")})
    before = snapshot(given, ["status", "response"])
    given.status = status
    given.response = response
    given.responded_by = actor
    given.responded_at = timezone.now()
    given.full_clean()
    given.save()
    audit_record(
        actor=actor,
        action="recommendation_input.respond",
        target=given,
        before=before,
        after=snapshot(given, ["status", "response"]),
    )
    return given
