"""The async engine, its per-connection SQLite settings, and the read/write transaction scopes.

One code path serves SQLite and PostgreSQL. What differs is set up here, once:

* SQLite: the sqlite3 driver's own transaction handling is switched off
  (`isolation_level = None`) and SQLAlchemy's "begin" event emits the BEGIN itself, so a read
  sees one snapshot and `write()` starts with `BEGIN IMMEDIATE`. A deferred transaction that
  upgrades to a writer after another connection committed fails at once with
  "database is locked" in WAL mode; taking the write lock up front makes writers queue on
  `busy_timeout` instead, which is what keeps read-modify-write atomic.
* PostgreSQL: plain READ COMMITTED transactions; repositories lock the rows they are about to
  change with `SELECT … FOR UPDATE` (which SQLAlchemy leaves out on SQLite).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

logger = logging.getLogger(__name__)

#: Execution option that marks the connections handed out by `Database.write()`.
_WRITE_OPTION = "storage_write"
#: How long a SQLite writer waits for another writer before giving up, in ms.
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: Arbitrary constant identifying this app's migration lock among PostgreSQL advisory locks.
_MIGRATION_LOCK_ID = 7_305_114_002


class Database:
    """Owns the engine. Create with `Database.connect(url)`, close with `await db.close()`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._write_engine = engine.execution_options(**{_WRITE_OPTION: True})
        #: SQLite has one writer at a time. Writers of this process queue here, in order,
        #: instead of in SQLite's busy handler, which polls with sleeps of up to 100 ms: a
        #: burst of updates (each writing to the inbox) would otherwise wait out those sleeps.
        self._sqlite_writers: asyncio.Lock | None = None
        if self.dialect == "sqlite":
            _install_sqlite_hooks(engine)
            self._sqlite_writers = asyncio.Lock()

    @classmethod
    def connect(cls, url: str | URL, *, schema: str | None = None, echo: bool = False) -> Database:
        """Build the engine for a `sqlite+aiosqlite://` or `postgresql+asyncpg://` URL.

        No connection is made yet; call `await db.migrate()` next.

        `schema` (PostgreSQL only) puts every table in that schema via `search_path`; tests
        use it to give each test its own empty namespace.
        """
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if backend == "sqlite":
            if parsed.drivername != "sqlite+aiosqlite":
                parsed = parsed.set(drivername="sqlite+aiosqlite")
            database = parsed.database or ""
            if database in ("", ":memory:") or database.startswith("file:"):
                raise ValueError(
                    "DATABASE_URL must name a SQLite file, e.g. "
                    "sqlite+aiosqlite:///./data/quran-companion.sqlite3"
                )
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            if schema is not None:
                raise ValueError("schema= applies to PostgreSQL only")
        elif backend == "postgresql":
            if parsed.drivername != "postgresql+asyncpg":
                parsed = parsed.set(drivername="postgresql+asyncpg")
            kwargs["pool_pre_ping"] = True
            if schema is not None:
                kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
        else:
            raise ValueError(
                f"unsupported DATABASE_URL backend {backend!r}: use sqlite+aiosqlite:///path "
                "or postgresql+asyncpg://user@host/db"
            )
        return cls(create_async_engine(parsed, **kwargs))

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A transaction for reads: one consistent snapshot, no write lock taken."""
        async with self.engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that will write: commits on success, rolls back on any exception.

        On SQLite it holds the database write lock from its first statement (BEGIN IMMEDIATE);
        on PostgreSQL lock rows with `.with_for_update()` before changing what was read.
        """
        if self._sqlite_writers is None:
            async with self._write_engine.begin() as connection:
                yield connection
            return
        async with self._sqlite_writers, self._write_engine.begin() as connection:
            yield connection

    async def migrate(self) -> None:
        """Bring the schema to the newest revision (safe to call on every start)."""
        from storage.migrations.runner import upgrade_to_head

        async with self.write() as connection:
            if self.dialect == "postgresql":
                # Two processes starting at once must not both run the same migration.
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _MIGRATION_LOCK_ID}
                )
            await connection.run_sync(upgrade_to_head)

    async def close(self) -> None:
        """Close every pooled connection (an open aiosqlite connection blocks process exit)."""
        await self.engine.dispose()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _configure_connection(
        dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry
    ) -> None:
        # Take transaction control away from the sqlite3 driver; `_begin` below emits BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # WAL: readers never block the writer. NORMAL is durable against process crashes
            # (only an OS crash or power loss can drop the last commits) and much faster.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _begin(connection: Connection) -> None:
        if connection.get_execution_options().get(_WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
