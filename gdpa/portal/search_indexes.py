"""Trigram indexes for the staff directory's "name or e-mail contains" searches.

Django writes ``field__icontains`` on PostgreSQL as ``UPPER("col"::text) LIKE UPPER(...)``;
without an index that is a sequential scan of every row (73 ms of SQL for one search of
100,000 people, docs/benchmarks.md). A GIN index over ``UPPER(col)`` with the ``pg_trgm``
operator class answers the same ``LIKE`` from the index. ``pg_trgm`` is a trusted
extension (PostgreSQL 13+): the database's owner may create it, as managed services allow.
The embedded SQLite default has no such index; its searches stay scans.
"""

from django.db import migrations


def trigram_indexes(table: str, columns: list[str]) -> migrations.RunPython:
    """A migration step adding ``<table>_<column>_trgm`` for each column (PostgreSQL only),
    and dropping them when migrated back."""

    def names():
        return [(column, f"{table}_{column}_trgm") for column in columns]

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column, name in names():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for _column, name in names():
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop, elidable=False)
