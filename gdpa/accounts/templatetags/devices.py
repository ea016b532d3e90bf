from django import template

from gdpa.accounts.devices import describe_user_agent

register = template.Library()


@register.filter
def device(user_agent: str) -> str:
    """``{{ session.user_agent|device }}``: "Firefox on Windows"."""
    return describe_user_agent(user_agent or "")
