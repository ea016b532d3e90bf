from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import DiasporaCapital, Invitation, Membership, MemberState, Organization, Sector


@admin.register(Sector, DiasporaCapital)
class TranslatedNameAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_fr", "name_es", "position"]


@admin.register(MemberState)
class MemberStateAdmin(admin.ModelAdmin):
    list_display = ["country", "joined_on", "status", "is_benefiting"]


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(GuardedModelAdmin):
    list_display = ["name", "kind", "status", "country", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "contact_email"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at"]
    raw_id_fields = ["organization", "invited_by", "accepted_by"]
