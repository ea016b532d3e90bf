"""The youth programme's models in the technical administration site (the operator's
fallback): lists with filters and search, people as raw ids, consent and moderation
records read-only. Day-to-day work goes through the portal's pages."""

from django.contrib import admin

from gdpa.admin_site import HTTPS_LINKS

from .models import Story, YouthProfile, YouthSettings


@admin.register(YouthProfile)
class YouthProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "date_of_birth", "consent_version", "consent_at", "created_at"]
    list_filter = ["consent_version", "public_consent_version"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user", "organization"]
    readonly_fields = [
        "consent_at",
        "consent_version",
        "public_consent_at",
        "public_consent_version",
        "created_at",
    ]
    date_hierarchy = "created_at"


@admin.register(YouthSettings)
class YouthSettingsAdmin(admin.ModelAdmin):
    """One row (``YouthSettings.current()``): it can be added once and never deleted."""

    list_display = ["min_age", "max_age", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request) -> bool:
        return not YouthSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ["title", "author", "status", "language", "sector", "country", "published_at"]
    list_filter = ["status", "language", "sector"]
    list_select_related = ["author", "sector"]
    search_fields = ["title", "author__email", "author__full_name"]
    raw_id_fields = ["author"]
    readonly_fields = [
        "moderated_by",
        "moderated_at",
        "submitted_at",
        "published_at",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "created_at"
