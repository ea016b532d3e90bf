"""The one Celery app of the portal."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gdpa.settings.local")

app = Celery("gdpa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
