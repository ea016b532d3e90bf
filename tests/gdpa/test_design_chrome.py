"""Design pass, chrome: staff workspace navigation, footer pages, two-factor recovery
codes, and the wording of the account pages (issue 7)."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- recovery codes


def test_staff_with_two_factor_can_view_and_regenerate_their_recovery_codes(client, staff):
    """After signing in, allauth asks for the password again (reauthentication), then
    shows the codes; new codes can be generated in the same way."""
    client.force_login(staff)
    url = reverse("mfa_view_recovery_codes")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))

    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    response = client.get(url)
    assert response.status_code == 200
    codes = response.context["unused_codes"]
    assert len(codes) == 10
    assert all(code != "****" for code in codes)

    index = client.get(reverse("mfa_index")).content.decode()
    assert url in index
    assert reverse("mfa_generate_recovery_codes") in index

    response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    assert client.get(url).context["unused_codes"] != codes


def test_demo_staff_gets_recovery_codes_with_the_authenticator_app(client):
    from allauth.mfa.models import Authenticator
    from django.core.management import call_command

    call_command("seed_demo", "--i-know-this-is-not-production", stdout=open("/dev/null", "w"))  # noqa: SIM115
    types = set(
        Authenticator.objects.filter(user__email="staff@gdpa.example.org").values_list(
            "type", flat=True
        )
    )
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}


# ---------------------------------------------------------------- staff workspace navigation


def _header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_staff_header_groups_the_staff_links_in_a_workspace_menu(client, staff):
    client.force_login(staff)
    response = client.get(reverse("alliance:verification_queue"))
    assert response.status_code == 200
    groups = {
        str(g["label"]): [str(i["label"]) for i in g["items"]]
        for g in response.context["staff_groups"]
    }
    assert groups == {
        "Members": ["Member directory", "Verification", "Member states", "Sectors", "Import"],
        "Sessions": ["Manage sessions"],
        "Trainings": ["Training programmes", "Enrollment approvals"],
        "Recommendations": ["Recommendation tracks", "Recommendation reports"],
        "Youth": ["Youth figures", "Youth age range", "Story moderation"],
        "Records": [
            "Results",
            "Audit log",
            "Sent e-mails",
            "Exports",
            "Retention",
            "Erasure requests",
        ],
    }
    own = [str(i["label"]) for i in response.context["nav_items"]]
    assert "Verification" not in own and "Audit log" not in own
    assert {"Dashboard", "Sessions", "My organizations"} <= set(own)

    header = _header(response.content.decode())
    menu = header[header.index('<details class="staff-menu"') : header.index("</details>")]
    assert "<summary" in menu and "Staff workspace" in menu
    assert f'href="{reverse("audit:log")}"' in menu
    # The page's own link is marked inside the menu, and the menu's summary with it.
    assert f'href="{reverse("alliance:verification_queue")}" aria-current="page"' in menu
    assert "is-current" in menu[: menu.index("</summary>")]


def test_focal_points_header_has_no_staff_workspace(client, focal_point):
    client.force_login(focal_point)
    response = client.get(reverse("portal:dashboard"))
    assert response.context["staff_groups"] == []
    header = _header(response.content.decode())
    assert "staff-menu" not in header
    assert reverse("audit:log") not in header
    assert f'href="{reverse("portal:dashboard")}" aria-current="page"' in header


def test_language_names_are_capitalised_in_the_switcher(client):
    html = client.get(reverse("portal:home")).content.decode()
    assert ">Français</option>" in html and ">Español</option>" in html


# ---------------------------------------------------------------- footer pages


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_footer_links_resolve_in_every_language(client, language, settings):
    from django.utils import translation

    settings.CONTACT_EMAIL = "secretariat@example.org"
    with translation.override(language):
        urls = [reverse(f"portal:{name}") for name in ("privacy", "accessibility", "contact")]
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="mailto:secretariat@example.org"' in footer
    if language == "en":  # in words, no IOM logo
        assert "supported by the International Organization for Migration (IOM)" in footer
    for url in urls:
        assert f'href="{url}"' in footer
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200
        assert f'<html lang="{language}"' in page.content.decode()
        assert "secretariat@example.org" in page.content.decode()


def test_privacy_notice_names_the_rights_and_the_principles(client):
    html = client.get(reverse("portal:privacy")).content.decode()
    for phrase in (
        "IOM Data Protection Principles",
        "Access",
        "Rectification",
        "Erasure",
        "Withdrawal of consent",
    ):
        assert phrase in html


def test_accessibility_statement_states_the_target(client):
    html = client.get(reverse("portal:accessibility")).content.decode()
    assert "WCAG) 2.1 at level AA" in html
    assert "axe-core" in html


def test_favicon_is_linked_and_served(client):
    from django.contrib.staticfiles import finders

    html = client.get(reverse("portal:home")).content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
    assert finders.find("img/favicon.svg")


def test_youth_consent_links_to_the_privacy_notice(client):
    from datetime import date

    from youth.services import youth_profile_create

    person = factories.make_user()
    client.force_login(person)
    privacy = f'href="{reverse("portal:privacy")}"'
    join = client.get(reverse("youth:join")).content.decode()
    checkbox = join[join.index('name="consent"') :]
    assert privacy in checkbox[: checkbox.index("</div>", checkbox.index("field__help"))]

    youth_profile_create(
        user=person, date_of_birth=date(2003, 6, 1), heritage_countries=["PE"], consent=True
    )
    assert privacy in client.get(reverse("youth:consent")).content.decode()


# ---------------------------------------------------------------- wording


def _text(response) -> str:
    import re

    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"(?s)<[^>]+>", " ", html))


def test_sign_up_page_says_create_an_account(client):
    response = client.get(reverse("account_signup"))
    html = response.content.decode()
    assert "<title>Create an account ·" in html
    assert '<h1 class="h1">Create an account</h1>' in html or ">Create an account</h1>" in html
    assert "Sign Up" not in html and "Signup" not in html
    form = html[html.index('<form class="form"') :]
    assert 'type="submit"' in form and "Create an account" in form
    assert 'placeholder="Email address"' not in html


def test_sign_in_page_wording_is_in_sentence_case(client):
    response = client.get(reverse("account_login"))
    text = _text(response)
    for phrase in ("Sign in", "Remember me", "Forgot your password?", "Create an account"):
        assert phrase in text
    for phrase in ("Sign In", "Remember Me", "sign up", "Register"):
        assert phrase not in text


def test_two_factor_pages_offer_recovery_codes_in_sentence_case(client, staff):
    client.force_login(staff)
    text = _text(client.get(reverse("mfa_index")))
    assert "View recovery codes" in text and "Generate new codes" in text
    assert "Two-Factor" not in text and "Recovery Codes" not in text


def test_an_htmx_answer_does_not_build_the_header_it_does_not_draw(client, member):
    """The navigation is read when the header is drawn: a page reads the person's roles
    for it (the youth profile among them), an htmx answer that swaps one region does not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(member)
    url = reverse("trainings:catalogue")

    def roles_read(**headers) -> bool:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"audience": "diaspora"}, headers=headers)
        assert response.status_code == 200
        return any("youth_youthprofile" in q["sql"] for q in queries.captured_queries)

    assert roles_read()
    assert not roles_read(**{"HX-Request": "true"})
