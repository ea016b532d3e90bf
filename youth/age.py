"""Age on a given day, from an exact date of birth."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def age_on(date_of_birth: datetime.date, today: datetime.date) -> int:
    """Whole years lived by ``today``: the age goes up on the birthday itself.

    Someone born on 29 February gets a year older on 1 March in a common year (on
    28 February they have not yet had their birthday), and on 29 February in a leap year.
    """
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - before_birthday


def validate_date_of_birth(date_of_birth: datetime.date, today: datetime.date) -> None:
    """Refuse a date of birth in the future or outside the youth age range on ``today``."""
    from .models import YouthProfile

    if date_of_birth > today:
        raise ValidationError(_("Your date of birth cannot be in the future."), code="future")
    if not YouthProfile.MIN_AGE <= age_on(date_of_birth, today) <= YouthProfile.MAX_AGE:
        raise ValidationError(
            _("Youth participants are %(min)s to %(max)s years old.")
            % {"min": YouthProfile.MIN_AGE, "max": YouthProfile.MAX_AGE},
            code="age",
        )
