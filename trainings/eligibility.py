"""Who may enroll in an offering.

The programme's audience decides first:

* government officials and policy makers: focal points, and members of verified
  government organizations;
* diaspora leaders and organizations: members (any role) of verified diaspora or
  partner organizations;
* youth: youth participants (a kernel role).

An offering may narrow its programme's audience: when its ``eligible_roles`` or
``eligible_org_kinds`` are not empty, a person of the audience qualifies only by holding
one of those roles or by being a member of a verified organization of one of those kinds.

IOM staff run trainings; they are not learners.

The rules are one filter on people (``eligible_people``), so one person (``is_eligible``)
and a list of candidates (the members a leader may nominate) are judged the same way,
in a fixed number of queries whatever the number of people.
"""

from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from alliance.models import Membership, Organization
from gdpa.accounts import roles

from .models import Offering, TrainingProgramme

DIASPORA_KINDS = (Organization.Kind.DIASPORA, *Organization.PARTNER_KINDS)
VERIFIED = Organization.Status.VERIFIED
#: The roles an offering may be narrowed to (staff run trainings, they do not take them).
LEARNER_ROLES = (
    roles.FOCAL_POINT,
    roles.DIASPORA_LEADER,
    roles.PARTNER,
    roles.YOUTH,
    roles.MEMBER,
)
#: The organization kinds an offering may be narrowed to.
LEARNER_ORG_KINDS = tuple(k for k in Organization.Kind.values if k != Organization.Kind.IOM)


def _memberships():
    """Memberships of every organization, to build filters on people: eligibility follows
    a person's roles, which come from all their memberships (as the role resolver reads
    them), whoever asks. Only ever used inside an ``Exists`` on users, so no membership
    row of another tenant reaches the caller (tenant isolation, docs/security.md)."""
    return Membership.objects.with_scopes_disabled().all()


def _member(memberships) -> Q:
    return Q(Exists(memberships.filter(user=OuterRef("pk"))))


def _verified_member_of(kinds) -> Q:
    return _member(
        _memberships().filter(organization__kind__in=kinds, organization__status=VERIFIED)
    )


def role_holders(role: str) -> Q:
    """People holding ``role``, as a filter on users.

    The roles that follow from memberships are read as the alliance's role resolver
    reads them (``alliance/apps.py``); any other role (youth participants) comes from
    the kernel's list of its members. ``tests/trainings/test_eligibility.py`` checks this
    against ``gdpa.accounts.roles.has_role`` for every kind of person.
    """
    kind = Organization.Kind
    government = _memberships().filter(
        organization__kind=kind.GOVERNMENT, organization__status=VERIFIED
    )
    diaspora = _memberships().filter(organization__kind=kind.DIASPORA)
    if role == roles.IOM_STAFF:
        return _verified_member_of((kind.IOM,))
    if role == roles.FOCAL_POINT:
        return _member(government.exclude(role=Membership.Role.MEMBER))
    if role == roles.DIASPORA_LEADER:
        return _member(diaspora.filter(role=Membership.Role.ADMIN))
    if role == roles.PARTNER:
        return _member(_memberships().filter(organization__kind__in=Organization.PARTNER_KINDS))
    if role == roles.MEMBER:
        return _member(government.filter(role=Membership.Role.MEMBER)) | _member(
            diaspora.exclude(role=Membership.Role.ADMIN)
        )
    return Q(pk__in=roles.users_with_role(role))


def _audience(programme: TrainingProgramme) -> Q | None:
    audience = TrainingProgramme.Audience
    if programme.audience == audience.GOVERNMENT:
        return role_holders(roles.FOCAL_POINT) | _verified_member_of(
            (Organization.Kind.GOVERNMENT,)
        )
    if programme.audience == audience.DIASPORA:
        return _verified_member_of(DIASPORA_KINDS)
    if programme.audience == audience.YOUTH:
        return role_holders(roles.YOUTH)
    return None


def eligible_people(offering: Offering) -> Q:
    """The people who may enroll in ``offering``, as a filter on users."""
    audience = _audience(offering.programme)
    if audience is None:
        return Q(pk__in=[])
    rule = Q(is_active=True) & audience & ~role_holders(roles.IOM_STAFF)
    narrowing = [role_holders(role) for role in offering.eligible_roles]
    if offering.eligible_org_kinds:
        narrowing.append(_verified_member_of(offering.eligible_org_kinds))
    if narrowing:
        rule &= reduce(or_, narrowing)
    return rule


def is_eligible(user, offering: Offering) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    people = get_user_model().objects.filter(pk=user.pk)
    return people.filter(eligible_people(offering)).exists()


def _join(words: list[str]) -> str:
    if len(words) < 2:
        return "".join(words)
    return _("%(items)s or %(last)s") % {"items": ", ".join(words[:-1]), "last": words[-1]}


def offering_audience(offering: Offering) -> str:
    """Who the offering is for, in words: the programme's audience and, when the
    offering narrows it, the roles and organization kinds it admits."""
    audience = offering.programme.get_audience_display().lower()
    who = []
    if offering.eligible_roles:
        names = [str(roles.LABELS.get(role, role)).lower() for role in offering.eligible_roles]
        who.append(_("people with the role %(roles)s") % {"roles": _join(names)})
    if offering.eligible_org_kinds:
        labels = dict(Organization.Kind.choices)
        kinds = [str(labels.get(k, k)).lower() for k in offering.eligible_org_kinds]
        who.append(
            _("members of a verified organization of the kind %(kinds)s") % {"kinds": _join(kinds)}
        )
    if not who:
        return audience
    return _("%(audience)s, only %(who)s") % {"audience": audience, "who": _join(who)}
