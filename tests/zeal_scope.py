"""django-zeal counts N+1 queries per unit of work, as the portal runs them.

A request (zeal's middleware, first in the test settings' MIDDLEWARE) and a Celery task
(below) each count on their own; a relation loaded once per row inside either fails the
test that made it, naming the line. Code a test runs outside a request or a task (building
its rows, reading them back to assert) is not counted: no zeal context is active there.
"""

import functools
import importlib

import zeal
from celery.signals import task_postrun, task_prerun

# Loops the portal runs on purpose, one unit of work per row: each row has its own
# transaction, checks, audit entry and e-mail, so each call counts alone, wherever it is
# called from (an N+1 inside one row still fails the test).
PER_ROW = {
    # A staff import writes its rows one by one: a row that fails leaves nothing of itself.
    "alliance.services.import_runs": ["_write_organization", "_write_focal_point"],
    # A bulk action on the selected organizations runs the lifecycle service for each
    # (locked, audited and e-mailed one by one).
    "alliance.views.member_directory": ["_run"],
    # Staff nominate the chosen people one by one: each enrollment locks the offering and
    # checks its seats and the person's eligibility.
    "trainings.nominations": ["enrollment_create"],
    # allauth checks each of a person's sessions (is it still signed in?) before listing
    # them, and ends them one by one.
    "allauth.usersessions.models": ["UserSession.purge", "UserSession.end"],
}


def _counted_alone(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with zeal.zeal_context():
            return func(*args, **kwargs)

    return wrapper


def count_each_row_alone() -> None:
    """Each call of a deliberate per-row function gets its own zeal count."""
    for module_name, names in PER_ROW.items():
        module = importlib.import_module(module_name)
        for name in names:
            owner_name, _, name = name.rpartition(".")
            owner = getattr(module, owner_name) if owner_name else module
            row = getattr(owner, name)
            each = _counted_alone(row)
            setattr(owner, name, each)
            for table in vars(module).values():  # import_runs._WRITERS names its writers
                if isinstance(table, dict):
                    table.update({key: each for key, value in table.items() if value is row})


_task_counts: dict[str, object] = {}


def _task_starts(task_id, **kwargs):
    _task_counts[task_id] = zeal.setup()


def _task_ends(task_id, **kwargs):
    token = _task_counts.pop(task_id, None)
    if token is not None:
        zeal.teardown(token)


def count_each_task_alone() -> None:
    """A task (run eagerly in tests) counts on its own: a task run twice is not an N+1."""
    task_prerun.connect(_task_starts, weak=False)
    task_postrun.connect(_task_ends, weak=False)
