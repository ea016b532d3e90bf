"""What the alliance app lets staff export (see gdpa/exports/registry.py): session
participation, recommendations with their aggregated inputs, endorsements and supports,
and the inputs themselves. Registered in ``AllianceConfig.ready()``.

Each dataset reads its filters through its own small form and streams its rows
(``values_list(...).iterator(chunk_size=...)``); what a row needs from other tables comes
from subqueries or, for lists, from one query per chunk of rows, never one per row.
"""

from collections import defaultdict
from collections.abc import Iterator

from django import forms
from django.db.models import Case, Count, OuterRef, Q, Subquery, When
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from gdpa.exports.registry import Column, ExportDataset, register_dataset

from .models import (
    AllianceSession,
    Endorsement,
    Membership,
    Organization,
    Participant,
    Recommendation,
    RecommendationInput,
    RecommendationTrack,
    Sector,
)

CHUNK = 2000


def _country(code: str) -> str:
    return str(countries.name(code)) if code else ""


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value or ""))


def _chunks(iterable, size: int = CHUNK) -> Iterator[list]:
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sector_name_field() -> str:
    language = (get_language() or "en")[:2]
    return f"name_{language}" if language in ("en", "fr", "es") else "name_en"


def _date_errors(what) -> dict:
    return {"invalid": _("Enter %(what)s as a date, like 2026-03-01.") % {"what": what}}


class PeriodForm(forms.Form):
    """A period (both ends included); either end may be left open."""

    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=_date_errors(_("the first day")),
    )
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=_date_errors(_("the last day")),
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The last day must be on or after the first day."))
        return data


def _form(form_class, filters):
    """The dataset's bound filter form, already validated (the kernel refuses invalid
    filters before asking for rows, so here they are valid)."""
    form = form_class(filters)
    form.is_valid()
    return form.cleaned_data if not form.errors else {}


# --- Session participation ------------------------------------------------------------


