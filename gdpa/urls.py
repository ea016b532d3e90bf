from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("gdpa.portal.urls")),
    path("account/", include("gdpa.accounts.urls")),
    path("account/", include("allauth.urls")),
    path("staff/audit/", include("gdpa.audit.urls")),
    path("staff/emails/", include("gdpa.notify.urls")),
    path("anymail/", include("gdpa.notify.webhook_urls")),
    path("staff/exports/", include("gdpa.exports.urls")),
    path("staff/results/", include("gdpa.results.urls")),
    path("alliance/", include("alliance.urls")),
    path("youth/", include("youth.urls")),
    path("trainings/", include("trainings.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
