"""Outbound e-mails in the technical administration site: read-only, without bodies."""

from django.contrib import admin

from .models import OutboundEmail, RecipientAddress


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Read-only, and without the bodies: they may hold live password-reset, RSVP and
    invitation links. Staff resend a failed message from Staff → Sent e-mails."""

    list_display = ["created_at", "to_email", "kind", "language", "status", "attempts"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to_email", "subject"]
    date_hierarchy = "created_at"
    fields = [
        "to_email",
        "user",
        "kind",
        "language",
        "subject",
        "attachment_name",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
        "delivered_at",
        "provider_message_id",
        "bodies_cleared_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body_text", "body_html", "attachment_content")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RecipientAddress)
class RecipientAddressAdmin(admin.ModelAdmin):
    """Read-only: staff lift a suppression from Staff → Sent e-mails (audited)."""

    list_display = ["address", "reason", "hard_bounces", "suppressed_at"]
    list_filter = ["reason"]
    search_fields = ["address"]
    fields = ["address", "reason", "hard_bounces", "suppressed_at", "cause", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
