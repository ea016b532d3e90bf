"""Facts for the public home page, read from registries so the kernel imports no app."""

from .registry import home_facts_providers


def home_facts() -> dict:
    facts: dict = {}
    for provider in home_facts_providers():
        facts.update(provider())
    return facts
