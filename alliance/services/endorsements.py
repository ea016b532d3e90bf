"""Member states endorse recommendations through their focal points; organizations say
they support them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gdpa.audit.services import audit_record, snapshot

from ..models import Endorsement, MemberState, Organization, OrganizationSupport, Recommendation
from ..permissions import endorsing_states, supporting_organizations
from .common import save_new

#: A recommendation can be endorsed from when members see it until it is published.
ENDORSABLE = frozenset(
    {Recommendation.Status.OPEN, Recommendation.Status.REVIEW, Recommendation.Status.ENDORSED}
)


def _locked(recommendation: Recommendation) -> Recommendation:
    return Recommendation.objects.select_for_update().get(pk=recommendation.pk)


@transaction.atomic
def endorse(*, actor, recommendation: Recommendation, member_state: MemberState) -> Endorsement:
    """Endorse on behalf of ``member_state``: only its focal point, while their government
    body is verified, once per state, and before publication."""
    recommendation = _locked(recommendation)
    if recommendation.status not in ENDORSABLE:
        raise ValidationError(_("This recommendation cannot be endorsed now."))
    if member_state not in endorsing_states(actor):
        raise ValidationError(
            {
                "member_state": _(
                    "Only a focal point of a verified government body of %(state)s can endorse for it."
                )
                % {"state": member_state}
            }
        )
    if recommendation.endorsements.filter(
        member_state=member_state, withdrawn_at__isnull=True
    ).exists():
        raise ValidationError({"member_state": _("This member state has already endorsed it.")})
    endorsement = Endorsement(
        recommendation=recommendation,
        member_state=member_state,
        endorsed_by=actor,
        endorsed_by_name=actor.full_name,
    )
    save_new(endorsement)
    audit_record(
        actor=actor,
        action="endorsement.create",
        target=endorsement,
        after=snapshot(endorsement, ["recommendation", "member_state"]),
    )
    return endorsement


@transaction.atomic
def endorsement_withdraw(*, actor, endorsement: Endorsement) -> Endorsement:
    endorsement = Endorsement.objects.select_for_update().get(pk=endorsement.pk)
    recommendation = _locked(endorsement.recommendation)
    if endorsement.withdrawn_at is not None:
        raise ValidationError(_("This endorsement was already withdrawn."))
    if recommendation.status == Recommendation.Status.PUBLISHED:
        raise ValidationError(_("The recommendation is published; its endorsements stand."))
    if endorsement.member_state not in endorsing_states(actor):
        raise ValidationError(
            _("Only a focal point of the member state can withdraw its endorsement.")
        )
    endorsement.withdrawn_at = timezone.now()
    endorsement.withdrawn_by = actor
    endorsement.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        actor=actor,
        action="endorsement.withdraw",
        target=endorsement,
        after=snapshot(endorsement, ["recommendation", "member_state"]),
    )
    return endorsement


@transaction.atomic
def support_add(*, actor, recommendation: Recommendation, organization: Organization):
    recommendation = _locked(recommendation)
    if recommendation.status not in ENDORSABLE | {Recommendation.Status.PUBLISHED}:
        raise ValidationError(_("This recommendation cannot be supported now."))
    if organization not in supporting_organizations(actor):
        raise ValidationError(
            {
                "organization": _(
                    "Only an administrator of a verified organization can say it supports a recommendation."
                )
            }
        )
    support = OrganizationSupport(
        recommendation=recommendation, organization=organization, given_by=actor
    )
    save_new(support)
    audit_record(
        actor=actor,
        action="support.create",
        target=support,
        after=snapshot(support, ["recommendation", "organization"]),
    )
    return support


@transaction.atomic
def support_remove(*, actor, support: OrganizationSupport) -> None:
    support = OrganizationSupport.objects.select_for_update().get(pk=support.pk)
    if support.organization not in supporting_organizations(actor):
        raise ValidationError(
            _("Only an administrator of the organization can take its support back.")
        )
    audit_record(
        actor=actor,
        action="support.remove",
        target=support,
        before=snapshot(support, ["recommendation", "organization"]),
    )
    support.delete()
