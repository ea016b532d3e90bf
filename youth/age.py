"""Age on a given day, from an exact date of birth, and the youth age range staff set."""

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


def latest_birth_date(age: int, today: datetime.date) -> datetime.date:
    """The latest date of birth of someone who is ``age`` or older on ``today``.

    ``age_on(d, today) >= age`` exactly when ``d <= latest_birth_date(age, today)``, so age
    bands become date ranges a database can count. On 29 February the same day ``age``
    years back may not exist: then it is 28 February (whoever was born on 1 March of that
    year has not had their birthday yet).
    """
    try:
        return today.replace(year=today.year - age)
    except ValueError:
        return today.replace(year=today.year - age, day=28)


def validate_date_of_birth(
    date_of_birth: datetime.date, today: datetime.date, *, age_range=None
) -> None:
    """Refuse a date of birth in the future or outside the youth age range on ``today``.

    ``age_range`` has ``min_age`` and ``max_age`` (both included); by default the range
    IOM staff set (``YouthSettings.current()``).
    """
    from .models import YouthSettings

    if date_of_birth > today:
        raise ValidationError(_("Your date of birth cannot be in the future."), code="future")
    age_range = age_range or YouthSettings.current()
    if not age_range.min_age <= age_on(date_of_birth, today) <= age_range.max_age:
        raise ValidationError(
            _("Youth participants are %(min)s to %(max)s years old.")
            % {"min": age_range.min_age, "max": age_range.max_age},
            code="age",
        )
