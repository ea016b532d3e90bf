"""The audit log page: filtered by action prefix, paginated, and safe with any input."""

import re

import pytest
from django.urls import reverse

from gdpa.audit import views as audit_views
from gdpa.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def entries(*actions: str) -> None:
    AuditEntry.objects.bulk_create(
        AuditEntry(actor_label="system", action=action, target_label=f"{action} {i}")
        for i, action in enumerate(actions)
    )


def shown_actions(body: str) -> list[str]:
    return re.findall(r'<tr data-action="([^"]*)"', body)


def test_the_action_filter_matches_a_prefix(client, staff):
    AuditEntry.objects.all().delete()
    entries("organization.verify", "organization.reject", "session.create")
    client.force_login(staff)
    response = client.get(reverse("audit:log"), {"action": "organization."})
    assert response.status_code == 200
    assert sorted(shown_actions(response.content.decode())) == [
        "organization.reject",
        "organization.verify",
    ]


def test_the_filter_is_stripped(client, staff):
    AuditEntry.objects.all().delete()
    entries("organization.verify", "session.create")
    client.force_login(staff)
    body = client.get(reverse("audit:log"), {"action": "  session.  "}).content.decode()
    assert shown_actions(body) == ["session.create"]


def test_a_nul_byte_in_the_filter_is_a_bad_request_not_a_server_error(client, staff):
    client.force_login(staff)
    assert client.get(reverse("audit:log"), {"action": "\x00"}).status_code == 400


@pytest.mark.parametrize(("value", "message"), [("a" * 101, "at most 100 characters")])
def test_an_overlong_filter_is_explained_next_to_the_field(client, staff, value, message):
    client.force_login(staff)
    response = client.get(reverse("audit:log"), {"action": value})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'class="field__error"' in body


def test_page_links_keep_the_action_filter(client, staff, monkeypatch):
    monkeypatch.setattr(audit_views, "ENTRIES_PER_PAGE", 2)
    AuditEntry.objects.all().delete()
    entries(*["session.create"] * 5, "organization.verify")
    client.force_login(staff)
    url = reverse("audit:log")
    first = client.get(url, {"action": "session"}).content.decode()
    assert "Page 1 of 3" in first
    assert 'href="?action=session&amp;page=2"' in first
    last = client.get(url, {"action": "session", "page": 3}).content.decode()
    assert shown_actions(last) == ["session.create"]
