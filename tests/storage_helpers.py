"""Helpers for the storage tests (plain functions; the fixtures live in conftest.py)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from storage import Database

POSTGRES_CANDIDATES = (
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
)
_probe_result: dict[str, str | None] = {}


async def reachable_postgres_url() -> str | None:
    """The first PostgreSQL URL (plain libpq form) that accepts a connection; probed once."""
    if "url" in _probe_result:
        return _probe_result["url"]
    configured = os.environ.get("STORAGE_TEST_POSTGRES_URL")
    candidates = (configured,) if configured else POSTGRES_CANDIDATES
    found: str | None = None
    for candidate in candidates:
        plain = candidate.replace("postgresql+asyncpg://", "postgresql://")
        try:
            connection = await asyncpg.connect(plain, timeout=3)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            continue
        await connection.close()
        found = plain
        break
    _probe_result["url"] = found
    return found


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def open_sqlite(path: Path) -> Database:
    database = Database.connect(sqlite_url(path))
    await database.migrate()
    return database


class ManualClock:
    """An aware-UTC clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now
