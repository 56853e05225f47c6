"""Storage throughput and the database cost of one typical update, on SQLite and PostgreSQL.

Run: python bench/bench_storage.py [--seconds 0.5]
PostgreSQL is measured when reachable at 127.0.0.1:5432 (users postgres, root; or
STORAGE_TEST_POSTGRES_URL), in a throw-away schema.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Imported after the path fix so a source checkout runs as-is.
from storage import (
    AccountRepository,
    ChatRepository,
    Database,
    DraftRepository,
    ReminderRepository,
    TokenCipher,
)

POSTGRES_CANDIDATES = (
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
)


class StatementCounter:
    """Counts statements sent to the driver (BEGIN included, COMMIT is a driver call)."""

    def __init__(self, database: Database) -> None:
        self.count = 0
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


async def _postgres_url() -> str | None:
    configured = os.environ.get("STORAGE_TEST_POSTGRES_URL")
    for candidate in (configured,) if configured else POSTGRES_CANDIDATES:
        plain = candidate.replace("postgresql+asyncpg://", "postgresql://")
        try:
            connection = await asyncpg.connect(plain, timeout=3)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            continue
        await connection.close()
        return plain
    return None


@asynccontextmanager
async def sqlite_database() -> AsyncIterator[Database]:
    with tempfile.TemporaryDirectory() as directory:
        database = Database.connect(f"sqlite+aiosqlite:///{directory}/bench.sqlite3")
        try:
            await database.migrate()
            yield database
        finally:
            await database.close()


@asynccontextmanager
async def postgres_database(url: str) -> AsyncIterator[Database]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    async_url = url.replace("postgresql://", "postgresql+asyncpg://")
    database = Database.connect(async_url, schema=schema)
    try:
        await database.migrate()
        yield database
    finally:
        await database.close()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


async def ops_per_second(operation: Callable[[int], Awaitable[object]], seconds: float) -> float:
    done = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        await operation(done)
        done += 1
    return done / elapsed


async def measure(database: Database, seconds: float) -> tuple[list[tuple[str, float]], int, float]:
    cipher = TokenCipher([TokenCipher.generate_key()])
    chats, accounts = ChatRepository(database), AccountRepository(database, cipher)
    reminders, drafts = ReminderRepository(database), DraftRepository(database)
    await chats.ensure(42, "private", None)
    await accounts.save(
        42,
        qf_sub="sub",
        display_name="Bench",
        access_token="a" * 800,
        refresh_token="r" * 200,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
        scopes=["openid", "note"],
    )
    reminder = await reminders.create(chat_id=42, times=["07:00"], weekdays=[0], timezone="UTC")
    draft = await drafts.save(telegram_user_id=42, chat_id=42, ranges=["1:1"], body="x")

    async def typical_update(_: int) -> None:
        await chats.get(42)
        await accounts.get(42)

    async def draft_save(number: int) -> None:
        await drafts.save(
            draft_id=draft.id, telegram_user_id=42, chat_id=42, ranges=["1:1"], body=f"{number}"
        )

    rates = [
        ("chat get", await ops_per_second(lambda _: chats.get(42), seconds)),
        (
            "chat update",
            await ops_per_second(lambda n: chats.update(42, mushaf_id=n % 10 + 1), seconds),
        ),
        ("account get (decrypt)", await ops_per_second(lambda _: accounts.get(42), seconds)),
        (
            "claim_slot (new slot)",
            await ops_per_second(lambda n: reminders.claim_slot(reminder.id, f"s{n}"), seconds),
        ),
        ("draft save", await ops_per_second(draft_save, seconds)),
        ("typical update", await ops_per_second(typical_update, seconds)),
    ]

    counter = StatementCounter(database)
    timings = []
    for _ in range(50):
        counter.count = 0
        started = time.perf_counter()
        await typical_update(0)
        timings.append(time.perf_counter() - started)
    return rates, counter.count, statistics.median(timings) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=0.5, help="time per operation")
    args = parser.parse_args()

    results: dict[str, tuple[list[tuple[str, float]], int, float]] = {}
    async with sqlite_database() as database:
        results["SQLite"] = await measure(database, args.seconds)
    postgres = await _postgres_url()
    if postgres is None:
        print("PostgreSQL not reachable: measuring SQLite only\n")
    else:
        async with postgres_database(postgres) as database:
            results["PostgreSQL"] = await measure(database, args.seconds)

    backends = list(results)
    print(f"{'operation (ops/s)':<24}" + "".join(f"{name:>14}" for name in backends))
    for index, (label, _) in enumerate(results[backends[0]][0]):
        print(f"{label:<24}" + "".join(f"{results[b][0][index][1]:>14.0f}" for b in backends))
    print()
    print("one typical update = load chat settings + account (two read transactions)")
    print(f"{'SQL statements sent':<24}" + "".join(f"{results[b][1]:>14}" for b in backends))
    print(f"{'median time (ms)':<24}" + "".join(f"{results[b][2]:>14.2f}" for b in backends))


if __name__ == "__main__":
    asyncio.run(main())
