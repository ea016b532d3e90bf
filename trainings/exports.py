"""What the trainings app lets staff export: enrollments with attendance, completion and
certificates (see gdpa/exports/registry.py). Registered in ``TrainingsConfig.ready()``."""

from django import forms
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from alliance.exports import PeriodForm
from gdpa.exports.registry import Column, ExportDataset, register_dataset

from .models import Certificate, Enrollment, Offering, TrainingProgramme

CHUNK = 2000


class EnrollmentFilterForm(PeriodForm):
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=TrainingProgramme.objects.order_by("title"),
        required=False,
        empty_label=_("All programmes"),
        error_messages={"invalid_choice": _("Choose a programme from the list.")},
    )
    offering = forms.ModelChoiceField(
        label=_("Offering"),
        queryset=Offering.objects.select_related("programme").order_by("-starts_on"),
        required=False,
        empty_label=_("All offerings"),
        error_messages={"invalid_choice": _("Choose an offering from the list.")},
    )
    status = forms.ChoiceField(
        label=_("Enrollment status"),
        choices=[("", _("All statuses")), *Enrollment.Status.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    completed = forms.ChoiceField(
        label=_("Completion"),
        choices=[("", _("Everyone")), ("yes", _("Completed")), ("no", _("Not completed"))],
        required=False,
        error_messages={"invalid_choice": _("Choose from the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].label_from_instance = lambda o: f"{o.programme.title} — {o.title}"
        self.fields["since"].help_text = _("Offerings starting on or after this day.")
        self.fields["until"].help_text = _("Offerings starting on or before this day.")


def _enrollments(filters):
    form = EnrollmentFilterForm(filters)
    data = form.cleaned_data if form.is_valid() else {}
    queryset = Enrollment.objects.all()
    if data.get("programme"):
        queryset = queryset.filter(offering__programme=data["programme"])
    if data.get("offering"):
        queryset = queryset.filter(offering=data["offering"])
    if data.get("status"):
        queryset = queryset.filter(status=data["status"])
    if data.get("completed"):
        queryset = queryset.filter(completed_at__isnull=data["completed"] == "no")
    if data.get("since"):
        queryset = queryset.filter(offering__starts_on__gte=data["since"])
    if data.get("until"):
        queryset = queryset.filter(offering__starts_on__lte=data["until"])
    return queryset


def enrollments_count(filters) -> int:
    return _enrollments(filters).count()


def enrollments_rows(filters, *, personal: bool):
    fields = [
        "offering__programme__title",
        "offering__title",
        "offering__starts_on",
        "status",
        "attended_meetings",
        "completed_at",
        "has_certificate",
    ]
    if personal:
        fields += ["user__full_name", "user__email"]
    issued = Certificate.objects.filter(enrollment=OuterRef("pk"), revoked_at__isnull=True)
    rows = (
        _enrollments(filters)
        .annotate(attended_meetings=Count("attendance"), has_certificate=Exists(issued))
        .order_by("offering__starts_on", "offering_id", "pk")
        .values_list(*fields)
        .iterator(chunk_size=CHUNK)
    )
    statuses = dict(Enrollment.Status.choices)
    for row in rows:
        item = {
            "programme": row[0],
            "offering": row[1],
            "starts_on": row[2],
            "status": str(statuses.get(row[3], row[3])),
            "attended_meetings": row[4],
            "completed": row[5] is not None,
            "completed_at": row[5],
            "certificate": row[6],
        }
        if personal:
            item["name"], item["email"] = row[7], row[8]
        yield item


ENROLLMENTS = ExportDataset(
    key="training-enrollments",
    label=_("Training enrollments"),
    columns=(
        Column("programme", _("Programme")),
        Column("offering", _("Offering")),
        Column("starts_on", _("First day")),
        Column("status", _("Enrollment status")),
        Column("attended_meetings", _("Meetings attended")),
        Column("completed", _("Completed")),
        Column("completed_at", _("Completed on (UTC)")),
        Column("certificate", _("Certificate issued")),
        Column("name", _("Learner"), personal=True),
        Column("email", _("Learner's e-mail address"), personal=True),
    ),
    rows=enrollments_rows,
    count=enrollments_count,
    filter_form=EnrollmentFilterForm,
    order=50,
)


def register_exports() -> None:
    register_dataset(ENROLLMENTS)
