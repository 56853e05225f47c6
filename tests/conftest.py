"""Fixtures shared by the test modules; pytest finds them here without imports.

Storage: `db` is a migrated `Database` once per backend, SQLite (a temp file) and PostgreSQL (a
fresh schema each, marked `postgres`, skipped with the reason when no server answers at
127.0.0.1:5432 as `postgres` or `root`; override with STORAGE_TEST_POSTGRES_URL); `sqlite_db` is
SQLite only; `cipher_key`/`cipher` encrypt tokens; `clock` is a `ManualClock`.

Plain helpers that tests call with arguments live in the support modules next to them:
`storage_helpers` (databases, `ManualClock`), `harness_support` (`linked_bot`), `qf_support`
(`qf_world`), `notes_support`, `reminders_support`, `e2e_support` (the real bot process).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from storage_helpers import ManualClock, open_sqlite, reachable_postgres_url

from storage import Database, TokenCipher


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database, once per backend."""
    if request.param == "sqlite":
        database = await open_sqlite(tmp_path / "storage.sqlite3")
        try:
            yield database
        finally:
            await database.close()
        return

    url = await reachable_postgres_url()
    if url is None:
        pytest.skip(
            "PostgreSQL not reachable at 127.0.0.1:5432 as postgres or root "
            "(set STORAGE_TEST_POSTGRES_URL to point the storage tests elsewhere)"
        )
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await admin.close()
    async_url = url.replace("postgresql://", "postgresql+asyncpg://")
    database = Database.connect(async_url, schema=schema)
    try:
        await database.migrate()
        yield database
    finally:
        await database.close()
        admin = await asyncpg.connect(url)
        try:
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        finally:
            await admin.close()


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    """SQLite only, for tests about the file itself."""
    database = await open_sqlite(tmp_path / "storage.sqlite3")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def cipher_key() -> str:
    return TokenCipher.generate_key()


@pytest.fixture
def cipher(cipher_key: str) -> TokenCipher:
    return TokenCipher([cipher_key])


@pytest.fixture
def clock() -> Iterator[ManualClock]:
    yield ManualClock()


@pytest.fixture(params=("production", "prelive", "2026-03-29"))
def contract(request: pytest.FixtureRequest) -> str:
    """The QF contract a suite runs against: production, today's pre-live, and the pre-live of
    29 March 2026 (note writes guarded by `lastMutationAt`). Ask for it to run a test in all."""
    return str(request.param)
