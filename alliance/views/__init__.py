"""Thin views of the alliance app: organizations and their people (members), the IOM
staff pages about organizations (staff), alliance sessions (sessions) and the PDF
reports of recommendations (reports)."""

from .members import *  # noqa: F403
from .reports import *  # noqa: F403
from .sessions import *  # noqa: F403
from .staff import *  # noqa: F403
