"""Browsers an address has signed in from before: exempt from the per-address ceiling.

After a successful sign-in the browser gets a signed, HttpOnly cookie holding a keyed hash
of each of the account's confirmed addresses (never the address itself). An attacker who
fails sign-ins for an address from many IPs can pause password sign-in for that address
(the ceiling in docs/security.md, "Account lockout"), but not from the owner's own
browsers: they still pass the per-IP and per-(address, IP) limits like anyone else, but the
ceiling does not apply to them. The cookie cannot be forged without ``SECRET_KEY``.
"""

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

_SALT = "gdpa.accounts.known-browser"
#: Addresses remembered per browser (the most recent sign-ins win).
MAX_ADDRESSES = 10
MAX_AGE = 180 * 24 * 3600


def cookie_name() -> str:
    # The __Host- prefix binds the cookie to this host, over HTTPS, for the whole site.
    return "__Host-gdpa_known" if settings.SESSION_COOKIE_SECURE else "gdpa_known"


def address_token(address: str) -> str:
    return salted_hmac(_SALT, address.strip().lower(), algorithm="sha256").hexdigest()[:32]


def _tokens(request: HttpRequest) -> list[str]:
    value = request.COOKIES.get(cookie_name(), "")
    if not value:
        return []
    try:
        tokens = signing.loads(value, salt=_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return []
    return [token for token in tokens if isinstance(token, str)] if isinstance(tokens, list) else []


def is_known(request: HttpRequest, address: str) -> bool:
    return bool(address) and address_token(address) in _tokens(request)


def remember(request: HttpRequest, response: HttpResponse, addresses: list[str]) -> None:
    fresh = [address_token(address) for address in addresses if address]
    tokens = list(dict.fromkeys(fresh + _tokens(request)))[:MAX_ADDRESSES]
    response.set_cookie(
        cookie_name(),
        signing.dumps(tokens, salt=_SALT),
        max_age=MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
