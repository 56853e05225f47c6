"""The /settings panel: language, default mushaf and timezone, as a stateless inline panel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.mushafs import MUSHAF_IDS
from bot.i18n import get_translator
from handlers.settings.buttons import ChooseMushaf
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.telegram_world import TelegramWorld

pytestmark = pytest.mark.timeout(60)

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with BotHarness(tmp_path, clock=lambda: NOW) as harness:
        yield harness


async def test_panel_shows_the_current_settings(bot: BotHarness) -> None:
    await bot.set_timezone("Asia/Riyadh")
    messages = await bot.send("/settings")
    text = messages[0]["text"]
    assert "Language: English" in text
    assert "Mushaf: Madani, King Fahd Complex print of 1405 AH (QCF V1)" in text
    assert "Timezone: Asia/Riyadh (UTC+03:00)" in text
    labels = [label for label, _ in TelegramWorld.buttons(messages[0])]
    assert labels == ["🌐 Language", "📖 Mushaf", "🕒 Timezone", "Done"]


async def test_mushaf_menu_lists_all_nine_and_saves_the_choice(bot: BotHarness) -> None:
    await bot.send("/settings")
    menu = await bot.press("Mushaf")
    buttons = TelegramWorld.buttons(menu[0])
    assert [data for _, data in buttons[:-1]] == [ChooseMushaf(i).pack() for i in MUSHAF_IDS]
    assert buttons[1][0].startswith("✓ ")  # the default, mushaf 2

    panel = await bot.press("IndoPak, 16 lines")
    settings = await bot.deps.chats.get(DEMO_USER.id)
    assert settings is not None and settings.mushaf_id == 7
    assert "Mushaf: IndoPak, 16 lines" in panel[0]["text"]
    assert panel[0]["message_id"] == menu[0]["message_id"]  # edited in place


async def test_choosing_arabic_stores_it_and_redraws_in_arabic(bot: BotHarness) -> None:
    await bot.send("/settings")
    await bot.press("Language")
    panel = await bot.press("العربية")
    settings = await bot.deps.chats.get(DEMO_USER.id)
    assert settings is not None and settings.language == "ar"
    assert "العربية" in panel[0]["text"]


async def test_language_page_is_the_language_panel_with_a_way_back(bot: BotHarness) -> None:
    await bot.send("/settings")
    page = await bot.press("Language")
    buttons = TelegramWorld.buttons(page[0])
    assert [data for _, data in buttons] == ["lang:en", "lang:ar", "lang:auto", "set:main"]
    assert buttons[2][0].startswith("✓ ")  # nothing stored: following the Telegram app


async def test_language_chosen_in_settings_also_sets_the_chat_command_menu(
    bot: BotHarness,
) -> None:
    await bot.send("/settings")
    await bot.press("Language")
    await bot.press("العربية")
    menu = bot.world.commands({"type": "chat", "chat_id": DEMO_USER.id})
    assert menu and all(command["description"] for command in menu)
    help_entry = next(command for command in menu if command["command"] == "help")
    assert help_entry["description"] == get_translator("ar").gettext("What this bot can do")
    assert help_entry["description"] != "What this bot can do"


async def test_forged_choices_change_nothing(bot: BotHarness) -> None:
    await bot.send("/settings")
    await bot.press_data("lang:xx")
    # Well-formed, but no mushaf the bot offers (one retired since the panel was sent).
    await bot.press_data(ChooseMushaf(99).pack())
    settings = await bot.deps.chats.get(DEMO_USER.id)
    assert settings is not None
    assert settings.mushaf_id == 2 and settings.language is None
    assert "no longer available" in (bot.world.answered_callbacks[-1].text or "")


@pytest.mark.parametrize(
    "data",
    [
        f"set.mushaf:{2**70}",  # beyond any id (and any database integer)
        "set.mushaf:-2",
        "set.mushaf:07",  # a second spelling of 7
        "set.mushaf:7:7",
        "set:nowhere",  # a page the panel does not have
        "set:lang:ar",  # the language buttons of an older panel
        "set.close:now",
    ],
)
async def test_forged_presses_are_no_longer_valid_and_change_nothing(
    bot: BotHarness, data: str
) -> None:
    [panel] = await bot.send("/settings")
    before = bot.world.message(DEMO_USER.id, panel["message_id"])
    assert await bot.press_data(data) == []
    settings = await bot.deps.chats.get(DEMO_USER.id)
    assert settings is not None
    assert settings.mushaf_id == 2 and settings.language is None
    assert bot.world.answered_callbacks[-1].text == "This button is no longer valid."
    assert bot.world.message(DEMO_USER.id, panel["message_id"]) == before


async def test_back_returns_to_the_panel_and_done_closes_it(bot: BotHarness) -> None:
    await bot.send("/settings")
    await bot.press("Language")
    panel = await bot.press("Back")
    assert "Your settings" in panel[0]["text"]
    closed = await bot.press("Done")
    assert TelegramWorld.buttons(closed[0]) == []


async def test_timezone_button_opens_the_timezone_question(bot: BotHarness) -> None:
    await bot.send("/settings")
    question = await bot.press("Timezone")
    assert "Type your city or country" in question[-1]["text"]
    await bot.send("Istanbul")
    settings = await bot.deps.chats.get(DEMO_USER.id)
    assert settings is not None and settings.timezone == "Europe/Istanbul"


async def test_the_panel_works_after_a_restart(bot: BotHarness) -> None:
    await bot.send("/settings")
    await bot.restart()
    await bot.press("Mushaf")
    await bot.press("Uthmani Hafs")
    settings = await bot.deps.chats.get(DEMO_USER.id)
    assert settings is not None and settings.mushaf_id == 4


async def test_settings_in_a_group_points_to_the_private_chat(bot: BotHarness) -> None:
    bot.world.add_group(-100800, "Circle", members=[DEMO_USER])
    messages = await bot.send("/settings", chat_id=-100800)
    assert "private chat" in messages[0]["text"]
    assert [target for _, target in TelegramWorld.buttons(messages[0])] == [
        "https://t.me/QuranCompanionBot"
    ]
