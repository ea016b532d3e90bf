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
    path("staff/retention/", include("gdpa.retention.urls")),
    # account/privacy/ (the person) and staff/privacy/ (staff): one namespace.
    path("", include("gdpa.privacy.urls")),
    path("alliance/", include("alliance.urls")),
    path("youth/", include("youth.urls")),
    path("trainings/", include("trainings.urls")),
    path("admin/", admin.site.urls),
]

# No ``/media/`` route, not even with DEBUG: every uploaded or generated file (session
# documents, story photos, exports, certificates, reports) is served by its app's view
# after a permission check, with Content-Disposition.

# A 503 page with Retry-After, not a 500, while the database is unreachable.
handler500 = "gdpa.http.unavailable.server_error_or_unavailable"
