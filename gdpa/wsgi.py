"""WSGI entry point (gunicorn gdpa.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

# Servers and workers run production settings unless told otherwise (only manage.py
# defaults to local): they refuse to start without a real SECRET_KEY.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gdpa.settings.production")
application = get_wsgi_application()
