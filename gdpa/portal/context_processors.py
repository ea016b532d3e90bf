from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from gdpa.accounts.roles import LABELS, roles_for

from .registry import nav_for


def _item(link, path: str) -> dict:
    url = reverse(link.url_name)
    active = path == url or (url != "/" and path.startswith(url))
    return {"key": link.key, "label": link.label, "url": url, "active": active}


def navigation(request) -> dict:
    """Header navigation: the person's own links in the main bar (``nav_items``) and the
    staff workspace groups (``staff_groups``), each link marked when it is the page.

    Built when a template first reads it: an htmx answer that swaps one region never
    draws the header, and no longer pays for the person's roles and a dozen links.

    Error pages can render before authentication ran (a bad Host header, a refused request):
    then there is no ``request.user`` and the public links are shown.
    """
    built = SimpleLazyObject(lambda: _navigation(request))

    def part(name: str):
        return SimpleLazyObject(lambda: built[name])

    return {
        "nav_items": part("nav_items"),
        "staff_groups": part("staff_groups"),
        "staff_active": part("staff_active"),
        "user_role_labels": part("user_role_labels"),
        "contact_email": settings.CONTACT_EMAIL,
    }


def _navigation(request) -> dict:
    user = getattr(request, "user", None) or AnonymousUser()
    path = request.path
    own, groups = nav_for(user)
    staff_groups = []
    for group, links in groups:
        items = [_item(link, path) for link in links]
        staff_groups.append({"key": group.key, "label": group.label, "items": items})
    roles = roles_for(user)
    return {
        "nav_items": [_item(link, path) for link in own],
        "staff_groups": staff_groups,
        "staff_active": any(i["active"] for g in staff_groups for i in g["items"]),
        "user_role_labels": [str(LABELS[r]) for r in sorted(roles) if r in LABELS],
    }
