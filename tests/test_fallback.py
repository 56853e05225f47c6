"""Nothing goes unanswered in a private chat: typos, stray text and verses typed on their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox.harness import BotHarness
from bot.sandbox.telegram_world import FakeUser


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with BotHarness(tmp_path) as harness:
        await harness.link_account()
        await harness.set_timezone("Asia/Riyadh")
        yield harness


async def test_unknown_command_points_to_help(bot: BotHarness) -> None:
    (reply,) = await bot.send("/readd 2:255")
    assert "I don't know /readd" in reply["text"]
    assert "/help" in reply["text"]


async def test_cancel_with_nothing_open_says_so(bot: BotHarness) -> None:
    (reply,) = await bot.send("/cancel")
    assert reply["text"] == "There is nothing to cancel."


async def test_verses_typed_alone_suggest_read_and_note(bot: BotHarness) -> None:
    (reply,) = await bot.send("2:255-257")
    assert "/read 2:255-2:257" in reply["text"]
    assert "/note 2:255-2:257" in reply["text"]


async def test_stray_text_gets_a_hint_not_silence(bot: BotHarness) -> None:
    (reply,) = await bot.send("hello there")
    assert "/help" in reply["text"]


async def test_known_commands_and_open_wizards_are_not_answered_twice(bot: BotHarness) -> None:
    replies = await bot.send("/help")
    assert len(replies) == 1
    await bot.send("/note")
    replies = await bot.send("2:255")
    assert all("not sure" not in m.get("text", "") for m in replies)
    assert all("Did you read" not in m.get("text", "") for m in replies)


async def test_groups_get_no_fallback_chatter(bot: BotHarness) -> None:
    admin = FakeUser(7001, "Bilal")
    bot.world.add_group(-4001, "Reading circle", admins=[admin])
    replies = await bot.send("/unknowncmd", user=admin, chat_id=-4001)
    assert replies == []


async def test_a_bare_number_is_not_taken_for_a_surah(bot: BotHarness) -> None:
    (reply,) = await bot.send("15")
    assert "Did you read" not in reply["text"]
    assert "/help" in reply["text"]
