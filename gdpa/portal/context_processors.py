from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from gdpa.accounts.roles import LABELS, roles_for

from .registry import nav_links_for


def navigation(request) -> dict:
    """Header navigation: links for the person's roles, each marked when it is the page.

    Error pages can render before authentication ran (a bad Host header, a refused request):
    then there is no ``request.user`` and the public links are shown.
    """
    user = getattr(request, "user", None) or AnonymousUser()
    path = request.path
    items = []
    for link in nav_links_for(user):
        url = reverse(link.url_name)
        active = path == url or (url != "/" and path.startswith(url))
        items.append({"label": link.label, "url": url, "active": active})
    roles = roles_for(user)
    return {
        "nav_items": items,
        "user_role_labels": [str(LABELS[r]) for r in sorted(roles) if r in LABELS],
    }
