"""What /read makes of what was typed: bare numbers are asked about, bad times are refused,
and nothing is credited until the input is clear."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from harness_support import linked_bot

from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import DEMO_SUB
from sandbox.telegram import FakeUser

TODAY = date(2026, 3, 29)
ZONE = "Asia/Riyadh"
GROUP = -100210
FRIEND = FakeUser(2002, "Bilal", username="bilal")
ACTIVITY = r"^/v1/activity-days$"
ACTIVITY_FAULT = r"/v1/activity-days$"

JSONDict = dict[str, Any]


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with linked_bot(tmp_path, today=TODAY, zone=ZONE) as harness:
        yield harness


def credit_posts(bot: BotHarness) -> list[Any]:
    return [r.json for r in bot.fake_qf.api_requests("POST", ACTIVITY)]


def text_of(message: JSONDict) -> str:
    return str(message.get("text") or "")


def labels(bot: BotHarness, message: JSONDict) -> list[str]:
    return [label for label, _ in bot.world.buttons(message)]


def data_of(bot: BotHarness, message: JSONDict, label: str) -> str:
    return str(next(data for text, data in bot.world.buttons(message) if label in text))


# --- bare numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/read 10", "/read ١٠", "/read  10 "])
async def test_bare_number_is_asked_about_and_nothing_is_credited(
    bot: BotHarness, command: str
) -> None:
    (reply,) = await bot.send(command)
    text = text_of(reply)
    assert "Did you mean Surah 10, juz 10, or 10 minutes?" in text
    assert "I haven't credited anything yet." in text
    assert "/read 2:1-2:40 10min" in text
    assert labels(bot, reply) == ["📖 Surah 10: Yunus", "📖 Juz 10", "⏱ 10 minutes"]
    assert credit_posts(bot) == []
    assert bot.fake_qf.users[DEMO_SUB].activity_days == {}


async def test_bare_number_above_the_juz_count_offers_surah_or_minutes(bot: BotHarness) -> None:
    (reply,) = await bot.send("/read 67")
    assert "Did you mean Surah 67 or 67 minutes?" in text_of(reply)
    assert labels(bot, reply) == ["📖 Surah 67: Al-Mulk", "⏱ 67 minutes"]
    assert credit_posts(bot) == []


async def test_bare_number_that_is_no_surah_is_offered_as_minutes(bot: BotHarness) -> None:
    (reply,) = await bot.send("/read 200")
    assert "Did you mean 200 minutes?" in text_of(reply)
    assert labels(bot, reply) == ["⏱ 200 minutes"]
    assert credit_posts(bot) == []


async def test_picking_minutes_for_a_bare_number_credits_minutes_once(bot: BotHarness) -> None:
    (question,) = await bot.send("/read 10")
    surah_data = data_of(bot, question, "Surah 10")
    (done,) = await bot.press("10 minutes")
    assert done["message_id"] == question["message_id"]  # the question becomes the answer
    assert "✅ Credited 10 minutes to your Quran.com account." in text_of(done)
    assert bot.world.buttons(done) == []
    assert credit_posts(bot) == [{"type": "QURAN", "seconds": 600, "ranges": [], "mushafId": 2}]
    # Another meaning tapped on the same question (still in the client) credits nothing more.
    await bot.press_data(surah_data, message=question)
    assert len(credit_posts(bot)) == 1
    assert "already credited" in str(bot.world.answered_callbacks[-1].text)


async def test_picking_a_surah_for_a_bare_number_with_a_time_credits_both(
    bot: BotHarness,
) -> None:
    (question,) = await bot.send("/read 10 15min")
    # The time is given, so the number is a surah or a juz, not minutes.
    assert "Did you mean Surah 10 or juz 10?" in text_of(question)
    assert labels(bot, question) == ["📖 Surah 10: Yunus", "📖 Juz 10"]
    (done,) = await bot.press("Surah 10")
    assert "✅ Credited 10:1–109 (15 minutes)" in text_of(done)
    assert credit_posts(bot) == [
        {"type": "QURAN", "seconds": 900, "ranges": ["10:1-10:109"], "mushafId": 2}
    ]


async def test_picking_a_juz_for_a_bare_number_estimates_its_time(bot: BotHarness) -> None:
    await bot.send("/read 30")
    (done,) = await bot.press("Juz 30")
    assert "✅ Credited 78:1–114:6" in text_of(done)
    (post,) = credit_posts(bot)
    assert post["ranges"] == ["78:1-114:6"] and post["seconds"] > 0


async def test_bare_number_mixed_with_verses_is_asked_about_without_buttons(
    bot: BotHarness,
) -> None:
    (reply,) = await bot.send("/read 2:255, 10")
    assert "Did you mean Surah 10, juz 10, or 10 minutes?" in text_of(reply)
    assert "/read surah 10" in text_of(reply)
    assert bot.world.buttons(reply) == []
    assert credit_posts(bot) == []


@pytest.mark.parametrize(
    ("command", "ranges"),
    [
        ("/read Al-Mulk", ["67:1-67:30"]),
        ("/read surah 10", ["10:1-10:109"]),
        ("/read juz 30", ["78:1-114:6"]),
        ("/read 2:255", ["2:255-2:255"]),
        ("/read Al-Baqarah 255", ["2:255-2:255"]),
    ],
)
async def test_verses_named_unmistakably_are_credited_without_asking(
    bot: BotHarness, command: str, ranges: list[str]
) -> None:
    (reply,) = await bot.send(command)
    assert "✅ Credited" in text_of(reply)
    assert [post["ranges"] for post in credit_posts(bot)] == [ranges]


async def test_bare_number_choice_in_a_group_belongs_to_the_sender(bot: BotHarness) -> None:
    bot.world.add_group(GROUP, "Circle", members=[DEMO_USER, FRIEND])
    (question,) = await bot.send("/read 10", chat_id=GROUP)
    await bot.press("10 minutes", user=FRIEND, chat_id=GROUP)
    assert "belongs to someone else" in str(bot.world.answered_callbacks[-1].text)
    assert credit_posts(bot) == []
    (done,) = await bot.press("10 minutes", chat_id=GROUP, message=question)
    assert text_of(done) == "✅ Credited 10 minutes to Amina's Quran.com account."
    assert len(credit_posts(bot)) == 1


async def test_failed_credit_after_picking_a_meaning_can_be_retried(bot: BotHarness) -> None:
    await bot.send("/read 67")
    bot.fake_qf.fail_next(503, method="POST", path=ACTIVITY_FAULT)
    (failed,) = await bot.press("Surah 67")
    assert "temporarily unavailable" in text_of(failed)
    assert bot.fake_qf.users[DEMO_SUB].activity_days == {}
    (done,) = await bot.press("Try again")
    assert "✅ Credited 67:1–30" in text_of(done)
    assert [post["ranges"] for post in credit_posts(bot)] == [["67:1-67:30"], ["67:1-67:30"]]
    assert len(bot.fake_qf.users[DEMO_SUB].activity_days) == 1


# --- times ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/read 2:1-7 -5min", "The time can't be negative"),
        ("/read -5min", "The time can't be negative"),
        ("/read Al-Mulk −10 min", "The time can't be negative"),
        ("/read 2:1-2:7 5min 10min", "Say the time once"),
        ("/read 2:1-2:7 2000min", "That's more than a day"),
        ("/read 2:1-2:7 10", "10 what? Write the time with its unit, for example 10min."),
        ("/read 2:0", "Verses are numbered from 1, so the first verse is 2:1."),
    ],
)
async def test_unclear_times_and_verses_are_refused_and_nothing_is_credited(
    bot: BotHarness, command: str, expected: str
) -> None:
    (reply,) = await bot.send(command)
    assert expected in text_of(reply)
    assert "per day" not in text_of(reply)  # goal wording has no place in /read
    assert "has 286 verses" not in text_of(reply)
    assert credit_posts(bot) == []


async def test_a_spaced_dash_before_the_time_is_a_joiner_not_a_minus(bot: BotHarness) -> None:
    (reply,) = await bot.send("/read 2:1-2:7 - 5min")
    assert "✅ Credited 2:1–7 (5 minutes)" in text_of(reply)
    assert credit_posts(bot)[0]["seconds"] == 300


async def test_hours_and_minutes_in_one_time_still_add_up(bot: BotHarness) -> None:
    await bot.send("/read 2:1-2:7 1h 30min")
    assert credit_posts(bot)[0]["seconds"] == 5400
