from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

#: The version of the consent text a new participant agrees to. Change it (and add the new
#: text to CONSENT_TEXTS, keeping the old ones) whenever the wording changes.
CONSENT_VERSION = "2026-11"

#: Every consent text ever given, by version, so a participant can see what they agreed to.
CONSENT_TEXTS = {
    "2026-11": _(
        "I agree that IOM processes this information to involve me in the alliance's "
        "youth activities. I can withdraw at any time."
    ),
}


class YouthProfile(models.Model):
    """A young member of a diaspora taking part in the alliance (Outcome 2).

    Withdrawing consent deletes the profile (an audit entry records the withdrawal), so
    having a profile is the same as being a youth participant.
    """

    MIN_AGE, MAX_AGE = 18, 35  # inclusive, in whole years on the day

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="youth_profile",
    )
    date_of_birth = models.DateField(_("date of birth"))
    heritage_countries = CountryField(_("countries of heritage"), multiple=True)
    interests = models.ManyToManyField(
        "alliance.Sector", verbose_name=_("sectors you care about"), blank=True
    )
    about = models.TextField(_("about you"), max_length=2000, blank=True)
    consent_at = models.DateTimeField(_("consent given"))
    consent_version = models.CharField(_("consent text version"), max_length=20)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("youth participant profile")
        verbose_name_plural = _("youth participant profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def consent_text(self) -> str:
        return CONSENT_TEXTS.get(self.consent_version, "")
