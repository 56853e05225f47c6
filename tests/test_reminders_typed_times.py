"""Times as people type them for /remind and /reminders: "9:30 pm", "9م", "9:30 مساءً", and
what the confirmation promises."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from reminders_support import ADMIN, GROUP_ID, NINE_CAIRO, add_group, clock_at

from bot.domain.reminders import parse_time, split_times
from bot.services.reminders import group_reminder, private_reminder
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import DEMO_SUB, Goal

pytestmark = pytest.mark.timeout(60)

SKIP_PROMISE = "Days when your goal is already complete are skipped."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9 pm", "21:00"), ("9:30 PM", "21:30"), ("9 p.m.", "21:00"), ("6 a.m.", "06:00"),
        ("9م", "21:00"), ("9 م", "21:00"), ("9:30 مساءً", "21:30"), ("٩:٣٠ مساء", "21:30"),
        ("6 صباحًا", "06:00"), ("6ص", "06:00"), ("12 ص", "00:00"), ("1 ظهرًا", "13:00"),
        ("12 ظهرا", "12:00"), ("9 soon", None), ("21 م", None), ("9 mon", None),
    ],
)
def test_parse_time_reads_english_and_arabic_halves_of_the_day(
    text: str, expected: str | None
) -> None:
    assert parse_time(text) == expected


def test_a_separate_am_pm_word_belongs_to_the_time_before_it() -> None:
    assert split_times(["9:30", "pm", "mon-fri"]) == (["21:30"], ["mon-fri"])
    assert split_times(["6", "صباحًا", "9", "مساءً"]) == (["06:00", "21:00"], [])
    assert split_times(["06:30", "21:00", "sat"]) == (["06:30", "21:00"], ["sat"])
    assert split_times(["mon", "9pm"]) == ([], ["mon", "9pm"])  # times come first
    assert split_times([]) == ([], [])


@pytest.mark.parametrize(
    ("command", "times", "weekdays"),
    [
        ("/remind 9:30 pm", ("21:30",), (0, 1, 2, 3, 4, 5, 6)),
        ("/remind 9 pm mon-fri", ("21:00",), (0, 1, 2, 3, 4)),
        ("/remind 9م", ("21:00",), (0, 1, 2, 3, 4, 5, 6)),
        ("/remind 9:30 مساءً", ("21:30",), (0, 1, 2, 3, 4, 5, 6)),
        ("/remind 6 صباحًا الجمعة", ("06:00",), (4,)),
    ],
)
async def test_remind_understands_am_pm_written_apart_and_in_arabic(
    tmp_path: Path, command: str, times: tuple[str, ...], weekdays: tuple[int, ...]
) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        await bot.set_timezone("Africa/Cairo")
        (reply,) = await bot.send(command)
        assert "could not read" not in reply["text"]
        reminder = await private_reminder(bot.deps, DEMO_USER.id)
        assert reminder is not None
        assert (reminder.times, reminder.weekdays) == (times, weekdays)


async def test_group_reminder_times_accept_am_pm_written_apart(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        await bot.set_timezone("Africa/Cairo", chat_id=GROUP_ID, chat_type="group")
        await bot.send("/reminders time 7 am 9:30 pm", user=ADMIN, chat_id=GROUP_ID)
        reminder = await group_reminder(bot.deps, GROUP_ID)
        assert reminder is not None and reminder.times == ("07:00", "21:30")


async def test_remind_without_a_goal_does_not_promise_to_skip_done_days(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        await bot.set_timezone("Africa/Cairo")
        (unlinked,) = await bot.send("/remind 21:00")
        assert "I'll remind you every day at 21:00" in unlinked["text"]
        assert SKIP_PROMISE not in unlinked["text"]
        await bot.link_account()
        (no_goal,) = await bot.send("/remind 21:00")
        assert SKIP_PROMISE not in no_goal["text"]
        assert "/remind off" in no_goal["text"]
        assert bot.fake_qf.validation_errors == []


async def test_remind_with_a_goal_says_done_days_are_skipped(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        await bot.set_timezone("Africa/Cairo")
        await bot.link_account()
        bot.fake_qf.users[DEMO_SUB].goals["g"] = Goal(
            "g", "QURAN_TIME", 600, None, "QURAN", 2, date(2026, 11, 23)
        )
        (reply,) = await bot.send("/remind 21:00")
        assert SKIP_PROMISE in reply["text"]
        assert bot.fake_qf.validation_errors == []


async def test_remind_when_quran_com_is_down_still_sets_the_reminder(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        await bot.set_timezone("Africa/Cairo")
        await bot.link_account()
        bot.fake_qf.fail_next(503, path=r"/v1/goals/get-todays-plan", times=10)
        (reply,) = await bot.send("/remind 21:00")
        assert "I'll remind you every day at 21:00" in reply["text"]
        assert SKIP_PROMISE not in reply["text"]
        assert await private_reminder(bot.deps, DEMO_USER.id) is not None