class SessionParticipationFilterForm(PeriodForm):
    session = forms.ModelChoiceField(
        label=_("Session"),
        queryset=AllianceSession.objects.order_by("-starts_at"),
        required=False,
        empty_label=_("All sessions"),
        error_messages={"invalid_choice": _("Choose a session from the list.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of session"),
        choices=[("", _("All kinds")), *AllianceSession.Kind.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a kind of session from the list.")},
    )
    rsvp = forms.ChoiceField(
        label=_("Answer"),
        choices=[("", _("All answers")), *Participant.Rsvp.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose an answer from the list.")},
    )
    attended = forms.ChoiceField(
        label=_("Attended"),
        choices=[("", _("Everyone")), ("yes", _("Attended")), ("no", _("Did not attend"))],
        required=False,
        error_messages={"invalid_choice": _("Choose from the list.")},
    )


def _participants(filters):
    data = _form(SessionParticipationFilterForm, filters)
    queryset = Participant.objects.all()
    if data.get("session"):
        queryset = queryset.filter(session=data["session"])
    if data.get("kind"):
        queryset = queryset.filter(session__kind=data["kind"])
    if data.get("since"):
        queryset = queryset.filter(session__starts_at__date__gte=data["since"])
    if data.get("until"):
        queryset = queryset.filter(session__starts_at__date__lte=data["until"])
    if data.get("rsvp"):
        queryset = queryset.filter(rsvp=data["rsvp"])
    if data.get("attended"):
        queryset = queryset.filter(attended=data["attended"] == "yes")
    return queryset


def _first_organization(field: str, user_ref: str = "user"):
    """The person's first organization (oldest membership): one of its fields, as a subquery."""
    return Subquery(
        Membership.objects.filter(user=OuterRef(user_ref))
        .order_by("created_at", "pk")
        .values(f"organization__{field}")[:1]
    )


def participation_count(filters) -> int:
    return _participants(filters).count()


def participation_rows(filters, *, personal: bool):
    fields = [
        "session__title",
        "session__kind",
        "session__starts_at",
        "org_name",
        "org_kind",
        "org_country",
        "invitation_sent_at",
        "rsvp",
        "attended",
    ]
    if personal:
        fields += ["user__full_name", "email"]
    rows = (
        _participants(filters)
        .annotate(
            org_name=_first_organization("name"),
            org_kind=_first_organization("kind"),
            org_country=_first_organization("country"),
        )
        .order_by("session__starts_at", "session_id", "pk")
        .values_list(*fields)
        .iterator(chunk_size=CHUNK)
    )
    kinds = dict(AllianceSession.Kind.choices)
    org_kinds = dict(Organization.Kind.choices)
    answers = dict(Participant.Rsvp.choices)
    for row in rows:
        item = {
            "session": row[0],
            "session_kind": str(kinds.get(row[1], row[1])),
            "starts_at": row[2],
            "organization": row[3] or "",
            "organization_kind": str(org_kinds.get(row[4], row[4] or "")),
            "country": _country(row[5]),
            "invitation_sent_at": row[6],
            "rsvp": str(answers.get(row[7], row[7])),
            "attended": row[8],
        }
        if personal:
            item["name"], item["email"] = row[9], row[10]
        yield item


PARTICIPATION = ExportDataset(
    key="session-participation",
    label=_("Session participation"),
    columns=(
        Column("session", _("Session")),
        Column("session_kind", _("Kind of session")),
        Column("starts_at", _("Starts (UTC)")),
        Column("organization", _("Organization")),
        Column("organization_kind", _("Kind of organization")),
        Column("country", _("Country of the organization")),
        Column("invitation_sent_at", _("Invitation e-mailed (UTC)")),
        Column("rsvp", _("Answer")),
        Column("attended", _("Attended")),
        Column("name", _("Name"), personal=True),
        Column("email", _("E-mail address"), personal=True),
    ),
    rows=participation_rows,
    count=participation_count,
    filter_form=SessionParticipationFilterForm,
    order=30,
)


# --- Recommendations --------------------------------------------------------------------


class RecommendationFilterForm(PeriodForm):
    track = forms.ModelChoiceField(
        label=_("Track"),
        queryset=RecommendationTrack.objects.order_by("title"),
        required=False,
        empty_label=_("All tracks"),
        error_messages={"invalid_choice": _("Choose a track from the list.")},
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.order_by("position", "name_en"),
        required=False,
        empty_label=_("All sectors"),
        error_messages={"invalid_choice": _("Choose a sector from the list.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *Recommendation.Status.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["since"].help_text = _("Drafted on or after this day.")
        self.fields["until"].help_text = _("Drafted on or before this day.")


def _recommendations(filters):
    data = _form(RecommendationFilterForm, filters)
    queryset = Recommendation.objects.all()
    if data.get("track"):
        queryset = queryset.filter(track=data["track"])
    if data.get("sector"):
        queryset = queryset.filter(track__sector=data["sector"])
    if data.get("status"):
        queryset = queryset.filter(status=data["status"])
    if data.get("since"):
        queryset = queryset.filter(created_at__date__gte=data["since"])
    if data.get("until"):
        queryset = queryset.filter(created_at__date__lte=data["until"])
    return queryset


def _title_in_original_language():
    return Case(
        When(original_language="fr", then="title_fr"),
        When(original_language="es", then="title_es"),
        default="title_en",
    )


def recommendations_count(filters) -> int:
    return _recommendations(filters).count()


def recommendations_rows(filters, *, personal: bool):
    rows = (
        _recommendations(filters)
        .annotate(
            title=_title_in_original_language(),
            inputs_count=Count("inputs", distinct=True),
            youth_inputs_count=Count("inputs", filter=Q(inputs__is_youth=True), distinct=True),
            supports_count=Count("supports", distinct=True),
        )
        .order_by("track__title", "position", "pk")
        .values_list(
            "pk",
            "title",
            "track__title",
            f"track__sector__{_sector_name_field()}",
            "status",
            "published_at",
            "inputs_count",
            "youth_inputs_count",
            "supports_count",
        )
        .iterator(chunk_size=CHUNK)
    )
    statuses = dict(Recommendation.Status.choices)
    for chunk in _chunks(rows):
        endorsed_by = defaultdict(list)
        for recommendation_id, country in (
            Endorsement.objects.filter(
                recommendation_id__in=[row[0] for row in chunk], withdrawn_at__isnull=True
            )
            .order_by("member_state__country")
            .values_list("recommendation_id", "member_state__country")
        ):
            endorsed_by[recommendation_id].append(_country(country))
        for row in chunk:
            states = endorsed_by.get(row[0], [])
            yield {
                "title": row[1],
                "track": row[2],
                "sector": row[3],
                "status": str(statuses.get(row[4], row[4])),
                "published_at": row[5],
                "inputs": row[6],
                "youth_inputs": row[7],
                "endorsements": len(states),
                "endorsed_by": "; ".join(states),
                "supports": row[8],
            }


RECOMMENDATIONS = ExportDataset(
    key="recommendations",
    label=_("Recommendations"),
    columns=(
        Column("title", _("Recommendation")),
        Column("track", _("Track")),
        Column("sector", _("Sector")),
        Column("status", _("Status")),
        Column("published_at", _("Published (UTC)")),
        Column("inputs", _("Inputs")),
        Column("youth_inputs", _("Youth inputs")),
        Column("endorsements", _("Member state endorsements")),
        Column("endorsed_by", _("Endorsed by")),
        Column("supports", _("Organization supports")),
    ),
    rows=recommendations_rows,
    count=recommendations_count,
    filter_form=RecommendationFilterForm,
    order=40,
)


# --- Recommendation inputs --------------------------------------------------------------


class RecommendationInputFilterForm(RecommendationFilterForm):
    input_status = forms.ChoiceField(
        label=_("Response to the input"),
        choices=[("", _("All")), *RecommendationInput.Status.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a response from the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].label = _("Status of the recommendation")
        self.fields["since"].help_text = _("Given on or after this day.")
        self.fields["until"].help_text = _("Given on or before this day.")


def _inputs(filters):
    data = _form(RecommendationInputFilterForm, filters)
    queryset = RecommendationInput.objects.all()
    if data.get("track"):
        queryset = queryset.filter(recommendation__track=data["track"])
    if data.get("sector"):
        queryset = queryset.filter(recommendation__track__sector=data["sector"])
    if data.get("status"):
        queryset = queryset.filter(recommendation__status=data["status"])
    if data.get("input_status"):
        queryset = queryset.filter(status=data["input_status"])
    if data.get("since"):
        queryset = queryset.filter(created_at__date__gte=data["since"])
    if data.get("until"):
        queryset = queryset.filter(created_at__date__lte=data["until"])
    return queryset


def inputs_count(filters) -> int:
    return _inputs(filters).count()


def inputs_rows(filters, *, personal: bool):
    fields = [
        "recommendation__title_en",
        "recommendation__title_fr",
        "recommendation__title_es",
        "recommendation__original_language",
        "recommendation__track__title",
        "organization__name",
        "organization__kind",
        "organization__country",
        "kind",
        "is_youth",
        "status",
        "created_at",
        "text",
        "proposed_text",
    ]
    if personal:
        fields += ["author_name", "author__email"]
    rows = (
        _inputs(filters)
        .order_by("recommendation_id", "created_at", "pk")
        .values_list(*fields)
        .iterator(chunk_size=CHUNK)
    )
    kinds = dict(RecommendationInput.Kind.choices)
    statuses = dict(RecommendationInput.Status.choices)
    org_kinds = dict(Organization.Kind.choices)
    for row in rows:
        titles = {"en": row[0], "fr": row[1], "es": row[2]}
        item = {
            "recommendation": titles.get(row[3]) or row[0],
            "track": row[4],
            "organization": row[5] or "",
            "organization_kind": str(org_kinds.get(row[6], row[6] or "")),
            "country": _country(row[7]),
            "kind": str(kinds.get(row[8], row[8])),
            "is_youth": row[9],
            "status": str(statuses.get(row[10], row[10])),
            "created_at": row[11],
            "text": row[12],
            "proposed_text": row[13],
        }
        if personal:
            item["author"], item["author_email"] = row[14], row[15]
        yield item


RECOMMENDATION_INPUTS = ExportDataset(
    key="recommendation-inputs",
    label=_("Recommendation inputs"),
    columns=(
        Column("recommendation", _("Recommendation")),
        Column("track", _("Track")),
        Column("organization", _("Organization")),
        Column("organization_kind", _("Kind of organization")),
        Column("country", _("Country of the organization")),
        Column("kind", _("Kind of input")),
        Column("is_youth", _("Youth voice")),
        Column("status", _("Response")),
        Column("created_at", _("Given (UTC)")),
        Column("text", _("Comment")),
        Column("proposed_text", _("Proposed wording")),
        Column("author", _("Author"), personal=True),
        Column("author_email", _("Author's e-mail address"), personal=True),
    ),
    rows=inputs_rows,
    count=inputs_count,
    filter_form=RecommendationInputFilterForm,
    order=41,
)


def register_exports() -> None:
    for dataset in (PARTICIPATION, RECOMMENDATIONS, RECOMMENDATION_INPUTS):
        register_dataset(dataset)
