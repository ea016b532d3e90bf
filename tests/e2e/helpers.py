import re
import time

from playwright.sync_api import Page, expect

from tests import factories
from tests.gdpa.test_accounts import current_totp


def sign_in(page: Page, base: str, user, *, totp_secret: str | None = None) -> None:
    page.goto(f"{base}/account/login/")
    page.get_by_label(re.compile(r"^E-?mail", re.I)).first.fill(user.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    if totp_secret:
        # A code typed in the last seconds of its 30-second window may reach the server in
        # the next one (allauth accepts no drift): wait for a fresh window instead.
        left = 30 - time.time() % 30
        if left < 5:
            time.sleep(left + 0.2)
        page.get_by_label(re.compile("Code", re.I)).fill(current_totp(totp_secret))
        page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    # Wait until the sign-in has gone through: a page.goto() straight after the click can
    # cancel the form's submission and leave the person signed out.
    page.wait_for_url(lambda url: "/account/login" not in url and "/2fa/authenticate" not in url)


def sign_out(page: Page) -> None:
    """Sign out and wait until the signed-out page has loaded: the click only starts the
    form's submission, and closing the tab or acting elsewhere before it ends can cancel it
    (or, closing, hang the browser call)."""
    button = page.get_by_role("button", name=re.compile("Sign out", re.I))
    button.click()
    expect(button).to_have_count(0)
