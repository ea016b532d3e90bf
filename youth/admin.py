from django.contrib import admin

from .models import YouthProfile


@admin.register(YouthProfile)
class YouthProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "date_of_birth", "consent_version", "consent_at", "created_at"]
    raw_id_fields = ["user"]
