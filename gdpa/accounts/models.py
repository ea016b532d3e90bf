import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "self_described", _("I describe myself as…")
    PREFER_NOT_TO_SAY = "prefer_not_to_say", _("Prefer not to say")


class User(AbstractBaseUser, PermissionsMixin):
    """A person using the portal. E-mail is the login; the name is free text."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    country_of_residence = CountryField(_("country of residence"), blank=True)
    gender = models.CharField(_("gender"), max_length=32, choices=Gender.choices, blank=True)
    gender_self_description = models.CharField(
        _("gender, in your own words"), max_length=100, blank=True
    )
    is_staff = models.BooleanField(
        _("Django admin access"),
        default=False,
        help_text=_("Can sign in to the technical administration site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        indexes = [
            # The staff member directory lists people by name (or newest first) a page
            # at a time: an index walk instead of sorting every account.
            models.Index(fields=["full_name", "id"], name="accounts_user_name_id"),
            models.Index(fields=["date_joined", "id"], name="accounts_user_joined_id"),
            # ... and by name within a country of residence (the country filter).
            models.Index(
                fields=["country_of_residence", "full_name", "id"],
                name="accounts_user_country_name_id",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)
        if self.gender != Gender.SELF_DESCRIBED:
            self.gender_self_description = ""
        elif not self.gender_self_description.strip():
            raise ValidationError(
                {
                    "gender_self_description": _(
                        "Please describe your gender, or choose another option."
                    )
                }
            )

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name

    @property
    def gender_display(self) -> str:
        if self.gender == Gender.SELF_DESCRIBED:
            return self.gender_self_description
        return self.get_gender_display()
