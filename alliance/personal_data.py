"""The alliance's personal data, registered with gdpa.privacy (see its registry).

Erasure keeps every row that figures, recommendations, endorsements and attendance
depend on: memberships, participants (RSVP and attendance), inputs, endorsements and
organization support stay, pointing to the anonymized account; names copied onto rows
become "Erased person #<id>", addresses become the account's non-routable address and
free text the person wrote is replaced. Personal grants and calendar feeds go.
"""

from django.db.models import Case, Q, Value, When

from gdpa.privacy.registry import (
    REMOVED_TEXT,
    PersonalData,
    erased_email,
    erased_label,
    former_addresses,
    model_handler,
    plain,
    register_personal_data,
)

from .models import Invitation, Organization, Participant


def _addressed(user, addresses, field="email") -> Q:
    query = Q(pk__in=[])
    for address in addresses:
        query |= Q(**{f"{field}__iexact": address})
    return query


def _participants_export(user) -> list[dict]:
    return [
        {k.replace("__", "."): plain(v) for k, v in row.items()}
        for row in Participant.objects.filter(Q(user=user) | _addressed(user, {user.email}))
        .order_by("pk")
        .values("session__title", "email", "rsvp", "responded_at", "attended", "checked_in_at")
    ]


def _participants_anonymize(user) -> int:
    return Participant.objects.filter(
        Q(user=user) | _addressed(user, former_addresses(user))
    ).update(email=erased_email(user), user=user)


def _invitations_export(user) -> list[dict]:
    return [
        {k.replace("__", "."): plain(v) for k, v in row.items()}
        for row in Invitation.objects.filter(Q(accepted_by=user) | _addressed(user, {user.email}))
        .order_by("pk")
        .values("organization__name", "email", "role", "created_at", "accepted_at")
    ]


def _invitations_anonymize(user) -> int:
    theirs = Invitation.objects.filter(
        Q(accepted_by=user) | _addressed(user, former_addresses(user))
    )
    # An invitation nobody accepted is only an address: it goes. An accepted one is the
    # record of how the person joined: it stays, without the address.
    deleted = theirs.filter(accepted_at__isnull=True).delete()[0]
    return deleted + theirs.update(email=erased_email(user))


def _organizations_anonymize(user) -> int:
    """An organization's contact address is the organization's; when it is the erased
    person's own address, it (and the phone given with it) is blanked."""
    return Organization.objects.filter(
        _addressed(user, former_addresses(user), "contact_email")
    ).update(contact_email="", contact_phone="")


def register() -> None:
    register_personal_data(
        PersonalData(
            "alliance.Organization",
            ("created_by", "decided_by", "contact_email", "contact_phone"),
            lambda user: [],  # the organization's data, not the person's
            _organizations_anonymize,
            order=50,
            owners=(),
        )
    )
    register_personal_data(
        model_handler(
            "alliance.Membership",
            owner="user",
            fields=("user",),
            export_fields=("organization__name", "role", "created_at"),
            order=51,
        )
    )
    register_personal_data(
        model_handler(
            "alliance.OrganizationUserObjectPermission",
            owner="user",
            fields=("user",),
            export_fields=("permission__codename", "content_object__name"),
            delete=True,
            order=52,
        )
    )
    register_personal_data(
        PersonalData(
            "alliance.Invitation",
            ("email", "invited_by", "accepted_by"),
            _invitations_export,
            _invitations_anonymize,
            order=53,
            owners=("accepted_by",),
        )
    )
    register_personal_data(
        PersonalData(
            "alliance.Participant",
            ("user", "email", "invited_by"),
            _participants_export,
            _participants_anonymize,
            order=54,
            owners=("user",),
        )
    )
    register_personal_data(
        model_handler(
            "alliance.CalendarFeed",
            owner="user",
            fields=("user",),
            export_fields=("created_at",),
            delete=True,
            order=55,
        )
    )
    register_personal_data(
        model_handler(
            "alliance.RecommendationInput",
            owner="author",
            fields=("author", "author_name", "text", "proposed_text", "responded_by"),
            export_fields=(
                "recommendation__title_en",
                "author_name",
                "kind",
                "text",
                "proposed_text",
                "status",
                "response",
                "created_at",
            ),
            replace=lambda user: {
                "author_name": erased_label(user),
                "text": REMOVED_TEXT,
                # Blank stays blank: only text the person proposed is replaced.
                "proposed_text": Case(
                    When(proposed_text="", then=Value("")), default=Value(REMOVED_TEXT)
                ),
            },
            order=56,
        )
    )
    register_personal_data(
        model_handler(
            "alliance.Endorsement",
            owner="endorsed_by",
            fields=("endorsed_by", "endorsed_by_name", "withdrawn_by"),
            export_fields=(
                "recommendation__title_en",
                "member_state__country",
                "endorsed_by_name",
                "endorsed_at",
                "withdrawn_at",
            ),
            replace=lambda user: {"endorsed_by_name": erased_label(user)},
            order=57,
        )
    )
    register_personal_data(
        model_handler(
            "alliance.OrganizationSupport",
            owner="given_by",
            fields=("given_by",),
            export_fields=("recommendation__title_en", "organization__name", "created_at"),
            order=58,
        )
    )
    register_personal_data(
        model_handler(
            "alliance.StaffImport",
            owner="created_by",
            fields=("created_by",),
            export_fields=("kind", "file_name", "started_at"),
            order=59,
        )
    )
