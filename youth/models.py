from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class YouthProfile(models.Model):
    """A young member of a diaspora taking part in the alliance (Outcome 2)."""

    MIN_AGE, MAX_AGE = 18, 35

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="youth_profile",
    )
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    heritage_countries = CountryField(_("countries of heritage"), multiple=True)
    interests = models.ManyToManyField(
        "alliance.Sector", verbose_name=_("sectors you care about"), blank=True
    )
    about = models.TextField(_("about you"), max_length=2000, blank=True)
    consent_at = models.DateTimeField(_("consent given"))
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("youth participant profile")
        verbose_name_plural = _("youth participant profiles")

    def __str__(self) -> str:
        return str(self.user)
