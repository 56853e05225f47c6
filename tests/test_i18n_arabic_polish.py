"""Arabic details across flows: lists with the Arabic comma, counts in the right plural form
with grouped digits, /help lines that read right to left, and zones and clock times that keep
their shape inside Arabic sentences."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.i18n import LRI, PDI, RLM, get_translator
from bot.presentation.notes import describe_ranges
from sandbox.harness import BotHarness
from sandbox.telegram import FakeUser, TelegramWorld

pytestmark = pytest.mark.timeout(60)

ARABIC_USER = FakeUser(3101, "Maryam", username="maryam", language_code="ar")
NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
AR = get_translator("ar")
EN = get_translator("en")


def test_lists_use_the_arabic_comma_and_english_conjunctions() -> None:
    assert AR.join(["الملاحظات", "سلاسل القراءة", "الأهداف"]) == "الملاحظات، سلاسل القراءة، الأهداف"
    assert EN.join(["notes", "streaks", "reading goals"]) == "notes, streaks, and reading goals"
    assert EN.join(["notes", "streaks"]) == "notes and streaks"
    assert EN.join(["notes"]) == "notes" and EN.join([]) == ""


def test_unreadable_range_keys_are_listed_the_languages_way() -> None:
    assert describe_ranges(["x:1", "y:2"], AR) == "x:1، y:2"
    assert describe_ranges(["x:1", "y:2"], EN) == "x:1 and y:2"


def test_a_count_shown_with_grouping_still_picks_the_form_by_its_value() -> None:
    text = EN.ngettext("{n} character", "{n} characters", 1234, n="1,234")
    assert text == "1,234 characters"
    assert EN.ngettext("{n} character", "{n} characters", 1, n="1") == "1 character"


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "(حرف واحد)"),
        (2, "(حرفان)"),
        (7, "(٧ أحرف)"),
        (44, "(٤٤ حرفًا)"),
        (100, "(١٠٠ حرف)"),
        (2500, "(٢٬٥٠٠ حرف)"),
    ],
)
def test_note_lengths_take_the_arabic_plural_form(count: int, expected: str) -> None:
    shown = f"{count:,}".replace(",", "٬")
    text = AR.ngettext(
        "Continue your draft ({n} character)",
        "Continue your draft ({n} characters)",
        count,
        n=AR.number(shown),
    )
    assert expected in text


async def test_saved_note_counts_its_characters_in_arabic(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, user=ARABIC_USER) as bot:
        await bot.link_account(ARABIC_USER)
        saved = await bot.send(
            "/note 2:255-257 The Throne Verse: His Kursi extends over all", user=ARABIC_USER
        )
        text = saved[-1]["text"]
        assert "(٤٤ حرفًا)" in text and "حُفظت ملاحظتك" in text
        assert bot.fake_qf.validation_errors == []


async def test_arabic_help_lines_start_right_to_left_with_isolated_commands(
    tmp_path: Path,
) -> None:
    async with BotHarness(tmp_path, user=ARABIC_USER) as bot:
        [reply] = await bot.send("/help", user=ARABIC_USER)
        lines = reply["text"].split("\n")
        commands = lines[1:]
        assert commands and all(line.startswith(f"{RLM}{LRI}/") for line in commands)
        assert f"{LRI}/today{PDI} — " in reply["text"]


async def test_english_help_has_no_direction_marks(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        [reply] = await bot.send("/help")
        assert "\n/today — " in reply["text"]
        assert not re.search(f"[{LRI}{PDI}{RLM}]", reply["text"])


async def test_arabic_timezone_confirmation_isolates_the_zone_and_uses_arabic_digits(
    tmp_path: Path,
) -> None:
    async with BotHarness(tmp_path, user=ARABIC_USER, clock=lambda: NOW) as bot:
        [reply] = await bot.send("/timezone Cairo", user=ARABIC_USER)
        text = reply["text"]
        assert f"{LRI}Africa/Cairo (UTC+02:00){PDI}" in text
        assert f"{LRI}١١:٣٠{PDI}" in text  # 09:30 UTC is 11:30 in Cairo
        settings = await bot.deps.chats.get(ARABIC_USER.id)
        assert settings is not None and settings.timezone == "Africa/Cairo"


async def test_withheld_permissions_are_listed_with_the_arabic_comma(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, user=ARABIC_USER) as bot:
        bot.fake_qf.withheld_scopes = {"note", "streak"}
        [offer] = await bot.send("/login", user=ARABIC_USER)
        url = next(target for _, target in TelegramWorld.buttons(offer)
                   if target and target.startswith("http"))
        await bot.follow_login_link(url)
        linked = bot.world.texts(ARABIC_USER.id)[-1]
        features = {AR.gettext("notes"), AR.gettext("streaks")}
        assert any(f"{first}، {second}" in linked
                   for first in features for second in features - {first})


async def test_arabic_settings_panel_isolates_the_timezone(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, user=ARABIC_USER, clock=lambda: NOW) as bot:
        await bot.set_timezone("Asia/Riyadh", chat_id=ARABIC_USER.id)
        [panel] = await bot.send("/settings", user=ARABIC_USER)
        assert f"{LRI}Asia/Riyadh (UTC+03:00){PDI}" in panel["text"]
        assert "العربية" in panel["text"]
