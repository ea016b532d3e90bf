"""Signal receivers, connected in ``NotifyConfig.ready()``; each hands over to a service."""

from . import deliverability
from .tracking import on_tracking

__all__ = ["on_email_confirmed", "on_tracking"]


def on_email_confirmed(request, email_address, **kwargs) -> None:
    """allauth: the person followed the link mailed to ``email_address``.

    Mail reaches that address, so its hard bounces stop counting. The suppression list
    is kept per address: when a person changes to a new address, the new one starts
    clean and the old one keeps its own record (nothing carries over either way).
    """
    deliverability.address_confirmed(user=email_address.user, address=email_address.email)
