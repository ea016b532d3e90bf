from django.db import transaction

from .models import User

PROFILE_FIELDS = [
    "full_name",
    "preferred_language",
    "time_zone",
    "country_of_residence",
    "gender",
    "gender_self_description",
]


@transaction.atomic
def profile_update(*, user: User, **changes) -> User:
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean()
    user.save(update_fields=[*changes])
    return user


@transaction.atomic
def language_set(*, user: User, language: str) -> None:
    """Remember a signed-in person's language choice."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.full_clean(exclude=["password"])
        user.save(update_fields=["preferred_language"])


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    password: str,
    preferred_language: str = "en",
    time_zone: str = "UTC",
    country_of_residence: str = "",
    gender: str = "",
    gender_self_description: str = "",
    email_verified: bool = False,
) -> User:
    """Create an account (operators, demo data, tests); sign-up itself goes through allauth."""
    from allauth.account.models import EmailAddress

    user = User(
        email=User.objects.normalize_email(email),
        full_name=full_name,
        preferred_language=preferred_language,
        time_zone=time_zone,
        country_of_residence=country_of_residence,
        gender=gender,
        gender_self_description=gender_self_description,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


@transaction.atomic
def account_disable(*, actor: User | None, user: User, reason: str) -> int:
    """Disable an account and end every one of its signed-in sessions, audited.

    ``actor`` is the staff member (``None`` for a service or task). Safe to call again on a
    disabled account: sessions that appeared since are ended. Returns how many ended.
    """
    from allauth.usersessions.adapter import get_adapter as usersessions_adapter
    from allauth.usersessions.models import UserSession

    from gdpa.audit.services import audit_record

    user = User.objects.select_for_update().get(pk=user.pk)
    was_active = user.is_active
    if was_active:
        user.is_active = False
        user.full_clean(exclude=["password"])
        user.save(update_fields=["is_active"])
    sessions = list(UserSession.objects.filter(user_id=user.pk))
    # Ends each session in the session store as well as its row; a session without a row
    # (signed in before session tracking) no longer authenticates: Django refuses an
    # inactive user on every request.
    usersessions_adapter().end_sessions(sessions)
    audit_record(
        actor=actor,
        action="account.disable",
        target=user,
        before={"is_active": was_active},
        after={"is_active": False, "reason": reason, "sessions_ended": len(sessions)},
    )
    return len(sessions)
