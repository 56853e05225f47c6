"""Wording as a user meets it, in English and Arabic: one retry label, "kept" only when
something was typed, no "replaces" for the same goal, plurals, the One-juz preset said as a
juz, the Arabic fixes (back arrow, grammar, examples) and the Arabic goal one-liners."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from harness_support import linked_bot

from bot.domain.goals import GoalInputError, GoalSpec, GoalType, parse_goal_command
from bot.i18n import Translator, get_translator
from sandbox.harness import BotHarness
from sandbox.quran_foundation import DEMO_SUB, Goal
from sandbox.telegram import FakeUser

ARABIC_USER = FakeUser(3001, "Bilal", username="bilal", language_code="ar")
ACTIVITY_FAULT = r"/v1/activity-days$"

JSONDict = dict[str, Any]


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with linked_bot(tmp_path) as harness:
        yield harness


@pytest.fixture
async def arabic(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with linked_bot(tmp_path) as harness:
        await harness.link_account(ARABIC_USER)
        await harness.set_timezone("Africa/Cairo", chat_id=ARABIC_USER.id)
        yield harness


def text_of(message: JSONDict) -> str:
    return str(message.get("text") or "")


def labels(bot: BotHarness, message: JSONDict) -> list[str]:
    return [label for label, _ in bot.world.buttons(message)]


def goals_of(bot: BotHarness, sub: str = DEMO_SUB) -> list[Goal]:
    return list(bot.fake_qf.users[sub].goals.values())


def arabic_sub(bot: BotHarness) -> str:
    return next(sub for sub in bot.fake_qf.users if sub != DEMO_SUB)


def ar() -> Translator:
    return get_translator("ar")


# --- retry and "kept" -------------------------------------------------------------------------


async def test_a_failed_read_offers_the_one_retry_label_and_says_it_is_kept(
    bot: BotHarness,
) -> None:
    bot.fake_qf.fail_next(503, method="POST", path=ACTIVITY_FAULT)
    (reply,) = await bot.send("/read 2:1-2:10 5min")
    assert labels(bot, reply) == ["🔁 Try again"]
    assert "What you entered is kept." in text_of(reply)


async def test_a_failed_today_press_does_not_claim_anything_was_kept(bot: BotHarness) -> None:
    bot.fake_qf.fail_next(500, path="get-todays-plan")
    (reply,) = await bot.send("/today")
    assert labels(bot, reply)[0] == "🔁 Try again"
    assert "kept" not in text_of(reply)


async def test_a_failed_note_save_offers_the_same_retry_label(bot: BotHarness) -> None:
    bot.fake_qf.fail_next(503, method="POST", path=r"/v1/notes$", times=3)
    replies = await bot.send("/note 2:255 Written while Quran.com was busy")
    assert labels(bot, replies[-1]) == ["🔁 Try again"]
    assert "What you entered is kept." in text_of(replies[-1])


async def test_arabic_retry_label_and_kept_sentence(arabic: BotHarness) -> None:
    arabic.fake_qf.fail_next(503, method="POST", path=ACTIVITY_FAULT)
    (reply,) = await arabic.send("/read 2:1-2:10 5min", user=ARABIC_USER)
    assert labels(arabic, reply) == ["🔁 حاول مجددًا"]
    assert "ما أدخلته محفوظ." in text_of(reply)


# --- goals ------------------------------------------------------------------------------------


async def test_setting_the_same_goal_again_does_not_say_it_replaces_itself(
    bot: BotHarness,
) -> None:
    await bot.send("/goal 10min")
    (again,) = await bot.send("/goal 10min")
    assert "✅ Goal set: 10 minutes a day." in text_of(again)
    assert "replaces" not in text_of(again)
    (other,) = await bot.send("/goal 15min")
    assert "It replaces your previous goal: 10 minutes a day." in text_of(other)


async def test_one_page_is_said_in_the_singular(bot: BotHarness) -> None:
    (reply,) = await bot.send("/goal 1 page")
    assert "1 page a day" in text_of(reply)
    (today,) = await bot.send("/today")
    assert "Today's target: 1 page" in text_of(today)
    assert "1 pages" not in text_of(today)


async def test_one_juz_preset_is_described_as_a_juz(bot: BotHarness) -> None:
    await bot.send("/goal")
    (preview,) = await bot.press("One juz a day")
    assert "1 juz (20 pages) a day" in text_of(preview)
    (done,) = await bot.press("Confirm")
    assert "1 juz (20 pages) a day" in text_of(done)


async def test_one_juz_preset_in_arabic_is_a_juz(arabic: BotHarness) -> None:
    await arabic.send("/goal", user=ARABIC_USER)
    (preview,) = await arabic.press(
        ar().gettext("One juz a day"), user=ARABIC_USER
    )
    assert "جزء واحد (‏٢٠ صفحة)" in text_of(preview)


# --- Arabic fixes -----------------------------------------------------------------------------


def test_arabic_back_arrow_points_right() -> None:
    assert ar().gettext("⬅️ Back") == "➡️ رجوع"


def test_arabic_reminder_skip_line_agrees_with_its_noun() -> None:
    text = ar().gettext("Days when your goal is already complete are skipped.")
    assert "الأيام التي يكتمل فيها هدفك" in text


async def test_arabic_help_shows_arabic_examples(arabic: BotHarness) -> None:
    (reply,) = await arabic.send("/help", user=ARABIC_USER)
    assert "/read الملك" in text_of(reply)
    assert "/read صفحة 5" in text_of(reply)


# --- goal one-liners --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ختمة في شهر", GoalSpec(GoalType.QURAN_RANGE, "1:1-114:6", 30)),
        ("khatm in a month", GoalSpec(GoalType.QURAN_RANGE, "1:1-114:6", 30)),
        ("ختمة في شهرين", GoalSpec(GoalType.QURAN_RANGE, "1:1-114:6", 60)),
        ("ربع حزب يوميا", GoalSpec(GoalType.QURAN_PAGES, 3)),
        ("a quarter hizb a day", GoalSpec(GoalType.QURAN_PAGES, 3)),
        ("حزب يوميا", GoalSpec(GoalType.QURAN_PAGES, 10)),
    ],
)
def test_goal_one_liners_in_english_and_arabic(text: str, expected: GoalSpec) -> None:
    assert parse_goal_command(text) == expected


@pytest.mark.parametrize("text", ["الكهف كل جمعة", "kahf every friday", "الكهف يوم الجمعة"])
def test_a_weekly_goal_is_explained(text: str) -> None:
    with pytest.raises(GoalInputError) as caught:
        parse_goal_command(text)
    assert caught.value.code == "weekly"


async def test_arabic_one_liners_set_goals(arabic: BotHarness) -> None:
    (khatm,) = await arabic.send("/goal ختمة في شهر", user=ARABIC_USER)
    assert "✅" in text_of(khatm)
    (goal,) = goals_of(arabic, arabic_sub(arabic))
    assert (goal.type, goal.amount, goal.duration) == ("QURAN_RANGE", "1:1-114:6", 30)
    await arabic.send("/goal ربع حزب يوميا", user=ARABIC_USER)
    (goal,) = goals_of(arabic, arabic_sub(arabic))
    assert (goal.type, goal.amount) == ("QURAN_PAGES", 3)


async def test_al_kahf_every_friday_points_to_a_friday_reminder(arabic: BotHarness) -> None:
    (reply,) = await arabic.send("/goal الكهف كل جمعة", user=ARABIC_USER)
    assert "/remind 10:00 الجمعة" in text_of(reply)
    assert "/goal الكهف" in text_of(reply)
    assert goals_of(arabic, arabic_sub(arabic)) == []
