"""What youth participation shows on the staff page of a person (registered in
``apps.py``): the youth profile, both consents with their text versions and dates, their
withdrawal, and the person's Youth Voices stories with their status.

Withdrawing the youth consent deletes the profile; the audit log keeps that it was
withdrawn, when, and under which text version it was given, so the consent history is
read from there. ``context`` runs a fixed number of queries."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gdpa.audit.display import describe
from gdpa.audit.selectors import about_objects, audit_entries_where
from gdpa.portal.records import capped
from gdpa.portal.registry import RecordSection, register_person_section

from .models import Story, YouthProfile

#: The audit actions that give or withdraw a youth consent.
CONSENT_ACTIONS = (
    "youth_profile.create",
    "youth_profile.public_consent_given",
    "youth_profile.public_consent_withdrawn",
    "youth_profile.consent_withdrawn",
)


def person_context(person) -> dict:
    profile = (
        YouthProfile.objects.filter(user=person)
        .select_related("organization")
        .prefetch_related("interests")
        .first()
    )
    history = capped(audit_entries_where(Q(actor=person, action__in=CONSENT_ACTIONS)))
    withdrawn = next(
        (e for e in history.rows if e.action == "youth_profile.consent_withdrawn"), None
    )
    stories = capped(
        Story.objects.filter(author=person).select_related("sector").order_by("-created_at", "-pk")
    )
    return {
        "profile": profile,
        "consent_history": [describe(entry) for entry in history.rows],
        "consent_history_more": history.more,
        # The latest withdrawal, shown when the person is no longer a participant.
        "withdrawn": withdrawn if profile is None else None,
        "stories": stories,
    }


def person_audit(person) -> Q:
    return about_objects(YouthProfile.objects.filter(user=person)) | about_objects(
        Story.objects.filter(author=person)
    )


def register() -> None:
    register_person_section(
        RecordSection(
            "youth",
            _("Youth participation"),
            "youth/records/person.html",
            person_context,
            order=60,
            audit=person_audit,
        )
    )
