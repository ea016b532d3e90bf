"""People and their two-factor methods in the technical administration site."""

from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import User
from .services import account_disable


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "preferred_language", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "preferred_language"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    date_hierarchy = "date_joined"
    actions = ["disable_accounts"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "full_name",
                    "preferred_language",
                    "time_zone",
                    "country_of_residence",
                    "gender",
                    "gender_self_description",
                ]
            },
        ),
        (
            _("Access"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]

    @admin.action(
        description=_("Disable the selected accounts and end their sessions"),
        permissions=["change"],
    )
    def disable_accounts(self, request, queryset) -> None:
        count = 0
        for user in queryset:
            account_disable(
                actor=request.user, user=user, reason=str(_("Disabled in the administration"))
            )
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d account disabled; its sessions are ended.",
                "%(count)d accounts disabled; their sessions are ended.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Unticking "active" ends the account's sessions too.
            account_disable(
                actor=request.user, user=obj, reason=str(_("Disabled in the administration"))
            )


# allauth registers an admin that shows and edits the two-factor secrets; ours lists who has
# which method and when it was last used, read-only.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
