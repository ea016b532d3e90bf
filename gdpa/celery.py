"""The one Celery app of the portal."""

import os

from celery import Celery

# Servers and workers run production settings unless told otherwise (only manage.py
# defaults to local): they refuse to start without a real SECRET_KEY.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gdpa.settings.production")

app = Celery("gdpa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
