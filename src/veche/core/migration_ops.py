"""Migration operations that leave a busy PostgreSQL database writable while they run.

A plain CREATE INDEX holds off every write to the table until the index is built
(seconds on a million comments: no one can post meanwhile). On PostgreSQL these build
and drop indexes CONCURRENTLY, which needs a migration with ``atomic = False``;
elsewhere (SQLite) they are the ordinary operations.
"""

from __future__ import annotations

from typing import Any

from django.db import NotSupportedError, migrations


def _online(schema_editor: Any) -> bool:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return False
    if connection.in_atomic_block:
        raise NotSupportedError(
            "building an index concurrently needs a migration with atomic = False")
    return True


class AddIndexOnline(migrations.AddIndex):
    """AddIndex, built CONCURRENTLY on PostgreSQL."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any,
                          to_state: Any) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if _online(schema_editor):
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any,
                           to_state: Any) -> None:
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if _online(schema_editor):
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)


def drop_index_online(name: str, table: str, columns: list[str]) -> migrations.RunPython:
    """Drop the index `name` (DROP INDEX CONCURRENTLY on PostgreSQL); backwards, make
    it again on `columns` of `table`. For an index the migration state does not know by
    name (the one Django made for a foreign key)."""

    def drop(apps: Any, schema_editor: Any) -> None:
        how = "CONCURRENTLY " if _online(schema_editor) else ""
        schema_editor.execute(f"DROP INDEX {how}IF EXISTS {schema_editor.quote_name(name)}")

    def create(apps: Any, schema_editor: Any) -> None:
        how = "CONCURRENTLY " if _online(schema_editor) else ""
        quoted = ", ".join(schema_editor.quote_name(c) for c in columns)
        schema_editor.execute(
            f"CREATE INDEX {how}IF NOT EXISTS {schema_editor.quote_name(name)}"
            f" ON {schema_editor.quote_name(table)} ({quoted})")

    return migrations.RunPython(drop, create, atomic=False)
