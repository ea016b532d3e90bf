"""Export jobs in the technical administration site: read-only (they are made by the
exports pages and their task, and carry a person's request)."""

from django.contrib import admin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "requested_by", "dataset", "format", "status", "rows_total"]
    list_filter = ["status", "format", "dataset", "include_personal"]
    search_fields = ["requested_by__email", "dataset"]
    date_hierarchy = "created_at"
    list_select_related = ["requested_by"]
    readonly_fields = [field.name for field in ExportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
