"""A person's roles in the alliance, known to the kernel without importing any app.

Each app registers a resolver in its ``AppConfig.ready()``; a resolver takes a user and
returns the role names it grants. Answers are kept on the user object for the request:
``roles_for`` asks every resolver once, ``has_role`` only those that can give the role.
"""

from collections.abc import Callable, Iterable

from django.utils.translation import gettext_lazy as _

IOM_STAFF = "iom_staff"
FOCAL_POINT = "focal_point"
DIASPORA_LEADER = "diaspora_leader"
PARTNER = "partner"
YOUTH = "youth_participant"
MEMBER = "member"

LABELS = {
    IOM_STAFF: _("IOM staff"),
    FOCAL_POINT: _("Government focal point"),
    DIASPORA_LEADER: _("Diaspora leader"),
    PARTNER: _("Partner"),
    YOUTH: _("Youth participant"),
    MEMBER: _("Member"),
}

Resolver = Callable[[object], Iterable[str]]
#: (resolver, the roles it can grant or None for any), in registration order.
_resolvers: list[tuple[Resolver, frozenset[str] | None]] = []
#: Each resolver's answer for this request, by position, as they are asked.
_ANSWERS_ATTR = "_gdpa_role_answers"


def register_role_resolver(resolver: Resolver, grants: Iterable[str] | None = None) -> None:
    """``grants``: the roles the resolver can give (``None``: any). ``has_role`` asks only
    the resolvers that can give the role in question, so a page that only asks whether
    the person is IOM staff does not read what only the youth role depends on."""
    if all(known is not resolver for known, _grants in _resolvers):
        _resolvers.append((resolver, None if grants is None else frozenset(grants)))


def _signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def _answer(user, position: int) -> frozenset[str]:
    answers = getattr(user, _ANSWERS_ATTR, None)
    if answers is None:
        answers = {}
        setattr(user, _ANSWERS_ATTR, answers)
    if position not in answers:
        answers[position] = frozenset(_resolvers[position][0](user))
    return answers[position]


def roles_for(user) -> frozenset[str]:
    """Every role of the person (each resolver asked once per request)."""
    if not _signed_in(user):
        return frozenset()
    return frozenset().union(*(_answer(user, i) for i in range(len(_resolvers))))


def forget_roles(user) -> None:
    """Drop the kept answers after a change of membership within the same request."""
    if hasattr(user, _ANSWERS_ATTR):
        delattr(user, _ANSWERS_ATTR)


def has_role(user, role: str) -> bool:
    if not _signed_in(user):
        return False
    return any(
        role in _answer(user, i)
        for i, (_resolver, grants) in enumerate(_resolvers)
        if grants is None or role in grants
    )


def is_iom_staff(user) -> bool:
    return has_role(user, IOM_STAFF)


_members: dict[str, Callable[[], object]] = {}


def register_role_members(role: str, members: Callable[[], object]) -> None:
    """An app tells the kernel how to list everyone with ``role`` (a queryset of user ids)."""
    _members[role] = members


def users_with_role(role: str):
    """A queryset of the ids of users who have ``role``, for audiences and statistics."""
    from django.contrib.auth import get_user_model

    provider = _members.get(role)
    if provider is None:
        return get_user_model().objects.none().values("pk")
    return provider()
