"""The trainings' models in the technical administration site (the operator's fallback):
lists with filters and search, foreign keys to people and large tables as raw ids, and
who-did-what-when fields read-only. Day-to-day work goes through the portal's pages."""

from django.contrib import admin

from gdpa.admin_site import HTTPS_LINKS

from .models import (
    Certificate,
    Enrollment,
    MeetingAttendance,
    Offering,
    TrainingFeedback,
    TrainingMeeting,
    TrainingProgramme,
    TrainingReminder,
)


@admin.register(TrainingProgramme)
class TrainingProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "audience", "language", "mode", "published", "updated_at"]
    list_filter = ["published", "audience", "language", "mode"]
    search_fields = ["title", "summary"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ["title", "programme", "status", "starts_on", "ends_on", "capacity"]
    list_filter = ["status", "needs_approval", "programme__audience"]
    list_select_related = ["programme"]
    search_fields = ["title", "programme__title", "venue"]
    raw_id_fields = ["programme"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "starts_on"


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "offering", "status", "created_at", "decided_at", "completed_at"]
    list_filter = ["status"]
    list_select_related = ["user", "offering__programme"]
    search_fields = [
        "user__email",
        "user__full_name",
        "offering__title",
        "offering__programme__title",
    ]
    raw_id_fields = ["offering", "user"]
    readonly_fields = [
        "nominated_by",
        "created_at",
        "updated_at",
        "withdrawn_at",
        "decided_by",
        "decided_at",
        "completed_at",
    ]
    date_hierarchy = "created_at"


@admin.register(TrainingMeeting)
class TrainingMeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "offering", "starts_at", "ends_at", "sequence"]
    list_select_related = ["offering__programme"]
    search_fields = ["title", "offering__title", "offering__programme__title"]
    raw_id_fields = ["offering"]
    readonly_fields = ["check_in_code", "sequence", "created_at", "updated_at"]
    date_hierarchy = "starts_at"


@admin.register(MeetingAttendance)
class MeetingAttendanceAdmin(admin.ModelAdmin):
    list_display = ["enrollment__user", "meeting", "method", "recorded_by", "recorded_at"]
    list_filter = ["method"]
    list_select_related = ["enrollment__user", "meeting__offering__programme", "recorded_by"]
    search_fields = ["enrollment__user__email", "enrollment__user__full_name", "meeting__title"]
    raw_id_fields = ["meeting", "enrollment"]
    readonly_fields = ["recorded_by", "recorded_at"]
    date_hierarchy = "recorded_at"


@admin.register(TrainingReminder)
class TrainingReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "user", "offering", "meeting", "created_at", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["user", "offering__programme", "meeting__offering__programme"]
    search_fields = ["user__email", "user__full_name", "offering__title"]
    raw_id_fields = ["user", "offering", "meeting"]
    readonly_fields = ["sequence", "created_at", "sent_at"]
    date_hierarchy = "created_at"


@admin.register(TrainingFeedback)
class TrainingFeedbackAdmin(admin.ModelAdmin):
    """Lists the offering, never the learner: staff read feedback without names."""

    list_display = ["enrollment__offering", "overall", "content", "facilitation", "relevance"]
    list_select_related = ["enrollment__offering__programme"]
    search_fields = ["comment", "enrollment__offering__title"]
    raw_id_fields = ["enrollment"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "created_at"


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Certificates are issued by the portal (the completion service); here the frozen
    details can be corrected. The badge salt, a secret, is not shown."""

    list_display = [
        "code",
        "learner_name",
        "programme_title",
        "language",
        "issued_at",
        "revoked_at",
    ]
    list_filter = ["language", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "learner_name", "programme_title", "offering_title"]
    exclude = ["badge_salt"]
    readonly_fields = [
        "enrollment",
        "code",
        "issued_by",
        "issued_at",
        "pdf",
        "pdf_built_at",
        "revoked_by",
        "revoked_at",
    ]
    date_hierarchy = "issued_at"

    def has_add_permission(self, request) -> bool:
        return False
