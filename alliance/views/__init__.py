"""Thin views of the alliance app: organizations and their people (members), the IOM
staff pages about organizations (staff), and alliance sessions (sessions)."""

from .members import *  # noqa: F403
from .recommendations import *  # noqa: F403
from .sessions import *  # noqa: F403
from .staff import *  # noqa: F403
