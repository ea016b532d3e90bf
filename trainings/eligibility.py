"""Who may enroll in a programme's offerings: decided by the programme's audience.

* government officials and policy makers: focal points, and members of verified
  government organizations;
* diaspora leaders and organizations: members (any role) of verified diaspora or
  partner organizations;
* youth: youth participants (a kernel role).

IOM staff run trainings; they are not learners.
"""

from alliance.models import Organization
from alliance.permissions import memberships_of
from gdpa.accounts import roles

from .models import TrainingProgramme

DIASPORA_KINDS = (Organization.Kind.DIASPORA, *Organization.PARTNER_KINDS)


def _verified_member_of(user, kinds) -> bool:
    return any(
        m.organization.kind in kinds and m.organization.is_verified for m in memberships_of(user)
    )


def is_eligible(user, programme: TrainingProgramme) -> bool:
    # Holding the staff role (not staff power: that is acting_as_staff) rules a person out.
    if not getattr(user, "is_authenticated", False) or roles.has_role(user, roles.IOM_STAFF):
        return False
    audience = programme.audience
    if audience == TrainingProgramme.Audience.YOUTH:
        return roles.has_role(user, roles.YOUTH)
    if audience == TrainingProgramme.Audience.GOVERNMENT:
        return roles.has_role(user, roles.FOCAL_POINT) or _verified_member_of(
            user, (Organization.Kind.GOVERNMENT,)
        )
    if audience == TrainingProgramme.Audience.DIASPORA:
        return _verified_member_of(user, DIASPORA_KINDS)
    return False
