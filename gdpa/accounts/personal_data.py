"""The account's personal data: the user row, its e-mail addresses, signed-in sessions
(IP address and browser) and two-factor methods. Registered with gdpa.privacy."""

from gdpa.privacy.registry import (
    PersonalData,
    erased_email,
    erased_label,
    model_handler,
    register_personal_data,
)


def _iso(value):
    return value.isoformat() if value else None


def _user_export(user) -> dict:
    return {
        "full_name": user.full_name,
        "email": user.email,
        "preferred_language": user.preferred_language,
        "time_zone": user.time_zone,
        "country_of_residence": str(user.country_of_residence or ""),
        "gender": user.gender,
        "gender_self_description": user.gender_self_description,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
    }


def _user_anonymize(user) -> int:
    """The row stays (everything that pointed to the person still points to it), with
    nothing left that says who they were."""
    user.full_name = erased_label(user)
    user.email = erased_email(user)
    user.country_of_residence = ""
    user.gender = ""
    user.gender_self_description = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    return 1


def _addresses_export(user) -> list[dict]:
    from allauth.account.models import EmailAddress

    return [
        {"email": a.email, "verified": a.verified, "primary": a.primary}
        for a in EmailAddress.objects.filter(user=user).order_by("pk")
    ]


def _addresses_anonymize(user) -> int:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user).delete()[0]


def _sessions_export(user) -> list[dict]:
    from allauth.usersessions.models import UserSession

    return [
        {
            "ip": s.ip,
            "user_agent": s.user_agent,
            "created_at": _iso(s.created_at),
            "last_seen_at": _iso(s.last_seen_at),
        }
        for s in UserSession.objects.filter(user=user).order_by("pk")
    ]


def _sessions_anonymize(user) -> int:
    # account_disable (run by person_erase first) ended them; the rows go too.
    from allauth.usersessions.models import UserSession

    return UserSession.objects.filter(user=user).delete()[0]


def _authenticators_export(user) -> list[dict]:
    from allauth.mfa.models import Authenticator

    # The secrets themselves are not given out: they are credentials, not data about
    # the person.
    return [
        {"type": a.type, "created_at": _iso(a.created_at), "last_used_at": _iso(a.last_used_at)}
        for a in Authenticator.objects.filter(user=user).order_by("pk")
    ]


def _authenticators_anonymize(user) -> int:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user).delete()[0]


def register() -> None:
    register_personal_data(
        PersonalData(
            "accounts.User",
            (
                "email",
                "full_name",
                "country_of_residence",
                "gender",
                "gender_self_description",
                "password",
            ),
            _user_export,
            _user_anonymize,
            order=10,
        )
    )
    register_personal_data(
        PersonalData(
            "account.EmailAddress", ("user", "email"), _addresses_export, _addresses_anonymize, 20
        )
    )
    register_personal_data(
        PersonalData(
            "usersessions.UserSession",
            ("user", "ip", "user_agent", "data"),
            _sessions_export,
            _sessions_anonymize,
            21,
        )
    )
    register_personal_data(
        PersonalData(
            "mfa.Authenticator",
            ("user", "data"),
            _authenticators_export,
            _authenticators_anonymize,
            22,
        )
    )
    # Object permissions granted to the person through guardian's generic table.
    register_personal_data(
        model_handler(
            "guardian.UserObjectPermission",
            owner="user",
            fields=("user",),
            export_fields=("permission__codename", "object_pk"),
            delete=True,
            order=23,
        )
    )
