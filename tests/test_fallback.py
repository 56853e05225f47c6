"""Nothing goes unanswered in a private chat: typos, stray text and verses typed on their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from handlers.timezone.buttons import SetZone
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.telegram_world import FakeUser, TelegramWorld


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
    assert "/read 2:255-257" in reply["text"]
    assert "/note 2:255-257" in reply["text"]


async def test_a_single_verse_typed_alone_is_suggested_in_its_short_form(
    bot: BotHarness,
) -> None:
    (reply,) = await bot.send("2:255")
    assert "/read 2:255 " in reply["text"] and "/note 2:255 " in reply["text"]
    assert "2:255-2:255" not in reply["text"]
    (across,) = await bot.send("2:285-3:2")
    assert "/read 2:285-3:2" in across["text"]


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


# --- a place typed by someone without a timezone ----------------------------------------------


@pytest.fixture
async def newcomer(tmp_path: Path) -> AsyncIterator[BotHarness]:
    """Linked, but never asked for a timezone (or the question timed out long ago)."""
    async with BotHarness(tmp_path) as harness:
        await harness.link_account()
        yield harness


async def stored_timezone(bot: BotHarness) -> str | None:
    settings = await bot.deps.chats.get(DEMO_USER.id)
    return settings.timezone if settings else None


async def test_a_place_typed_without_a_timezone_is_offered_not_set(newcomer: BotHarness) -> None:
    (offer,) = await newcomer.send("Cairo")
    assert "not sure" not in offer["text"]
    assert [data for _, data in TelegramWorld.buttons(offer)] == [SetZone("Africa/Cairo").pack()]
    assert await stored_timezone(newcomer) is None
    # The timezone module's buttons work without its conversation being open.
    await newcomer.press("Africa/Cairo")
    assert await stored_timezone(newcomer) == "Africa/Cairo"


async def test_short_replies_are_not_taken_for_country_codes(newcomer: BotHarness) -> None:
    (reply,) = await newcomer.send("no")  # also Norway's code
    assert "not sure" in reply["text"]
    assert TelegramWorld.buttons(reply) == []


async def test_a_place_typed_with_a_timezone_stored_changes_nothing(bot: BotHarness) -> None:
    (reply,) = await bot.send("Cairo")
    assert "not sure" in reply["text"]
    settings = await bot.deps.chats.get(DEMO_USER.id)
    assert settings is not None and settings.timezone == "Asia/Riyadh"


async def test_group_help_lists_the_commands_that_work_in_groups(bot: BotHarness) -> None:
    admin = FakeUser(7001, "Bilal")
    bot.world.add_group(-4001, "Reading circle", admins=[admin])
    (help_text,) = await bot.send("/help", user=admin, chat_id=-4001)
    for command in ("/today", "/read", "/progress", "/privacy", "/reminders"):
        assert command in help_text["text"]
    assert "/goal " not in help_text["text"]  # goals are set in the private chat


# An unknown prefix, no prefix at all, the login button of the release before the callback
# registry, and data no client of ours ever sent.
@pytest.mark.parametrize("data", ["zz.retired:1", "nonsense", "acct:login", "ي" * 20])
async def test_unknown_button_gets_no_longer_valid(bot: BotHarness, data: str) -> None:
    [help_message] = await bot.send("/help")
    assert await bot.press_data(data, message=help_message) == []
    [answer] = bot.world.answered_callbacks
    assert answer.text == "This button is no longer valid."
