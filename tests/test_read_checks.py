"""A /read that repeats one credited minutes ago, or that is far beyond a day's reading, is asked
about before anything is credited: Quran.com cannot take a credit back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from harness_support import linked_bot

from bot.domain.credit_checks import CreditConcern, RecentCredit, concern_about, remember_credit
from bot.domain.reading import parse_read_command
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import DEMO_SUB
from sandbox.telegram import FakeUser

TODAY = date(2026, 3, 29)
ACTIVITY = r"^/v1/activity-days$"
FRIEND = FakeUser(2002, "Bilal", username="bilal")
JSONDict = dict[str, Any]


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with linked_bot(tmp_path, today=TODAY) as harness:
        yield harness


def credit_posts(bot: BotHarness) -> list[Any]:
    return [r.json for r in bot.fake_qf.api_requests("POST", ACTIVITY)]


def text_of(message: JSONDict) -> str:
    return str(message.get("text") or "")


def labels(bot: BotHarness, message: JSONDict) -> list[str]:
    return [label for label, _ in bot.world.buttons(message)]


async def test_the_same_read_sent_twice_asks_before_crediting_again(bot: BotHarness) -> None:
    (first,) = await bot.send("/read 2:1-2:10")
    assert "✅ Credited" in text_of(first)
    (question,) = await bot.send("/read 2:1-2:10")
    assert "You already logged this reading" in text_of(question)
    assert "can't take a credit back" in text_of(question)
    assert labels(bot, question) == ["Log it again", "Cancel"]
    assert len(credit_posts(bot)) == 1
    (done,) = await bot.press("Log it again")
    assert "✅ Credited 2:1–10" in text_of(done)
    assert len(credit_posts(bot)) == 2
    # The question's button pressed once more (double tap): still credited once for it.
    await bot.press_data(str(bot.world.buttons(question)[0][1]), message=question)
    assert len(credit_posts(bot)) == 2


async def test_cancel_credits_nothing(bot: BotHarness) -> None:
    await bot.send("/read mulk")
    (question,) = await bot.send("/read 67:1-67:30")  # the same reading, typed differently
    assert "You already logged this reading" in text_of(question)
    (cancelled,) = await bot.press("Cancel")
    assert "nothing was logged" in text_of(cancelled)
    assert len(credit_posts(bot)) == 1
    log_again = str(bot.world.buttons(question)[0][1])
    await bot.press_data(log_again, message=question)
    assert bot.world.answered_callbacks[-1].text == "Nothing to log: send /read again."
    assert len(credit_posts(bot)) == 1


async def test_the_same_read_after_the_window_is_credited_at_once(bot: BotHarness) -> None:
    await bot.send("/read 2:1-2:10")
    bot.fake_qf.advance(timedelta(minutes=11))
    (reply,) = await bot.send("/read 2:1-2:10")
    assert "✅ Credited" in text_of(reply)
    assert len(credit_posts(bot)) == 2


async def test_different_reading_is_not_a_repeat(bot: BotHarness) -> None:
    await bot.send("/read 2:1-2:10")
    (reply,) = await bot.send("/read 2:11-2:20")
    assert "✅ Credited" in text_of(reply)


async def test_the_whole_quran_in_one_read_is_asked_about(bot: BotHarness) -> None:
    (question,) = await bot.send("/read 1:1-114:6")
    assert "far more than a day's reading" in text_of(question)
    assert "6,236 verses" in text_of(question)
    assert labels(bot, question) == ["Log it anyway", "Cancel"]
    assert credit_posts(bot) == []
    (done,) = await bot.press("Log it anyway")
    assert "✅ Credited" in text_of(done)
    assert len(credit_posts(bot)) == 1


async def test_many_hours_typed_are_asked_about(bot: BotHarness) -> None:
    (question,) = await bot.send("/read 5h")
    assert "far more than a day's reading (5 hours)" in text_of(question)
    assert credit_posts(bot) == []


async def test_someone_else_cannot_answer_the_question(bot: BotHarness) -> None:
    group = -100777
    bot.world.add_group(group, "Halaqa", members=[DEMO_USER, FRIEND])
    (question,) = await bot.send("/read 1:1-114:6", chat_id=group)
    assert "far more than a day's reading" in text_of(question)
    await bot.press("Log it anyway", user=FRIEND, chat_id=group, message=question)
    assert "belongs to someone else" in str(bot.world.answered_callbacks[-1].text)
    await bot.press("Cancel", user=FRIEND, chat_id=group, message=question)
    assert "belongs to someone else" in str(bot.world.answered_callbacks[-1].text)
    assert credit_posts(bot) == []
    assert bot.fake_qf.users[DEMO_SUB].activity_days == {}


async def test_arabic_question_is_in_arabic(bot: BotHarness) -> None:
    await bot.send("/language arabic")
    await bot.send("/read 2:1-2:10")
    (question,) = await bot.send("/read 2:1-2:10")
    assert "سجّلت هذه القراءة" in text_of(question)
    assert labels(bot, question) == ["سجّلها مرة أخرى", "إلغاء"]


def test_the_rule_never_calls_a_message_a_repeat_of_itself() -> None:
    now = datetime(2026, 3, 29, 9, tzinfo=UTC)
    request = parse_read_command("2:1-2:10")
    recent = remember_credit([], request, "read:1:5", now)
    assert concern_about(request, "read:1:5", recent, now) is None
    assert concern_about(request, "read:1:6", recent, now) is CreditConcern.REPEAT
    later = now + timedelta(minutes=11)
    assert concern_about(request, "read:1:6", recent, later) is None
    assert remember_credit(recent, request, "read:1:6", later)[0].message == "read:1:6"
    assert RecentCredit.from_data({"at": "garbage"}) is None


def test_large_means_more_than_three_juz_however_long_the_verses() -> None:
    now = datetime(2026, 3, 29, 9, tzinfo=UTC)
    # Al-Baqarah to An-Nisa: 662 verses, but about five juz of reading.
    assert concern_about(parse_read_command("2:1-4:176"), "m", [], now) is CreditConcern.LARGE
    # The last juz: 564 short verses, one juz, a normal day for many.
    assert concern_about(parse_read_command("78:1-114:6"), "m", [], now) is None
    assert concern_about(parse_read_command("2:1-2:286 3h"), "m", [], now) is None


async def test_i_read_it_after_the_plan_changed_credits_nothing_and_shows_it(
    bot: BotHarness,
) -> None:
    from sandbox.quran_foundation import Goal

    bot.fake_qf.users[DEMO_SUB].goals["goal-1"] = Goal(
        "goal-1", "QURAN_RANGE", "67:1-67:30", None, "QURAN", 2, TODAY
    )
    (today,) = await bot.send("/today")
    old = next(d for label, d in bot.world.buttons(today) if label == "✅ I read it")
    await bot.send("/read 67:1-67:10")  # read part of it meanwhile
    posts = len(credit_posts(bot))
    await bot.press_data(str(old), message=today)
    assert bot.world.answered_callbacks[-1].text == (
        "Today's plan has changed since; nothing was credited. Here it is now."
    )
    assert len(credit_posts(bot)) == posts
    (done, *_) = await bot.press("I read it")
    assert credit_posts(bot)[-1]["ranges"] == ["67:11-67:30"]
    assert "✅ Credited 67:11–30" in text_of(done) or "✅ Credited 67:11–30" in bot.texts()[-1]
