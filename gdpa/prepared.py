"""Reads that run on every signed-in request, and writes made once per e-mail sent, with
their SQL compiled once.

Building a query through the ORM (filters, joins, SQL) costs more than running it: about
1.4 ms of CPU for a person's memberships with their organizations, against 0.4 ms for the
same SQL sent as it is (docs/benchmarks.md, "Every role's main pages"). A read made on every
request (the session, the memberships) pays that on every page, so ``PreparedRead`` asks the
ORM for the SQL and for how to turn rows into model instances once per database connection,
then runs the same SQL with the request's values and builds the instances exactly as
iterating the queryset does (field converters, ``select_related`` objects).

Only what a plain queryset does is supported: model instances, ``select_related``, filters
and ordering; the values that change are passed as markers (see ``PreparedRead``). Nothing is
cached but the SQL text: every call reads the database.

The SQL is built once for every later call, so everything in it but the markers must be the
same for everyone: it is built with the tenant scope switched off (a scope active on the
first request would otherwise be kept for all), which suits what these reads are for, a
person's own rows (their session, memberships, youth profile), theirs in any scope.

``PreparedUpdate`` does the same for an ``update()``: the outbox claims and marks each
e-mail it sends with one (``gdpa.notify.delivery``), 10,000 times in a fan-out.
"""

import datetime
import weakref
from collections.abc import Callable

from django.db import connections, transaction
from django.db.models.query import get_related_populators
from django.db.models.sql import UpdateQuery
from django_scopes import scopes_disabled

#: A moment no real value is: the marker of a changing datetime.
FAR_PAST = datetime.datetime(1901, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)


def _adapt(connection, value):
    """A value as the ORM passes it to the database: datetimes and dates as the backend
    stores them (SQLite: text, in UTC), numbers and text as they are."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


class _Prepared:
    """SQL compiled once per database connection, with markers for the values that change
    (see ``PreparedRead``). A subclass's ``_compile(alias)`` returns the plan: at least
    ``sql`` and ``params``."""

    def __init__(self, name: str, build: Callable, *markers) -> None:
        self.name = name
        self.build = build
        self.markers = markers
        #: The plan for each database connection (each thread has its own).
        self._plans = weakref.WeakKeyDictionary()

    def _plan(self, alias: str) -> dict:
        connection = connections[alias]
        plan = self._plans.get(connection)
        if plan is None:
            with scopes_disabled():
                plan = self._compile(alias)
            params = plan["params"]
            positions = []
            for marker in self.markers:
                adapted = _adapt(connection, marker)
                found = [i for i, value in enumerate(params) if value == adapted]
                if not found:
                    raise ValueError(f"{self.name}: marker {marker!r} is not in the SQL")
                positions.append(found)
            plan["positions"] = positions
            self._plans[connection] = plan
        return plan

    def _params(self, plan: dict, values: tuple, connection) -> list:
        params = list(plan["params"])
        for places, value in zip(plan["positions"], values, strict=True):
            for place in places:
                params[place] = _adapt(connection, value)
        return params


class PreparedRead(_Prepared):
    """``build(*markers)`` returns the queryset with each changing value replaced by a
    marker, values that cannot occur otherwise (e.g. ``-1`` for a primary key, a date in
    1901). The compiled SQL's parameters equal to a marker are its places (a marker may
    be used more than once); ``rows(*values)`` runs the SQL with the values in the markers'
    order and returns the model instances, with their annotations. Markers are numbers,
    text, dates and aware datetimes; a slice (``[:10]``) is part of the SQL."""

    def _compile(self, alias: str) -> dict:
        queryset = self.build(*self.markers)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return {
            "sql": sql,
            "params": list(params),
            "compiler": compiler,
            "model": klass_info["model"],
            "fields": (start, end),
            "init_list": [column[0].target.attname for column in select[start:end]],
            "related": get_related_populators(klass_info, select, alias),
            "annotations": dict(compiler.annotation_col_map or {}),
        }

    def rows(self, *values, using: str = "default") -> list:
        connection = connections[using]
        plan = self._plan(using)
        with connection.cursor() as cursor:
            cursor.execute(plan["sql"], self._params(plan, values, connection))
            fetched = cursor.fetchall()
        start, end = plan["fields"]
        instances = []
        for row in plan["compiler"].results_iter([fetched]):
            instance = plan["model"].from_db(using, plan["init_list"], row[start:end])
            for populator in plan["related"]:
                populator.populate(row, instance)
            for name, column in plan["annotations"].items():
                setattr(instance, name, row[column])
            instances.append(instance)
        return instances


class PreparedUpdate(_Prepared):
    """``queryset.update(**fields)`` with its SQL compiled once: ``build(*markers)`` returns
    ``(queryset, fields)``, markers as for ``PreparedRead``; ``run(*values)`` returns the
    number of rows updated, as ``update()`` does.

    One statement: in autocommit it is its own transaction, in an atomic block part of
    it. The SQL is compiled inside an atomic block, so a ``select_for_update()`` subquery
    (``FOR UPDATE SKIP LOCKED``) is allowed: the single statement takes and releases its
    locks itself. Only updates of the queryset's own table (no related model's fields)."""

    def _compile(self, alias: str) -> dict:
        queryset, fields = self.build(*self.markers)
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(fields)
        query.annotations = {}
        if query.related_updates:
            raise ValueError(f"{self.name}: only the queryset's own table can be updated")
        with transaction.atomic(using=alias):
            compiler = query.get_compiler(using=alias)
            compiler.pre_sql_setup()
            sql, params = compiler.as_sql()
        return {"sql": sql, "params": list(params)}

    def run(self, *values, using: str = "default") -> int:
        connection = connections[using]
        plan = self._plan(using)
        with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
            cursor.execute(plan["sql"], self._params(plan, values, connection))
            return cursor.rowcount
