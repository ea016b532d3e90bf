"""Answer 503 with a page that says "try again in a moment" while the database is away.

A PostgreSQL restart or fail-over makes every query raise ``OperationalError`` (or
``InterfaceError`` on a connection that died under it) for a few seconds. That is not a
bug to report but a moment to wait: the person gets a 503 with ``Retry-After``, rendered
without the database, and the same web processes serve again as soon as it is back
(``CONN_HEALTH_CHECKS`` drops the dead persistent connections, gdpa/settings/base.py).
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error

#: Seconds a client (or a proxy) is told to wait before asking again.
RETRY_AFTER = 30


def database_unreachable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database cannot be reached right now."""
    return isinstance(exc, OperationalError | InterfaceError)


@requires_csrf_token
def server_error_or_unavailable(request, template_name="500.html"):
    """``handler500``: a 503 page while the database is unreachable, else Django's 500."""
    if not database_unreachable(sys.exc_info()[1]):
        return server_error(request, template_name)
    # Rendered without the request: context processors would ask the database.
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response
