import importlib

import pytest
from django.apps import apps

#: Chromium reports every refused script, style, frame or form target in the console with
#: these words ("Refused to apply inline style because it violates the following Content
#: Security Policy directive ...").
CSP_CONSOLE_MARK = "Content Security Policy"


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Transactional tests empty the tables after each test; put the sectors and the
    diaspora capitals (a data migration) back for the next browser journey."""
    importlib.import_module("alliance.migrations.0002_reference_data").load(apps, None)


@pytest.fixture(autouse=True)
def csp_violations(request):
    """Every browser test fails on a Content-Security-Policy violation in any of its tabs:
    the policy (gdpa/settings/base.py) is active in the test settings, so a template or
    script that needs inline code shows up here. Yields the list, for tests that look."""
    if "page" not in request.fixturenames:
        yield []
        return
    page = request.getfixturevalue("page")
    found: list[str] = []

    def on_console(message):
        if CSP_CONSOLE_MARK in message.text:
            found.append(f"{message.location.get('url', '?')}: {message.text}")

    page.context.on("console", on_console)
    yield found
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)
