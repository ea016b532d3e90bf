"""Registries the apps fill in ``AppConfig.ready()``; the kernel only iterates them.

* dashboard panels: a section of the signed-in dashboard, shown to some roles;
* navigation links: entries of the header navigation, shown to some roles. A link with a
  ``group`` belongs to the staff workspace (a disclosure menu of grouped links); links
  without one are the person's own items in the main bar;
* profile sections: what an app offers on the person's profile page (e.g. the youth
  participation invitation), shown to the people it applies to.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from gdpa.accounts.roles import roles_for


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    #: Roles that see the panel; empty means every signed-in person.
    roles: frozenset[str] = field(default_factory=frozenset)
    #: Extra template context, computed with a fixed number of queries.
    context: Callable[[object], dict] | None = None
    order: int = 100


@dataclass(frozen=True)
class NavGroup:
    """A group of the staff workspace menu ("Members", "Sessions", "Records")."""

    key: str
    label: str
    order: int = 100


#: The staff workspace groups every app can file its staff links under.
STAFF_MEMBERS = NavGroup("members", _("Members"), 10)
STAFF_SESSIONS = NavGroup("sessions", _("Sessions"), 20)
STAFF_RECOMMENDATIONS = NavGroup("recommendations", _("Recommendations"), 25)
STAFF_TRAININGS = NavGroup("trainings", _("Trainings"), 30)
STAFF_YOUTH = NavGroup("youth", _("Youth"), 40)
STAFF_RECORDS = NavGroup("records", _("Records"), 90)


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    order: int = 100
    #: Also shown to visitors who are not signed in.
    public: bool = False
    #: The staff workspace group the link belongs to; ``None``: the main bar.
    group: NavGroup | None = None


_panels: dict[str, Panel] = {}
_links: dict[str, NavLink] = {}


def register_panel(panel: Panel) -> None:
    _panels[panel.key] = panel


def register_nav_link(link: NavLink) -> None:
    _links[link.key] = link


def _visible(roles: frozenset[str], needed: frozenset[str]) -> bool:
    return not needed or bool(roles & needed)


def panels_for(request) -> list[tuple[Panel, dict]]:
    roles = roles_for(request.user)
    shown = sorted((p for p in _panels.values() if _visible(roles, p.roles)), key=lambda p: p.order)
    return [(p, p.context(request) if p.context else {}) for p in shown]


def nav_links_for(user) -> list[NavLink]:
    signed_in = getattr(user, "is_authenticated", False)
    roles = roles_for(user)
    links = [
        link
        for link in _links.values()
        if (link.public or signed_in)
        and (not signed_in or _visible(roles, link.roles))
        and (signed_in or not link.roles)
    ]
    return sorted(links, key=lambda link: link.order)


def nav_for(user) -> tuple[list[NavLink], list[tuple[NavGroup, list[NavLink]]]]:
    """The person's own links (main bar) and the staff workspace groups, each in order."""
    own: list[NavLink] = []
    grouped: dict[str, tuple[NavGroup, list[NavLink]]] = {}
    for link in nav_links_for(user):
        if link.group is None:
            own.append(link)
        else:
            grouped.setdefault(link.group.key, (link.group, []))[1].append(link)
    groups = sorted(grouped.values(), key=lambda item: (item[0].order, item[0].key))
    return own, groups


_home_providers: list[Callable[[], dict]] = []


def register_home_facts(provider: Callable[[], dict]) -> None:
    """An app adds context to the public home page (e.g. the member states)."""
    if provider not in _home_providers:
        _home_providers.append(provider)


def home_facts_providers() -> list[Callable[[], dict]]:
    return list(_home_providers)


#: Demo-data seeders: ``fn(password) -> list[(role label, e-mail)]``, run in order.
_demo_seeders: list[tuple[int, Callable[[str], list[tuple[str, str]]]]] = []


def register_demo_seeder(order: int, seeder: Callable[[str], list[tuple[str, str]]]) -> None:
    if all(existing is not seeder for _, existing in _demo_seeders):
        _demo_seeders.append((order, seeder))


def demo_seeders() -> list[Callable[[str], list[tuple[str, str]]]]:
    return [seeder for _, seeder in sorted(_demo_seeders, key=lambda item: item[0])]


@dataclass(frozen=True)
class ProfileSection:
    """A section of the person's profile page an app offers (e.g. youth participation)."""

    key: str
    template: str
    #: Whether the section applies to this request's person; ``None``: to everyone.
    visible: Callable[[object], bool] | None = None
    #: Extra template context, computed with a fixed number of queries.
    context: Callable[[object], dict] | None = None
    order: int = 100


_profile_sections: dict[str, ProfileSection] = {}


def register_profile_section(section: ProfileSection) -> None:
    _profile_sections[section.key] = section


def profile_sections_for(request) -> list[tuple[ProfileSection, dict]]:
    """The sections that apply to the person, in order, each with its context."""
    shown = sorted(
        (s for s in _profile_sections.values() if s.visible is None or s.visible(request)),
        key=lambda s: (s.order, s.key),
    )
    return [(s, s.context(request) if s.context else {}) for s in shown]


@dataclass(frozen=True)
class PeopleAction:
    """A bulk action an app offers on a selection of people in the staff member directory
    (e.g. "nominate to a training"). The directory posts the selected people's ids
    (``person`` repeated) to ``url_name``; that view asks its own app's permissions."""

    key: str
    label: str
    url_name: str
    order: int = 100


_people_actions: dict[str, PeopleAction] = {}


def register_people_action(action: PeopleAction) -> None:
    _people_actions[action.key] = action


def people_actions() -> list[PeopleAction]:
    return sorted(_people_actions.values(), key=lambda a: (a.order, a.key))


@dataclass(frozen=True)
class RecordSection:
    """A section of the staff page of a person or of an organization (their sessions,
    trainings, inputs, stories...). ``context(subject)`` returns the section's template
    context with a fixed number of queries.

    ``audit(subject)``, when given, returns a ``Q`` over ``gdpa.audit.models.AuditEntry``
    selecting the entries about the section's objects (e.g. the person's enrollments):
    the record's audit trail is the subject's own entries OR'ed with every section's."""

    key: str
    label: str
    template: str
    context: Callable[[object], dict]
    order: int = 100
    audit: Callable[[object], object] | None = None


_person_sections: dict[str, RecordSection] = {}
_organization_sections: dict[str, RecordSection] = {}


def register_person_section(section: RecordSection) -> None:
    _person_sections[section.key] = section


def register_organization_section(section: RecordSection) -> None:
    _organization_sections[section.key] = section


def person_sections() -> list[RecordSection]:
    return sorted(_person_sections.values(), key=lambda s: (s.order, s.key))


def organization_sections() -> list[RecordSection]:
    return sorted(_organization_sections.values(), key=lambda s: (s.order, s.key))
