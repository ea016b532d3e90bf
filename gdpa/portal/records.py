"""The staff pages of a person: the account's facts, the sections the apps registered,
the e-mails sent to them and their audit trail. The kernel imports no app: what an app
knows about a person comes from ``registry.person_sections()``.

Every part runs a fixed number of queries whatever the person's history: sections cap
their lists (``capped``), the e-mails show the latest few with a count, and the audit
trail is paginated.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q

from gdpa.audit.display import Described, describe
from gdpa.audit.selectors import about_object, audit_entries_where
from gdpa.notify.selectors import outbound_emails_to

from .registry import RecordSection, person_sections

AUDIT_PER_PAGE = 25
EMAILS_SHOWN = 10
#: How many rows a record section lists before "N more".
SECTION_ROWS = 10


@dataclass(frozen=True)
class Capped:
    """The first rows of a list and how many were left out (one query: one row over)."""

    rows: list
    more: int
    total: int


def capped(queryset, total: int | None = None, limit: int = SECTION_ROWS) -> Capped:
    """The first ``limit`` rows of ``queryset``; ``total`` (e.g. from an aggregate the
    section already runs) gives the count of the rest, else "more" is counted in the
    same query by taking one row over and asking for the count only when needed."""
    rows = list(queryset[: limit + 1])
    if total is None:
        total = len(rows) if len(rows) <= limit else queryset.count()
    rows = rows[:limit]
    return Capped(rows=rows, more=max(total - len(rows), 0), total=total)


def sections_for(sections: list[RecordSection], subject) -> list[tuple[RecordSection, dict]]:
    return [(section, section.context(subject)) for section in sections]


def audit_condition(subject, sections: list[RecordSection], own: Q) -> Q:
    """``own`` OR'ed with what each section says is about the subject."""
    condition = own
    for section in sections:
        if section.audit is not None:
            condition |= section.audit(subject)
    return condition


def audit_page(condition: Q, number) -> tuple[Page, list[Described]]:
    page = Paginator(audit_entries_where(condition), AUDIT_PER_PAGE).get_page(number)
    return page, [describe(entry) for entry in page.object_list]


def person_audit_condition(person) -> Q:
    """Changes to the person's account, what they did themselves, and changes to what
    the apps hold about them (memberships, enrollments, stories...)."""
    return audit_condition(person, person_sections(), about_object(person) | Q(actor=person))


def person_facts(person) -> dict:
    """The account's facts beyond its own fields: whether the address is confirmed and
    whether two-factor authentication is on (two queries)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.utils import is_mfa_enabled

    return {
        "email_verified": EmailAddress.objects.filter(
            user=person, email__iexact=person.email, verified=True
        ).exists(),
        "mfa_enabled": is_mfa_enabled(person),
    }


def person_emails(person) -> Capped:
    return capped(outbound_emails_to(person), limit=EMAILS_SHOWN)
