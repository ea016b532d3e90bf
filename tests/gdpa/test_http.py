"""Requests the kernel refuses or marks before any view runs (run with DEBUG off)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import Http404, HttpResponse, UnreadablePostError
from django.test import override_settings
from django.urls import reverse
from django.views import defaults

from gdpa.http.middleware import PrivatePagesMiddleware, RequestGuardMiddleware
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_debug_off")]


@pytest.fixture
def _debug_off(settings):
    settings.DEBUG = False


# 22. Control characters are a 400 and never reach the database. ----------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/alliance/calendar/%00.ics",
        "/staff/audit/?action=%00",
        "/?q=a%00b",
        "/alliance/calendar/%01abc.ics",
        "/%00/",
    ],
)
def test_control_characters_in_the_path_or_query_are_a_400_without_queries(
    client, django_assert_num_queries, url
):
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 400
    assert b"Error 400" in response.content


def test_control_characters_in_the_query_are_refused_for_signed_in_staff_too(client, staff):
    client.force_login(staff)
    response = client.get(reverse("audit:log"), {"action": "\x00"})
    assert response.status_code == 400


def test_a_nul_byte_in_a_posted_value_is_a_400(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.post(
            reverse("account_login"), {"login": "a\x00@example.org", "password": "x"}
        )
    assert response.status_code == 400


def test_a_nul_byte_in_the_session_cookie_is_a_400(client, django_assert_num_queries):
    client.cookies["sessionid"] = "\x00abcdefghijkl"
    with django_assert_num_queries(0):
        response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 400


def test_a_body_that_cannot_be_read_is_left_to_csrf_protection(rf):
    request = rf.post("/account/login/", {"login": "a@example.org"})

    def broken():
        raise UnreadablePostError("client went away")

    request._load_post_and_files = broken
    assert RequestGuardMiddleware(lambda r: None).process_view(request, None, (), {}) is None


def test_line_breaks_and_tabs_in_posted_text_are_accepted(client):
    user = factories.make_user(full_name="Old Name")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "New\tName\r\n", "preferred_language": "en", "time_zone": "UTC"},
    )
    assert response.status_code in {200, 302}


def test_a_bad_host_header_is_a_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert b"Error 400" in response.content
    assert b"Sign in" in response.content


@pytest.mark.parametrize(
    ("view", "exception", "status", "text"),
    [
        (defaults.bad_request, Exception(), 400, b"Error 400"),
        (defaults.permission_denied, PermissionDenied(), 403, b"Error 403"),
        (defaults.page_not_found, Http404(), 404, b"Error 404"),
    ],
)
def test_error_pages_render_before_authentication_ran(rf, view, exception, status, text):
    request = rf.get("/somewhere/")
    assert not hasattr(request, "user")
    response = view(request, exception)
    assert response.status_code == status
    assert text in response.content


def test_the_500_page_renders_with_an_empty_context(rf):
    response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Error 500" in response.content


# 24. Uploads stop at the limit. -----------------------------------------------------------


def test_an_upload_past_the_limit_is_refused_without_reading_it_whole(
    client, staff, scheduled, monkeypatch
):
    stored: list[int] = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self, raw_data, start):
        stored.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    client.force_login(staff)
    big = SimpleUploadedFile("minutes.pdf", b"%PDF-1.7\n" + b"0" * (12 * 1024 * 1024))
    response = client.post(
        reverse("alliance:session_document_add", args=[scheduled.pk]),
        {"title": "Minutes", "file": big},
    )
    assert response.status_code == 413
    assert "larger than 10.0 MB" in response.content.decode().replace("\xa0", " ")
    assert not scheduled.documents.exists()
    stream = response.wsgi_request._stream
    assert stream._pos < stream.limit - 1024 * 1024, "the request body was read to the end"
    assert sum(stored) <= 10 * 1024 * 1024


def test_an_upload_within_the_limit_reaches_the_view(client, staff, scheduled):
    client.force_login(staff)
    upload = SimpleUploadedFile("notes.txt", b"plain text, not a document")
    response = client.post(
        reverse("alliance:session_document_add", args=[scheduled.pk]),
        {"title": "Notes", "file": upload},
    )
    # The view's own check answers (wrong type), not the size guard.
    assert response.status_code in {302, 422}
    assert response.status_code != 413


def test_the_document_check_uses_the_same_limit(settings):
    from alliance.services import documents

    assert settings.UPLOAD_MAX_FILE_BYTES == documents.MAX_DOCUMENT_BYTES


# 25. Signed-in pages are private; the language cookie follows the secure setting. ------------


def test_signed_in_pages_are_not_stored_by_caches(client):
    client.force_login(factories.make_user())
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    cache_control = response.headers["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control


def test_anonymous_pages_are_not_marked_private(client):
    response = client.get(reverse("portal:home"))
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_a_response_that_chose_its_own_caching_is_left_alone(rf):
    request = rf.get("/")
    request.user = factories.make_user()
    own = HttpResponse()
    own["Cache-Control"] = "max-age=60"
    assert PrivatePagesMiddleware(lambda r: own)(request)["Cache-Control"] == "max-age=60"
    plain = PrivatePagesMiddleware(lambda r: HttpResponse())(request)
    assert "no-store" in plain["Cache-Control"]


@pytest.mark.parametrize("secure", [True, False])
def test_the_language_cookie_follows_language_cookie_secure(client, secure):
    with override_settings(LANGUAGE_COOKIE_SECURE=secure):
        response = client.post(reverse("accounts:language"), {"language": "fr", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie.value == "fr"
    assert bool(cookie["secure"]) is secure
    assert cookie["httponly"]


def test_no_route_serves_media_files_without_a_permission_check_even_in_debug(settings):
    """Uploaded and generated files (exports, documents, photos awaiting moderation) are
    only reachable through their apps' permission-checked views."""
    import importlib

    from django.urls import Resolver404, get_resolver

    import gdpa.urls

    settings.DEBUG = True
    try:
        module = importlib.reload(gdpa.urls)
        with pytest.raises(Resolver404):
            get_resolver(module).resolve(settings.MEDIA_URL + "exports/some-export.csv")
    finally:
        settings.DEBUG = False
        importlib.reload(gdpa.urls)
