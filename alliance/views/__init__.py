"""Thin views of the alliance app: organizations and their people (members), the IOM
staff pages about organizations (staff), alliance sessions (sessions), recommendations
for readers (recommendations) and their PDF reports (reports). Staff authoring of
recommendations and the version history are imported by name in urls.py
(recommendations_staff, recommendation_versions). The public alliance directory and
the control that lists an organization in it are in directory."""

from .directory import *  # noqa: F403
from .members import *  # noqa: F403
from .recommendations import *  # noqa: F403
from .records import *  # noqa: F403
from .reports import *  # noqa: F403
from .sessions import *  # noqa: F403
from .staff import *  # noqa: F403
