"""A person's roles in the alliance, known to the kernel without importing any app.

Each app registers a resolver in its ``AppConfig.ready()``; a resolver takes a user and
returns the role names it grants. ``roles_for`` asks every resolver once per request
and caches the answer on the user object.
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
_resolvers: list[Resolver] = []
_CACHE_ATTR = "_gdpa_roles"


def register_role_resolver(resolver: Resolver) -> None:
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def roles_for(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        found: set[str] = set()
        for resolver in _resolvers:
            found.update(resolver(user))
        cached = frozenset(found)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user) -> None:
    """Drop the cached roles after a change of membership within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_role(user, role: str) -> bool:
    return role in roles_for(user)


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
