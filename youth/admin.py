from django.contrib import admin

from .models import YouthProfile


@admin.register(YouthProfile)
class YouthProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "birth_year", "created_at"]
    raw_id_fields = ["user"]
