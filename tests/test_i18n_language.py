"""/language: per user in private chats, per group by its admins, re-checked on every press."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import LRI, PDI, RLM
from handlers.language.buttons import OpenLanguagePanel
from handlers.language.panel import choice_from_text
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.telegram_world import FakeUser

GROUP = -100500
ADMIN = FakeUser(2001, "Khadija", username="khadija", language_code="en")
MEMBER = FakeUser(2002, "Yusuf", username="yusuf", language_code="en")
ARABIC_USER = FakeUser(2003, "Bilal", username="bilal", language_code="ar")


def _group(bot: BotHarness) -> None:
    bot.world.add_group(GROUP, "Halaqa", admins=[ADMIN], members=[MEMBER])


async def _stored(bot: BotHarness, chat_id: int) -> str | None:
    settings = await bot.deps.chats.get(chat_id)
    return settings.language if settings is not None else None


async def test_private_choice_is_stored_and_answered_in_the_new_language(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        [panel] = await bot.send("/language")
        labels = [label for label, _ in bot.world.buttons(panel)]
        assert "English" in labels and "العربية" in labels
        assert "Telegram app's language: English" in panel["text"]

        [confirmation] = await bot.press("العربية")
        assert await _stored(bot, DEMO_USER.id) == "ar"
        assert "العربية" in confirmation["text"] and "Language" not in confirmation["text"]
        assert bot.world.answered_callbacks[-1].text is None

        # Every later reply follows the choice, although the Telegram app is in English.
        [help_reply] = await bot.send("/help")
        assert "Log what you read" not in help_reply["text"]
        assert any("\u0600" <= ch <= "\u06ff" for ch in help_reply["text"])


async def test_choice_survives_a_restart(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        await bot.send("/language arabic")
        await bot.restart()
        [panel] = await bot.send("/language")
        assert "✓ العربية" in [label for label, _ in bot.world.buttons(panel)]
        assert RLM in panel["text"] and "English" not in panel["text"]


async def test_telegram_language_code_is_used_until_a_choice_is_made(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, user=ARABIC_USER) as bot:
        [panel] = await bot.send("/language", user=ARABIC_USER)
        assert "تطبيق تيليجرام" in panel["text"]
        assert await _stored(bot, ARABIC_USER.id) is None

        [confirmation] = await bot.press("English", user=ARABIC_USER)
        assert confirmation["text"] == "✅ Language set to English."
        assert await _stored(bot, ARABIC_USER.id) == "en"

        # "Same as my Telegram app" clears the choice: Arabic again, from language_code.
        await bot.send("/language", user=ARABIC_USER)
        [back] = await bot.press("Same as my Telegram app", user=ARABIC_USER)
        assert await _stored(bot, ARABIC_USER.id) is None
        assert f"{LRI}العربية{PDI}" not in back["text"]  # isolation is only for LTR runs
        assert "العربية" in back["text"] and back["text"].startswith(RLM)


async def test_typed_language_names_and_codes_are_understood() -> None:
    assert choice_from_text("ar") == "ar"
    assert choice_from_text("ar-SA") == "ar"
    assert choice_from_text("Arabic") == "ar"
    assert choice_from_text("العربية") == "ar"
    assert choice_from_text("الإنجليزية") == "en"
    assert choice_from_text("ENGLISH") == "en"
    assert choice_from_text("auto") == "auto"
    assert choice_from_text("klingon") is None


async def test_unknown_language_argument_shows_the_panel_and_changes_nothing(
    tmp_path: Path,
) -> None:
    async with BotHarness(tmp_path) as bot:
        [reply] = await bot.send("/language <b>klingon</b>")
        assert "I don't speak “<b>klingon</b>” yet." in reply["text"]  # escaped, shown as typed
        assert "English" in [label for label, _ in bot.world.buttons(reply)]
        assert await _stored(bot, DEMO_USER.id) is None


async def test_private_choice_sets_the_chats_command_menu_in_that_language(
    tmp_path: Path,
) -> None:
    async with BotHarness(tmp_path) as bot:
        await bot.send("/language ar")
        scope = {"type": "chat", "chat_id": DEMO_USER.id}
        menu = {c["command"]: c["description"] for c in bot.world.commands(scope)}
        assert {"goal", "read", "language"} <= set(menu)
        assert all(any("\u0600" <= ch <= "\u06ff" for ch in d) for d in menu.values())

        await bot.send("/language auto")
        assert bot.world.commands(scope) == []


async def test_group_admin_sets_the_group_language_for_everyone(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        _group(bot)
        [panel] = await bot.send("/language", user=ADMIN, chat_id=GROUP)
        assert "each member in their own Telegram language" in panel["text"]
        [confirmation] = await bot.press("العربية", user=ADMIN, chat_id=GROUP)
        assert await _stored(bot, GROUP) == "ar"
        assert "العربية" in confirmation["text"]
        # The member's own setting is untouched, but in the group they now read Arabic.
        assert await _stored(bot, ADMIN.id) is None
        [help_reply] = await bot.send("/help", user=MEMBER, chat_id=GROUP)
        assert any("\u0600" <= ch <= "\u06ff" for ch in help_reply["text"])
        group_menu = bot.world.commands({"type": "chat", "chat_id": GROUP})
        assert "goal" not in {c["command"] for c in group_menu}


async def test_group_member_cannot_open_or_use_the_panel(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        _group(bot)
        [refusal] = await bot.send("/language ar", user=MEMBER, chat_id=GROUP)
        assert "Only the group's admins" in refusal["text"]
        assert bot.world.buttons(refusal) == []
        assert await _stored(bot, GROUP) is None

        # A member pressing an admin's panel is refused with an alert and nothing changes.
        [panel] = await bot.send("/language", user=ADMIN, chat_id=GROUP)
        assert await bot.press("العربية", user=MEMBER, chat_id=GROUP, message=panel) == []
        answer = bot.world.answered_callbacks[-1]
        assert answer.show_alert and answer.text and "admins" in answer.text
        assert await _stored(bot, GROUP) is None


async def test_admin_demoted_after_opening_the_panel_is_refused(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        _group(bot)
        await bot.send("/language", user=ADMIN, chat_id=GROUP)
        bot.world.set_member_status(GROUP, ADMIN, "member")
        await bot.press("العربية", user=ADMIN, chat_id=GROUP)
        assert bot.world.answered_callbacks[-1].show_alert
        assert await _stored(bot, GROUP) is None


async def test_anonymous_admin_can_open_the_group_panel(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        _group(bot)
        await bot.world.anonymous_admin_sends(GROUP, "/language ar")
        [confirmation] = await bot.process_pending()
        assert await _stored(bot, GROUP) == "ar"
        assert "العربية" in confirmation["text"]


@pytest.mark.parametrize(
    "data",
    ["lang:xx", "lang:EN", "lang:en-US", "lang:", "lang:ar:ar", "lang:../ar", "lang.menu:ar"],
)
async def test_forged_button_data_changes_nothing(tmp_path: Path, data: str) -> None:
    async with BotHarness(tmp_path) as bot:
        await bot.send("/language")
        assert await bot.press_data(data) == []
        assert await _stored(bot, DEMO_USER.id) is None
        assert "no longer valid" in (bot.world.answered_callbacks[-1].text or "")
        assert not bot.world.commands({"type": "chat", "chat_id": DEMO_USER.id})


async def test_menu_button_from_another_panel_opens_the_language_panel(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        await bot.send("/help")
        [panel] = await bot.press_data(OpenLanguagePanel().pack())
        assert "English" in [label for label, _ in bot.world.buttons(panel)]


async def test_edited_language_command_does_not_run_again(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        sent = await bot.world.user_sends(DEMO_USER.id, DEMO_USER, "/language ar")
        await bot.process_pending()
        await bot.deps.chats.update(DEMO_USER.id, language="en")
        await bot.world.user_edits(DEMO_USER.id, DEMO_USER, sent["message_id"], "/language ar")
        assert await bot.process_pending() == []
        assert await _stored(bot, DEMO_USER.id) == "en"
