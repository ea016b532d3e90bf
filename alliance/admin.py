"""The alliance's models in the technical administration site (the operator's fallback):
lists with filters and search, foreign keys to people and large tables as raw ids, and
who-did-what-when fields read-only. Day-to-day work goes through the portal's pages."""

from django.contrib import admin
from django.contrib.auth.models import Permission
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from gdpa.admin_site import HTTPS_LINKS

from .models import (
    AgendaItem,
    AllianceSession,
    CalendarFeed,
    DiasporaCapital,
    Endorsement,
    Invitation,
    Membership,
    MemberState,
    Organization,
    OrganizationGroupObjectPermission,
    OrganizationSupport,
    OrganizationUserObjectPermission,
    Participant,
    Recommendation,
    RecommendationInput,
    RecommendationReport,
    RecommendationTrack,
    Reminder,
    Sector,
    SessionDocument,
    StaffImport,
    StaffImportRow,
)


@admin.register(Sector, DiasporaCapital)
class TranslatedNameAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_fr", "name_es", "position"]
    search_fields = ["slug", "name_en", "name_fr", "name_es"]


@admin.register(MemberState)
class MemberStateAdmin(admin.ModelAdmin):
    list_display = ["country", "joined_on", "status", "is_benefiting"]
    list_filter = ["status", "is_benefiting"]
    search_fields = ["country"]


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(GuardedModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ["name", "kind", "status", "country", "member_state", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["member_state"]
    search_fields = ["name", "contact_email"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_by", "created_at", "decided_by", "decided_at"]
    inlines = [MembershipInline]


class ObjectPermissionAdmin(admin.ModelAdmin):
    """Per-organization permissions as guardian stores them (the portal grants them)."""

    list_display = ["permission", "content_object"]
    list_select_related = ["permission__content_type", "content_object"]
    search_fields = ["content_object__name", "permission__codename"]
    raw_id_fields = ["content_object"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "permission":
            # Each choice is labelled with its content type: loaded with the choices.
            kwargs["queryset"] = Permission.objects.select_related("content_type")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(OrganizationUserObjectPermission)
class OrganizationUserObjectPermissionAdmin(ObjectPermissionAdmin):
    list_display = ["user", *ObjectPermissionAdmin.list_display]
    list_select_related = ["user", *ObjectPermissionAdmin.list_select_related]
    search_fields = ["user__email", "user__full_name", *ObjectPermissionAdmin.search_fields]
    raw_id_fields = ["user", *ObjectPermissionAdmin.raw_id_fields]


@admin.register(OrganizationGroupObjectPermission)
class OrganizationGroupObjectPermissionAdmin(ObjectPermissionAdmin):
    list_display = ["group", *ObjectPermissionAdmin.list_display]
    list_select_related = ["group", *ObjectPermissionAdmin.list_select_related]
    search_fields = ["group__name", *ObjectPermissionAdmin.search_fields]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization__kind"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__email", "user__full_name", "organization__name"]
    raw_id_fields = ["user", "organization"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    list_select_related = ["organization"]
    search_fields = ["email", "organization__name"]
    raw_id_fields = ["organization"]
    readonly_fields = ["invited_by", "created_at", "accepted_by", "accepted_at", "revoked_at"]
    date_hierarchy = "created_at"


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


@admin.register(AllianceSession)
class AllianceSessionAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ["title", "kind", "status", "starts_at", "format", "language"]
    list_filter = ["status", "kind", "format", "language"]
    search_fields = ["title", "venue"]
    date_hierarchy = "starts_at"
    readonly_fields = [
        "uid",
        "sequence",
        "change_log",
        "checkin_code",
        "summary_published_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [AgendaItemInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "session", "position", "speaker", "duration_minutes"]
    list_select_related = ["session"]
    search_fields = ["title", "speaker", "session__title"]
    raw_id_fields = ["session"]


@admin.register(SessionDocument)
class SessionDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "session", "kind", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    list_select_related = ["session", "uploaded_by"]
    search_fields = ["title", "session__title"]
    raw_id_fields = ["session"]
    readonly_fields = ["size", "uploaded_by", "uploaded_at"]
    date_hierarchy = "uploaded_at"


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["email", "user", "session", "rsvp", "attended", "checked_in_at"]
    list_filter = ["rsvp", "attended", "language"]
    list_select_related = ["user", "session"]
    search_fields = ["email", "user__full_name", "session__title"]
    raw_id_fields = ["session", "user"]
    readonly_fields = [
        "link_nonce",
        "invited_by",
        "invited_at",
        "invitation_sent_at",
        "notified_sequence",
        "summary_sent_at",
        "responded_at",
        "checked_in_at",
    ]
    date_hierarchy = "invited_at"


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["participant", "kind", "due_at", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["participant__session"]
    search_fields = ["participant__email", "participant__session__title"]
    raw_id_fields = ["participant"]
    readonly_fields = ["schedule_sequence", "sent_at"]
    date_hierarchy = "due_at"


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Without the token (a live feed address); deleting a feed revokes it. People make
    their feed from their calendar page."""

    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__full_name"]
    fields = ["user", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RecommendationTrack)
class RecommendationTrackAdmin(admin.ModelAdmin):
    list_display = ["title", "sector", "created_by", "created_at"]
    list_filter = ["sector"]
    list_select_related = ["sector", "created_by"]
    search_fields = ["title"]
    raw_id_fields = ["sessions"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin):
    list_display = [
        "title_en",
        "track",
        "status",
        "nexus_pillar",
        "original_language",
        "updated_at",
    ]
    list_filter = ["status", "nexus_pillar", "original_language", "track"]
    list_select_related = ["track"]
    search_fields = ["title_en", "title_fr", "title_es"]
    date_hierarchy = "created_at"
    readonly_fields = ["published_at", "created_by", "created_at", "updated_at"]


@admin.register(RecommendationInput)
class RecommendationInputAdmin(admin.ModelAdmin):
    list_display = ["author_name", "recommendation", "kind", "status", "is_youth", "created_at"]
    list_filter = ["kind", "status", "is_youth"]
    list_select_related = ["recommendation"]
    search_fields = ["author_name", "author__email", "recommendation__title_en", "text"]
    raw_id_fields = ["recommendation", "author", "organization"]
    readonly_fields = ["responded_by", "responded_at", "created_at"]
    date_hierarchy = "created_at"


@admin.register(Endorsement)
class EndorsementAdmin(admin.ModelAdmin):
    list_display = [
        "recommendation",
        "member_state",
        "endorsed_by_name",
        "endorsed_at",
        "withdrawn_at",
    ]
    list_select_related = ["recommendation", "member_state"]
    search_fields = ["endorsed_by_name", "recommendation__title_en"]
    raw_id_fields = ["recommendation"]
    readonly_fields = [
        "endorsed_by",
        "endorsed_by_name",
        "endorsed_at",
        "withdrawn_by",
        "withdrawn_at",
    ]
    date_hierarchy = "endorsed_at"


@admin.register(OrganizationSupport)
class OrganizationSupportAdmin(admin.ModelAdmin):
    list_display = ["organization", "recommendation", "given_by", "created_at"]
    list_select_related = ["organization", "recommendation", "given_by"]
    search_fields = ["organization__name", "recommendation__title_en"]
    raw_id_fields = ["recommendation", "organization"]
    readonly_fields = ["given_by", "created_at"]
    date_hierarchy = "created_at"


@admin.register(RecommendationReport)
class RecommendationReportAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "language",
        "period_start",
        "period_end",
        "status",
        "is_public",
        "requested_at",
        "built_at",
    ]
    list_filter = ["status", "language", "is_public"]
    search_fields = ["title"]
    readonly_fields = ["fingerprint", "pages", "error", "requested_by", "requested_at", "built_at"]
    date_hierarchy = "requested_at"


@admin.register(StaffImport)
class StaffImportAdmin(admin.ModelAdmin):
    """Confirmed staff imports, read only: the record of who imported which file and what
    it created or skipped. Imports are made on the portal's import page."""

    list_display = ["file_name", "kind", "created_by", "status", "created_count", "started_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["created_by"]
    search_fields = ["file_name", "created_by__email"]
    fields = [
        "kind",
        "file_name",
        "created_by",
        "status",
        "started_at",
        "finished_at",
        "total_rows",
        "created_count",
        "skipped_count",
        "note",
    ]
    readonly_fields = fields
    date_hierarchy = "started_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StaffImportRow)
class StaffImportRowAdmin(admin.ModelAdmin):
    """Each line of a confirmed import and what became of it, read only."""

    list_display = ["run", "line", "label", "created", "reason"]
    list_filter = ["created"]
    list_select_related = ["run"]
    search_fields = ["label", "run__file_name"]
    fields = ["run", "line", "label", "created", "object_id", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
