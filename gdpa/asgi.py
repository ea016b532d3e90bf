"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

# Servers and workers run production settings unless told otherwise (only manage.py
# defaults to local): they refuse to start without a real SECRET_KEY.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gdpa.settings.production")
application = get_asgi_application()
