"""Engine set-up, migrations and transaction behaviour, on both backends."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, select, text, update
from sqlalchemy.pool import QueuePool
from storage_helpers import open_sqlite, sqlite_url

from storage import ChatRepository, Database, ReminderRepository
from storage.migrations.runner import alembic_config, current_revision, head_revision
from storage.schema import chats, metadata

REPO_ROOT = str(Path(__file__).resolve().parents[1])


def _schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrations_build_exactly_the_declared_schema(db: Database) -> None:
    async with db.read() as connection:
        differences = await connection.run_sync(_schema_differences)
        revision = await connection.run_sync(current_revision)
    assert differences == []
    assert revision == head_revision()


async def test_migrate_twice_is_harmless_and_keeps_data(db: Database) -> None:
    await ChatRepository(db).ensure(-100, "group", "Circle")
    await db.migrate()
    settings = await ChatRepository(db).get(-100)
    assert settings is not None and settings.title == "Circle"


async def test_sqlite_connection_settings_apply_to_every_connection(
    sqlite_db: Database,
) -> None:
    async def pragmas() -> tuple[object, ...]:
        async with sqlite_db.read() as connection:
            values = []
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous"):
                values.append((await connection.exec_driver_sql(f"PRAGMA {name}")).scalar())
            return tuple(values)

    # Several at once so the pool has to open more than one connection.
    results = await asyncio.gather(*(pragmas() for _ in range(4)))
    assert set(results) == {("wal", 1, 10_000, 1)}


async def test_sqlite_parent_directory_is_created(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "data" / "bot.sqlite3"
    database = await open_sqlite(target)
    await database.close()
    assert target.exists()


@pytest.mark.parametrize(
    "url",
    ["sqlite+aiosqlite:///:memory:", "mysql+aiomysql://u@h/db", "sqlite+aiosqlite://"],
)
def test_unsupported_urls_are_refused_with_a_hint(url: str) -> None:
    with pytest.raises(ValueError, match=r"DATABASE_URL|unsupported"):
        Database.connect(url)


async def test_plain_sqlite_url_gets_the_async_driver(tmp_path: Path) -> None:
    database = Database.connect(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        assert database.engine.url.drivername == "sqlite+aiosqlite"
        await database.migrate()
    finally:
        await database.close()


async def test_write_transactions_do_not_lose_concurrent_updates(db: Database) -> None:
    await ChatRepository(db).ensure(-5, "group", None)

    async def increment() -> None:
        async with db.write() as connection:
            current = (
                await connection.execute(
                    select(chats.c.mushaf_id).where(chats.c.id == -5).with_for_update()
                )
            ).scalar_one()
            await asyncio.sleep(0)  # let the other writers try to interleave
            await connection.execute(
                update(chats).where(chats.c.id == -5).values(mushaf_id=current + 1)
            )

    before = await ChatRepository(db).get(-5)
    assert before is not None
    await asyncio.gather(*(increment() for _ in range(15)))
    after = await ChatRepository(db).get(-5)
    assert after is not None and after.mushaf_id == before.mushaf_id + 15


async def test_write_rolls_back_everything_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.write() as connection:
            await connection.execute(
                text(
                    "INSERT INTO reading_credits (user_id, key, created_at) "
                    "VALUES (1, 'k', CURRENT_TIMESTAMP)"
                )
            )
            raise RuntimeError("boom")
    async with db.read() as connection:
        count = (await connection.execute(text("SELECT count(*) FROM reading_credits"))).scalar()
    assert count == 0


async def test_foreign_keys_are_enforced(db: Database) -> None:
    reminder = await ReminderRepository(db).create(
        chat_id=-7, times=["08:00"], weekdays=[0], timezone="UTC"
    )
    async with db.write() as connection:
        await connection.execute(chats.delete().where(chats.c.id == -7))
    assert await ReminderRepository(db).get(reminder.id) is None


async def test_close_releases_every_connection(tmp_path: Path) -> None:
    database = await open_sqlite(tmp_path / "c.sqlite3")
    await asyncio.gather(*(ChatRepository(database).get(i) for i in range(6)))
    pool = database.engine.pool
    await database.close()
    assert isinstance(pool, QueuePool) and pool.checkedout() == 0
    # A second engine can take the write lock at once: nothing was left holding it.
    other = Database.connect(sqlite_url(tmp_path / "c.sqlite3"))
    try:
        async with other.write() as connection:
            await connection.execute(text("DELETE FROM reading_credits"))
    finally:
        await other.close()


def _downgrade_to_base(connection: Connection) -> None:
    command.downgrade(alembic_config(connection), "base")


async def test_migrations_downgrade_and_upgrade_again(db: Database) -> None:
    async with db.write() as connection:
        await connection.run_sync(_downgrade_to_base)
        assert await connection.run_sync(current_revision) is None
    await db.migrate()
    async with db.read() as connection:
        assert await connection.run_sync(_schema_differences) == []


def _downgrade_one_step(connection: Connection) -> None:
    command.downgrade(alembic_config(connection), "-1")


async def test_reminder_ids_are_never_reused_after_a_downgrade_on_sqlite(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("AUTOINCREMENT is SQLite's; PostgreSQL sequences never go back")
    async with db.write() as connection:
        await connection.run_sync(_downgrade_one_step)
        table_sql = (
            await connection.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'reminders'")
            )
        ).scalar_one()
    assert "AUTOINCREMENT" in table_sql


async def test_migrate_command_creates_the_database(tmp_path: Path) -> None:
    target = tmp_path / "fresh" / "bot.sqlite3"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "storage",
        "--database-url",
        sqlite_url(target),
        "migrate",
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": REPO_ROOT},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    assert "up to date" in stdout.decode()
    database = Database.connect(sqlite_url(target))
    try:
        async with database.read() as connection:
            assert await connection.run_sync(current_revision) == head_revision()
    finally:
        await database.close()
