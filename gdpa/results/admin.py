"""Donor reports on the technical administration site (the operator's fallback): the
build fields are read-only; reports are asked for and built through the portal."""

from django.contrib import admin

from .models import DonorReport


@admin.register(DonorReport)
class DonorReportAdmin(admin.ModelAdmin):
    list_display = ["period_start", "period_end", "language", "status", "requested_at", "built_at"]
    list_filter = ["status", "language"]
    readonly_fields = ["pdf", "pages", "error", "requested_by", "requested_at", "built_at"]
    date_hierarchy = "requested_at"

    def has_add_permission(self, request) -> bool:
        return False
