"""Thin views of the alliance app: organizations and members, and alliance sessions."""

from .members import *  # noqa: F403
from .sessions import *  # noqa: F403
