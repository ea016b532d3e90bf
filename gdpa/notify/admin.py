from django.contrib import admin

from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to_email", "kind", "language", "status", "attempts"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to_email", "subject"]
