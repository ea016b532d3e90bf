from django.urls import path

from . import views

app_name = "results"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
]
