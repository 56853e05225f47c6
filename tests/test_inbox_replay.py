"""An update replayed from the inbox (after a crash or a deploy cut it off) changes nothing twice
and answers once: credits, goals, notes, and the confirmation message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from harness_support import linked_bot
from sqlalchemy import delete, update
from telegram import Update

from bot.app.inbox import InboxWorker, inbox_worker_of
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import DEMO_SUB
from sandbox.telegram import FakeUser
from storage import schema

#: Bot API methods whose call the user would see twice.
VISIBLE = {"sendMessage", "editMessageText", "sendPhoto", "editMessageReplyMarkup"}


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with linked_bot(tmp_path) as harness:
        yield harness


def visible_calls(bot: BotHarness, since: int) -> list[str]:
    return [c.method for c in bot.world.calls[since:] if c.method in VISIBLE]


async def through_inbox(bot: BotHarness, text: str) -> int:
    """The user sends `text`; the bot accepts it into the inbox and works it off."""
    worker = inbox_worker_of(bot.app)
    await bot.world.user_sends(DEMO_USER.id, DEMO_USER, text)
    incoming = Update.de_json(bot.world.next_update_dict(), bot.app.bot)
    await worker.accept([incoming])
    await worker.idle()
    return incoming.update_id


async def crash_before_done(bot: BotHarness, update_id: int, *, sent_recorded: bool = True) -> None:
    """What a kill -9 after the handler's effects (and before "done") leaves in the database."""
    database = bot.deps.database
    async with database.write() as connection:
        await connection.execute(
            update(schema.inbox)
            .where(schema.inbox.c.update_id == update_id)
            .values(done_at=None, outcome=None)
        )
        if not sent_recorded:
            await connection.execute(delete(schema.inbox_sends))


async def replay(worker: InboxWorker) -> None:
    assert await worker.sweep() == 1
    await worker.idle()


async def test_replayed_read_credits_once_and_confirms_once(bot: BotHarness) -> None:
    before = len(bot.world.calls)
    update_id = await through_inbox(bot, "/read 1:1-1:7 5min")
    first = visible_calls(bot, before)
    assert first, "the first run answered"
    await crash_before_done(bot, update_id)
    await replay(inbox_worker_of(bot.app))
    assert visible_calls(bot, before) == first
    assert len(bot.fake_qf.api_requests("POST", r"/v1/activity-days$")) == 1
    assert (await inbox_worker_of(bot.app).inbox.outcomes())[update_id] == "handled"


async def test_replayed_read_whose_answer_was_not_recorded_still_credits_once(
    bot: BotHarness,
) -> None:
    update_id = await through_inbox(bot, "/read 1:1-1:7 5min")
    await crash_before_done(bot, update_id, sent_recorded=False)
    await replay(inbox_worker_of(bot.app))
    # The credit key makes the second run a no-op at Quran.com.
    assert len(bot.fake_qf.api_requests("POST", r"/v1/activity-days$")) == 1


async def test_replayed_goal_creates_one_goal_and_confirms_once(bot: BotHarness) -> None:
    before = len(bot.world.calls)
    update_id = await through_inbox(bot, "/goal 15min")
    first = visible_calls(bot, before)
    await crash_before_done(bot, update_id)
    await replay(inbox_worker_of(bot.app))
    assert visible_calls(bot, before) == first
    assert len(bot.fake_qf.users[DEMO_SUB].goals) == 1


async def test_replayed_goal_whose_answer_was_not_recorded_keeps_one_goal(
    bot: BotHarness,
) -> None:
    update_id = await through_inbox(bot, "/goal 15min")
    await crash_before_done(bot, update_id, sent_recorded=False)
    await replay(inbox_worker_of(bot.app))
    assert len(bot.fake_qf.users[DEMO_SUB].goals) == 1


async def test_replayed_note_saves_one_note_and_confirms_once(bot: BotHarness) -> None:
    before = len(bot.world.calls)
    update_id = await through_inbox(bot, "/note 2:255 The Throne Verse")
    first = visible_calls(bot, before)
    assert len(bot.fake_qf.users[DEMO_SUB].notes) == 1
    await crash_before_done(bot, update_id)
    await replay(inbox_worker_of(bot.app))
    assert visible_calls(bot, before) == first
    assert len(bot.fake_qf.users[DEMO_SUB].notes) == 1


async def test_replayed_note_whose_answer_was_not_recorded_keeps_one_note(
    bot: BotHarness,
) -> None:
    update_id = await through_inbox(bot, "/note 2:255 The Throne Verse")
    await crash_before_done(bot, update_id, sent_recorded=False)
    await replay(inbox_worker_of(bot.app))
    assert len(bot.fake_qf.users[DEMO_SUB].notes) == 1


async def test_a_chat_flood_does_not_delay_another_chat(bot: BotHarness) -> None:
    """One update per chat runs at a time, so a long backlog holds one slot, not all of them."""
    worker = inbox_worker_of(bot.app)
    flood: list[Update] = []
    for _ in range(60):
        await bot.world.user_sends(DEMO_USER.id, DEMO_USER, "/help")
        flood.append(Update.de_json(bot.world.next_update_dict(), bot.app.bot))
    other = 7007
    friend = FakeUser(other, "Bilal")
    bot.world.add_private_chat(friend)
    await bot.world.user_sends(other, friend, "/help")
    late = Update.de_json(bot.world.next_update_dict(), bot.app.bot)
    await worker.accept(flood)
    await worker.accept([late])
    await bot.world.wait_for(lambda: bool(bot.world.sent(other)), 10)
    answered_in_flood = len(bot.world.sent(DEMO_USER.id))
    await worker.idle()
    # The other chat was answered while the flood was still being worked off.
    assert answered_in_flood < len(bot.world.sent(DEMO_USER.id))
