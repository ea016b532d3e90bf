"""What the youth app lets staff export: youth participants with their age band, gender,
country, inputs and published stories (see gdpa/exports/registry.py). Registered in
``YouthConfig.ready()``. The date of birth itself is personal; the age band is not."""

from django import forms
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from alliance.exports import PeriodForm
from alliance.models import RecommendationInput
from gdpa.accounts.models import Gender
from gdpa.exports.registry import Column, ExportDataset, register_dataset

from .age import age_on
from .figures import age_bands
from .models import Story, YouthProfile, YouthSettings

CHUNK = 2000


class YouthParticipationFilterForm(PeriodForm):
    country = LazyTypedChoiceField(
        label=_("Country of residence"),
        choices=[("", _("All countries")), *countries],
        required=False,
        error_messages={"invalid_choice": _("Choose a country from the list.")},
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", _("Everyone")), *Gender.choices, ("none", _("Not stated"))],
        required=False,
        error_messages={"invalid_choice": _("Choose a gender from the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["since"].help_text = _("Joined on or after this day.")
        self.fields["until"].help_text = _("Joined on or before this day.")


def _profiles(filters):
    form = YouthParticipationFilterForm(filters)
    data = form.cleaned_data if form.is_valid() else {}
    queryset = YouthProfile.objects.all()
    if data.get("country"):
        queryset = queryset.filter(country_of_residence=data["country"])
    if data.get("gender") == "none":
        queryset = queryset.filter(user__gender="")
    elif data.get("gender"):
        queryset = queryset.filter(user__gender=data["gender"])
    if data.get("since"):
        queryset = queryset.filter(created_at__date__gte=data["since"])
    if data.get("until"):
        queryset = queryset.filter(created_at__date__lte=data["until"])
    return queryset


def _count_of(queryset, field: str):
    return Coalesce(
        Subquery(
            queryset.order_by().values(field).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def youth_count(filters) -> int:
    return _profiles(filters).count()


def _band_of(bands, age: int) -> str:
    for band in bands:
        if band.low <= age <= band.high:
            return band.label
    if bands and age < bands[0].low:
        return _gettext("under %(age)s") % {"age": bands[0].low}
    return _gettext("over %(age)s") % {"age": bands[-1].high}


def youth_rows(filters, *, personal: bool):
    fields = [
        "date_of_birth",
        "user__gender",
        "country_of_residence",
        "heritage_countries",
        "organization__name",
        "created_at",
        "inputs_count",
        "stories_published",
    ]
    if personal:
        fields += ["user__full_name", "user__email"]
    inputs = RecommendationInput.objects.filter(author=OuterRef("user"), is_youth=True)
    published = Story.objects.filter(author=OuterRef("user"), status=Story.Status.PUBLISHED)
    rows = (
        _profiles(filters)
        .annotate(
            inputs_count=_count_of(inputs, "author"),
            stories_published=_count_of(published, "author"),
        )
        .order_by("created_at", "pk")
        .values_list(*fields)
        .iterator(chunk_size=CHUNK)
    )
    age_range = YouthSettings.current()
    bands = age_bands(age_range.min_age, age_range.max_age)
    today = timezone.localdate()
    genders = {**dict(Gender.choices), Gender.SELF_DESCRIBED: _gettext("Self-described")}
    not_stated = _gettext("Not stated")
    for row in rows:
        born = row[0]
        heritage = row[3]
        if isinstance(heritage, str):
            heritage = [code for code in heritage.split(",") if code]
        item = {
            "age_band": _band_of(bands, age_on(born, today)) if born else not_stated,
            "gender": str(genders.get(row[1], row[1])) if row[1] else not_stated,
            "country": str(countries.name(row[2])) if row[2] else not_stated,
            "heritage": "; ".join(str(countries.name(code)) for code in heritage or []),
            "organization": row[4] or "",
            "joined_at": row[5],
            "inputs": row[6],
            "stories_published": row[7],
        }
        if personal:
            item["name"], item["email"], item["date_of_birth"] = row[8], row[9], born
        yield item


YOUTH_PARTICIPATION = ExportDataset(
    key="youth-participation",
    label=_("Youth participation"),
    columns=(
        Column("age_band", _("Age band")),
        Column("gender", _("Gender")),
        Column("country", _("Country of residence")),
        Column("heritage", _("Countries of heritage")),
        Column("organization", _("Organization")),
        Column("joined_at", _("Joined (UTC)")),
        Column("inputs", _("Inputs to recommendations")),
        Column("stories_published", _("Stories published")),
        Column("name", _("Name"), personal=True),
        Column("email", _("E-mail address"), personal=True),
        Column("date_of_birth", _("Date of birth"), personal=True),
    ),
    rows=youth_rows,
    count=youth_count,
    filter_form=YouthParticipationFilterForm,
    order=60,
)


def register_exports() -> None:
    register_dataset(YOUTH_PARTICIPATION)
