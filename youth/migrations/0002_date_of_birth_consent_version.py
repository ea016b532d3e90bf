"""Ask for the exact date of birth instead of the year, and record the consent text version.

Existing profiles only know the year of birth, not the day. Each becomes
``date_of_birth = date(birth_year, 12, 31)``: the latest birthday possible in that year.
That is conservative: it never makes anyone older than they really are (at worst
younger by up to a year), so nobody is counted as 18 before they are. Going back turns
the date into its year again.

Everyone who joined before this migration agreed to the only consent text there was,
version "2026-11".
"""

import datetime

import django.core.validators
from django.db import migrations, models


def year_to_latest_birthday(apps, schema_editor):
    YouthProfile = apps.get_model("youth", "YouthProfile")
    for profile in YouthProfile.objects.only("pk", "birth_year"):
        YouthProfile.objects.filter(pk=profile.pk).update(
            date_of_birth=datetime.date(profile.birth_year, 12, 31)
        )


def birthday_to_year(apps, schema_editor):
    YouthProfile = apps.get_model("youth", "YouthProfile")
    for profile in YouthProfile.objects.only("pk", "date_of_birth"):
        YouthProfile.objects.filter(pk=profile.pk).update(birth_year=profile.date_of_birth.year)


class Migration(migrations.Migration):
    dependencies = [
        ("youth", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="youthprofile",
            name="date_of_birth",
            field=models.DateField(null=True, verbose_name="date of birth"),
        ),
        migrations.AlterField(
            model_name="youthprofile",
            name="birth_year",
            field=models.PositiveSmallIntegerField(
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1900),
                    django.core.validators.MaxValueValidator(2100),
                ],
                verbose_name="year of birth",
            ),
        ),
        migrations.RunPython(year_to_latest_birthday, birthday_to_year),
        migrations.AlterField(
            model_name="youthprofile",
            name="date_of_birth",
            field=models.DateField(verbose_name="date of birth"),
        ),
        migrations.RemoveField(
            model_name="youthprofile",
            name="birth_year",
        ),
        migrations.AddField(
            model_name="youthprofile",
            name="consent_version",
            field=models.CharField(
                default="2026-11", max_length=20, verbose_name="consent text version"
            ),
            preserve_default=False,
        ),
    ]
