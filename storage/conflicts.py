"""Insert statements that tolerate an existing row: the one place that picks a SQL dialect.

SQLite and PostgreSQL both speak `INSERT … ON CONFLICT`, but SQLAlchemy exposes it through
each dialect's own `insert()`. Choosing it here keeps repositories free of backend checks, and
the conflict is resolved by the database itself, so concurrent callers cannot both "win".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def _insert(connection: AsyncConnection, table: Table) -> Any:
    name = connection.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no ON CONFLICT support for dialect {name!r}")


async def insert_or_ignore(
    connection: AsyncConnection,
    table: Table,
    values: Mapping[str, Any],
    *,
    conflict_columns: Sequence[str],
) -> bool:
    """Insert unless a row with the same `conflict_columns` exists; True if this call inserted."""
    statement = (
        _insert(connection, table)
        .values(dict(values))
        .on_conflict_do_nothing(index_elements=list(conflict_columns))
        .returning(literal(1))
    )
    result = await connection.execute(statement)
    return result.first() is not None


async def upsert(
    connection: AsyncConnection,
    table: Table,
    values: Mapping[str, Any],
    *,
    conflict_columns: Sequence[str],
    update_columns: Iterable[str],
) -> None:
    """Insert, or overwrite `update_columns` of the existing row with the new values."""
    statement = _insert(connection, table).values(dict(values))
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=list(conflict_columns),
        set_={column: excluded[column] for column in update_columns},
    )
    await connection.execute(statement)
