"""Alembic entry point. Only "online" runs on a connection handed over by `runner` are used."""

from __future__ import annotations

from alembic import context

from storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Run migrations with `python -m storage migrate` (or `await Database.migrate()`); "
        "this environment needs an open connection."
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    # ALTER support on SQLite goes through "move and copy"; keep future revisions portable.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
