"""Mounted once at the root (gdpa/urls.py) so both halves share the ``privacy``
namespace: the person's pages under ``account/privacy/``, staff's under
``staff/privacy/``."""

from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("account/privacy/", views.summary, name="summary"),
    path("account/privacy/download/", views.download, name="download"),
    path("account/privacy/erase/", views.erase_request, name="erase_request"),
    path("staff/privacy/", views.staff_requests, name="staff_requests"),
    path("staff/privacy/<int:pk>/", views.staff_erase, name="staff_erase"),
    path("staff/privacy/<int:pk>/refuse/", views.staff_refuse, name="staff_refuse"),
]
