"""Chat settings are read once per update, and a change made in the update is seen at once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event

from sandbox.harness import BotHarness
from storage.update_scope import update_scope


class ChatReads:
    """Counts SELECTs on the chats table sent to the database."""

    def __init__(self, harness: BotHarness) -> None:
        self.count = 0
        event.listen(
            harness.deps.database.engine.sync_engine, "before_cursor_execute", self._seen
        )

    def _seen(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().startswith("SELECT chats."):
            self.count += 1


async def test_today_reads_its_chat_settings_once(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        await bot.link_account()
        await bot.set_timezone("Asia/Riyadh")
        await bot.send("/goal 15min")
        reads = ChatReads(bot)
        replies = await bot.send("/today")
    assert replies, "the plan was answered"
    # Three layers ask (translator, chat registration, timezone check); one read serves all.
    assert reads.count == 1


async def test_a_setting_changed_in_the_update_is_seen_by_the_rest_of_it(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        chats = bot.deps.chats
        await chats.ensure(42, "private", "Amina")
        with update_scope():
            assert (await chats.get(42)) is not None
            await chats.update(42, language="ar")
            seen = await chats.get(42)
            assert seen is not None and seen.language == "ar"
            await chats.set_active(42, False)
            seen = await chats.get(42)
            assert seen is not None and not seen.active


async def test_outside_an_update_every_read_goes_to_the_database(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        await bot.deps.chats.ensure(43, "private", "Bilal")
        reads = ChatReads(bot)
        await bot.deps.chats.get(43)
        await bot.deps.chats.get(43)
    assert reads.count == 2
