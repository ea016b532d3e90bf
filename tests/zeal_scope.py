"""django-zeal counts N+1 queries per unit of work, as the portal runs them.

A request (zeal's middleware) and a Celery task (below) each count on their
own. A test also calls services, selectors and the other app functions directly, often
in a loop to build its data; each such call is one unit of work, as it would be in the
request or task that makes it in production, so it gets a count of its own too. Ten
organizations registered by a test are ten calls, not an N+1; a relation loaded per row
inside one of those calls still fails the test. A query the test's own code makes in a
loop (building rows, reading them back to assert) is not the portal's and is not counted.
"""

import functools
import importlib
import inspect
import pkgutil
import sys
from pathlib import Path

import zeal
import zeal.util
from celery.signals import task_postrun, task_prerun
from zeal.listeners import n_plus_one_listener

TESTS = f"{Path(__file__).resolve().parent}/"
ROOT = Path(__file__).resolve().parent.parent
# Code that builds data by calling the services row after row, as tests do.
BUILDERS = (TESTS, str(ROOT / "alliance" / "demo.py"), str(ROOT / "youth" / "demo.py"))
APPS = ("alliance", "trainings", "youth", "gdpa")
# Modules whose functions are not units of work a test calls (or are not imported in
# tests): pages and wiring are reached through requests, which count on their own.
SKIPPED = {
    "admin",
    "apps",
    "asgi",
    "celery",
    "management",
    "migrations",
    "settings",
    "templatetags",
    "urls",
    "views",
    "wsgi",
}


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


def _counted_alone(func, *, always=False):
    if inspect.isgeneratorfunction(func):  # counted while its rows are read

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if not always and not sys._getframe(1).f_code.co_filename.startswith(BUILDERS):
                yield from func(*args, **kwargs)
                return
            with zeal.zeal_context():
                yield from func(*args, **kwargs)

        wrapper.__zeal_scoped__ = True
        return wrapper

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if not always and not sys._getframe(1).f_code.co_filename.startswith(BUILDERS):
            return func(*args, **kwargs)
        with zeal.zeal_context():
            return func(*args, **kwargs)

    wrapper.__zeal_scoped__ = True
    return wrapper


def _app_modules():
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if SKIPPED.isdisjoint(info.name.split(".")):
                yield importlib.import_module(info.name)


def count_each_call_from_tests_alone() -> None:
    """Give every public app function called straight from test code its own zeal count."""
    modules = list(_app_modules())
    names = {module.__name__ for module in modules}
    wrapped = {}
    for module in modules:
        for value in vars(module).values():
            if (
                inspect.isfunction(value)
                and value.__module__ in names
                and not value.__name__.startswith("_")
                and not getattr(value, "__zeal_scoped__", False)
            ):
                wrapped.setdefault(value, _counted_alone(value))
    # Re-exports (alliance/services/__init__.py) and test modules imported before this ran
    # (tests/factories.py) point at the same functions: every reference is replaced.
    holders = modules + [m for n, m in list(sys.modules.items()) if n.startswith("tests.")]
    for module in holders:
        for name, value in list(vars(module).items()):
            if inspect.isfunction(value) and value in wrapped:
                setattr(module, name, wrapped[value])
    for module_name, names in PER_ROW.items():
        module = importlib.import_module(module_name)
        for name in names:
            owner_name, _, name = name.rpartition(".")
            owner = getattr(module, owner_name) if owner_name else module
            row = getattr(owner, name)
            each = _counted_alone(row, always=True)
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


_notify = n_plus_one_listener.notify
_is_zeals_frame = zeal.util._is_internal_frame
HERE = str(Path(__file__).resolve())


def _is_internal_frame(filename: str) -> bool:
    """zeal names an N+1 after the first line outside site-packages and zeal; the wrappers
    here are skipped too, so it names the portal's line (or the test's)."""
    return filename == HERE or _is_zeals_frame(filename)


def _notify_unless_test_code(model, field, instance_key):
    frame = sys._getframe(1)
    while frame is not None and _is_internal_frame(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is not None and frame.f_code.co_filename.startswith(TESTS):
        return
    _notify(model, field, instance_key)


def leave_test_code_uncounted() -> None:
    """A query made by a line in tests/ (building rows in a loop, reading them back to
    assert) is the test's own, not the portal's N+1: it is not counted."""
    zeal.util._is_internal_frame = _is_internal_frame
    n_plus_one_listener.notify = _notify_unless_test_code
