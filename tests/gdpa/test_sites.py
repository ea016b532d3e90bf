"""The Sites entry follows SITE_URL, so allauth's e-mails name the real portal."""

from urllib.parse import urlsplit

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_migrate_names_the_site_after_site_url(settings):
    assert Site.objects.get_current().domain == urlsplit(settings.SITE_URL).netloc


def test_password_reset_email_names_the_site_url_host(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.net"
    call_command("migrate", verbosity=0)
    user = factories.make_user(email="reset-me@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    body = mail.outbox[-1].body
    assert "portal.example.net" in body
    assert "example.com" not in body
