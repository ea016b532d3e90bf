"""The providers' tracking webhooks, mounted at ``/anymail/`` (outside the staff pages)."""

from django.urls import path

from . import webhooks

app_name = "anymail"
urlpatterns = [
    path("<slug:provider>/tracking/", webhooks.tracking_webhook, name="tracking_webhook"),
]
