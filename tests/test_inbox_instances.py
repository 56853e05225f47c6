"""Two instances on one PostgreSQL database, both fed the same burst (as a load balancer or a
redelivery may do): every update is answered once, and each chat's updates in order."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import select
from storage_helpers import reachable_postgres_url
from telegram import Update

from bot.app.inbox import inbox_worker_of
from sandbox.harness import BotHarness
from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.telegram import FakeUser, TelegramWorld
from storage import schema

pytestmark = pytest.mark.postgres

CHATS = [FakeUser(8100 + n, f"Member{n}") for n in range(8)]
PER_CHAT = 6


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    url = await reachable_postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")
    name = f"inbox_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _, _ = url.rpartition("/")
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://")
    finally:
        admin = await asyncpg.connect(url)
        try:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def test_two_instances_answer_each_update_once_and_keep_each_chat_in_order(
    tmp_path: Path, postgres_url: str
) -> None:
    world = TelegramWorld()
    fake = FakeQuranFoundation()
    overrides = {"DATABASE_URL": postgres_url, "INBOX_SWEEP_SECONDS": 0.2}
    first = BotHarness(tmp_path, world=world, fake_qf=fake, settings_overrides=overrides)
    await first.start()
    second = BotHarness(tmp_path, world=world, fake_qf=fake, settings_overrides=overrides)
    await second.start()
    try:
        burst: list[Update] = []
        for round_ in range(PER_CHAT):
            for user in CHATS:
                world.add_private_chat(user)
                text = "/help" if round_ % 2 == 0 else "/privacy"
                await world.user_sends(user.id, user, text)
                burst.append(Update.de_json(world.next_update_dict(), first.app.bot))
        workers = [inbox_worker_of(first.app), inbox_worker_of(second.app)]
        for worker in workers:
            await worker.start()
        # Each delivery of the burst reaches both instances at the same moment (a load balancer
        # retrying, Telegram redelivering); deliveries come in Telegram's order.
        for start in range(0, len(burst), 4):
            await asyncio.gather(*(worker.accept(burst[start : start + 4]) for worker in workers))

        async def all_done() -> bool:
            return await workers[0].inbox.pending_count() == 0

        for _ in range(600):
            if await all_done():
                break
            await asyncio.sleep(0.1)
        for worker in workers:
            await worker.idle()
        assert await all_done()

        async with first.deps.database.read() as connection:
            rows = list(
                await connection.execute(
                    select(schema.inbox_sends.c.update_id, schema.inbox_sends.c.result)
                    .where(schema.inbox_sends.c.method == "sendMessage")
                )
            )
        answered = [update_id for update_id, _ in rows]
        assert sorted(answered) == sorted(u.update_id for u in burst)  # each exactly once
        for user in CHATS:
            # Message ids grow in the order the bot sent them: they follow the update ids.
            theirs = sorted(
                (int(result["message_id"]), update_id)
                for update_id, result in rows
                if result["chat"]["id"] == user.id
            )
            assert [update_id for _, update_id in theirs] == sorted(
                update_id for _, update_id in theirs
            )
            replies = [m for m in world.sent(user.id)]
            assert len(replies) == PER_CHAT
    finally:
        for worker in (inbox_worker_of(first.app), inbox_worker_of(second.app)):
            await worker.stop(5)
        await second.stop()
        await first.stop()
