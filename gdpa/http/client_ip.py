"""The address of the person behind a request, as far as the configured proxies vouch for it.

Every rate limit that counts per IP (allauth's, through ``AccountAdapter.get_client_ip``,
and any of the portal's own) and every recorded session IP asks ``client_ip()``.

``TRUSTED_PROXY_COUNT`` is the number of reverse proxies in front of the portal that append
to ``X-Forwarded-For``. Each proxy appends the address it received the request from, so
with N trusted proxies the N-th entry from the right was written by the outermost one and
is the client. Entries further left were sent by the client itself and prove nothing: a
client that invents ``X-Forwarded-For: 203.0.113.9`` only adds an entry on the left. With
``TRUSTED_PROXY_COUNT = 0`` the header is ignored and ``REMOTE_ADDR`` is the client.
"""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)

#: Stands in when no address can be determined (a malformed ``REMOTE_ADDR``), so all such
#: requests share one rate-limit bucket instead of escaping it.
UNKNOWN_IP = "0.0.0.0"  # noqa: S104


def _clean(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:5000"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's IP address: the ``TRUSTED_PROXY_COUNT``-th ``X-Forwarded-For`` hop
    from the right, or ``REMOTE_ADDR`` when no proxy is trusted or the header is short."""
    remote = _clean(request.META.get("REMOTE_ADDR", "")) or UNKNOWN_IP
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [hop for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    if len(hops) < count:
        # Fewer hops than proxies: the request did not pass through all of them (or the
        # count is wrong). The direct peer is the only address nobody could forge.
        logger.warning(
            "X-Forwarded-For has %d hop(s), TRUSTED_PROXY_COUNT is %d; counting REMOTE_ADDR.",
            len(hops),
            count,
        )
        return remote
    return _clean(hops[-count]) or remote


def rate_limit_ip(request: HttpRequest) -> str:
    """``client_ip()`` as rate limits count it: an IPv6 address stands for its /64 network
    (``ALLAUTH_RATE_LIMIT_IPV6_PREFIX``), since one household or host holds a whole one."""
    ip = client_ip(request)
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address):
        prefix = getattr(settings, "ALLAUTH_RATE_LIMIT_IPV6_PREFIX", 64)
        return str(ipaddress.IPv6Network(f"{ip}/{prefix}", strict=False).network_address)
    return ip
