"""GDPA Portal project package and the shared kernel every app may use."""

from .celery import app as celery_app

__all__ = ["celery_app"]
