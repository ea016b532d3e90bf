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
