"""What an Arabic-speaking user actually receives: Arabic text, Arabic-Indic digits, verse keys
isolated so they are not reordered inside the right-to-left sentence, and Arabic surah names."""

from __future__ import annotations

import re
from pathlib import Path

from bot.i18n import LRI, PDI
from bot.presentation.login_pages import callback_page
from bot.services.linking import complete_login, start_login
from sandbox.harness import BotHarness
from sandbox.telegram_world import FakeUser

ARABIC_USER = FakeUser(3001, "Bilal", username="bilal", language_code="ar")
_ISOLATED = re.compile(f"{LRI}[^{PDI}]*{PDI}")


def _arabic_letters(text: str) -> int:
    return sum(1 for ch in text if "\u0621" <= ch <= "\u064a")


def _outside_isolates(text: str) -> str:
    return _ISOLATED.sub("", text)


async def test_reading_is_confirmed_in_arabic_with_isolated_verse_keys(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, user=ARABIC_USER) as bot:
        sub = await bot.link_account(ARABIC_USER)
        await bot.set_timezone("Africa/Cairo", chat_id=ARABIC_USER.id)
        [reply] = await bot.send("/read 2:255-257 5min", user=ARABIC_USER)
        text = reply["text"]
        assert _arabic_letters(text) > 10
        assert f"{LRI}٢:٢٥٥–٢٥٧{PDI}" in text  # the range, kept in reading order
        assert "٥" in text  # five minutes, in Arabic-Indic digits
        # Outside the isolated runs no Latin digit is left to be reordered.
        assert not re.search(r"[0-9]", _outside_isolates(text))
        assert bot.fake_qf.users[sub].activity_days
        assert bot.fake_qf.validation_errors == []


async def test_verse_errors_are_arabic_with_isolated_keys(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, user=ARABIC_USER) as bot:
        await bot.link_account(ARABIC_USER)
        await bot.set_timezone("Africa/Cairo", chat_id=ARABIC_USER.id)
        replies = await bot.send("/read 2:10-2:5", user=ARABIC_USER)
        text = "\n".join(r["text"] for r in replies)
        assert f"{LRI}٢:١٠{PDI}" in text and f"{LRI}٢:٥{PDI}" in text
        assert "ضع الآية الأسبق أولًا" in text


async def test_surah_names_are_arabic_in_arabic_replies(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, user=ARABIC_USER) as bot:
        await bot.link_account(ARABIC_USER)
        await bot.set_timezone("Africa/Cairo", chat_id=ARABIC_USER.id)
        replies = await bot.send("/read mulkh", user=ARABIC_USER)
        text = "\n".join(r["text"] for r in replies)
        assert "الملك" in text and "Al-Mulk" not in text


async def test_help_and_menus_are_arabic_for_an_arabic_telegram_app(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, user=ARABIC_USER) as bot:
        [help_reply] = await bot.send("/help", user=ARABIC_USER)
        assert "ما أستطيع فعله" in help_reply["text"]
        arabic_menu = bot.world.commands({"type": "all_private_chats"}, language_code="ar")
        english_menu = bot.world.commands({"type": "all_private_chats"})
        assert [c["command"] for c in arabic_menu] == [c["command"] for c in english_menu]
        assert all(_arabic_letters(c["description"]) for c in arabic_menu)
        group_menu = bot.world.commands({"type": "all_group_chats"}, language_code="ar")
        assert group_menu and all(_arabic_letters(c["description"]) for c in group_menu)


async def test_oauth_callback_page_is_arabic_and_right_to_left(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, user=ARABIC_USER) as bot:
        link = await start_login(
            bot.deps, telegram_user_id=ARABIC_USER.id, chat_id=ARABIC_USER.id, language="ar"
        )
        state = re.search(r"[?&]state=([^&]+)", link.url)
        assert state is not None
        outcome = await complete_login(
            bot.deps, {"state": state.group(1), "error": "access_denied"}
        )
        page = callback_page(outcome)
        assert 'dir="rtl"' in page and 'lang="ar"' in page
        assert "أُلغي الربط" in page
