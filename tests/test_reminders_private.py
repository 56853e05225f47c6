"""Private reminders: skipped once the day's goal is complete, snoozed on request, caught up
after a restart."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from reminders_support import delivery_of, planned, reminder_messages, tick
from storage_helpers import ManualClock

from bot.services.reminders import private_reminder
from handlers.reminders.buttons import Snooze
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import ActivityDay, FakeQuranFoundation, Goal
from sandbox.telegram import FakeUser
from storage import Reminder

#: 21:00 in London on Monday 23 November 2026 (GMT).
NINE_LONDON = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
USER = DEMO_USER.id


def harness(tmp_path: Path, clock: ManualClock) -> BotHarness:
    return BotHarness(tmp_path, clock=clock, fake_qf=FakeQuranFoundation(clock=clock))


async def set_up_reminder(bot: BotHarness, command: str = "/remind 21:00") -> Reminder:
    await bot.set_timezone("Europe/London")
    await bot.send(command)
    reminder = await private_reminder(bot.deps, USER)
    assert reminder is not None
    return reminder


def nudges(bot: BotHarness) -> list[str]:
    """Reminder messages in the private chat (snoozed ones lose their buttons, not their text)."""
    return [text for text in bot.world.texts(USER) if text.startswith("🌿")]


def give_time_goal(bot: BotHarness, sub: str, *, read_seconds: int, on: date) -> None:
    user = bot.fake_qf.users[sub]
    user.goals["goal-1"] = Goal("goal-1", "QURAN_TIME", 600, None, "QURAN", 1, on)
    if read_seconds:
        user.activity_days[on] = ActivityDay("day-1", on, "QURAN", 1, seconds=read_seconds)


async def test_reminder_is_skipped_on_a_day_the_goal_is_already_complete(tmp_path: Path) -> None:
    clock = ManualClock(NINE_LONDON - timedelta(hours=1))
    async with harness(tmp_path, clock) as bot:
        await set_up_reminder(bot)
        sub = await bot.link_account()
        give_time_goal(bot, sub, read_seconds=600, on=date(2026, 11, 23))
        clock.now = NINE_LONDON
        delivery = delivery_of(bot)

        assert await delivery.tick() == ["goal_done"]
        assert reminder_messages(bot.world, USER) == []
        assert await delivery.tick() == []  # decided once: next due tomorrow

        clock.advance(timedelta(days=1))  # nothing read yet on the 24th
        assert await delivery.tick() == ["sent"]
        [message] = reminder_messages(bot.world, USER)
        assert "So far today: 0% of your goal." in message["text"]
        assert bot.fake_qf.validation_errors == []


async def test_half_done_goal_still_gets_the_reminder_with_its_progress(tmp_path: Path) -> None:
    clock = ManualClock(NINE_LONDON)
    async with harness(tmp_path, clock) as bot:
        await set_up_reminder(bot)
        sub = await bot.link_account()
        give_time_goal(bot, sub, read_seconds=300, on=date(2026, 11, 23))
        assert await tick(bot) == ["sent"]
        [message] = reminder_messages(bot.world, USER)
        assert "So far today: 50% of your goal." in message["text"]


async def test_unlinked_user_gets_the_plain_reminder_with_snooze_buttons(tmp_path: Path) -> None:
    clock = ManualClock(NINE_LONDON)
    async with harness(tmp_path, clock) as bot:
        reminder = await set_up_reminder(bot)
        assert await tick(bot) == ["sent"]
        [message] = reminder_messages(bot.world, USER)
        assert message["text"] == "🌿 Time for your Quran reading."
        assert bot.world.buttons(message) == [
            ("⏰ In 30 minutes", Snooze(reminder_id=reminder.id, minutes=30).pack()),
            ("⏰ In 1 hour", Snooze(reminder_id=reminder.id, minutes=60).pack()),
        ]


async def test_snooze_repeats_the_reminder_once_after_the_chosen_delay(tmp_path: Path) -> None:
    clock = ManualClock(NINE_LONDON)
    async with harness(tmp_path, clock) as bot:
        reminder = await set_up_reminder(bot)
        delivery = delivery_of(bot)
        await delivery.tick()
        clock.advance(timedelta(minutes=2, seconds=10))

        [edited] = await bot.press("In 30 minutes")

        assert edited["text"].endswith("⏰ Snoozed until 21:33.")
        assert "reply_markup" not in edited
        stored = await bot.deps.reminders.get(reminder.id)
        assert stored is not None
        assert stored.snoozed_until == datetime(2026, 11, 23, 21, 33, tzinfo=UTC)
        assert await planned(bot, reminder.id) == [f"{reminder.id}@21:33"]

        assert await delivery.tick() == []  # too early
        clock.advance(timedelta(minutes=31))
        assert await delivery.tick() == ["sent"]
        assert await delivery.tick() == []
        assert len(nudges(bot)) == 2
        [live] = reminder_messages(bot.world, USER)  # only the repeat still has buttons
        assert bot.world.buttons(live)[0][1] == Snooze(reminder_id=reminder.id, minutes=30).pack()
        stored = await bot.deps.reminders.get(reminder.id)
        assert stored is not None and stored.snoozed_until is None
        assert await planned(bot, reminder.id) == [f"{reminder.id}@21:00"]


async def test_daily_slot_falling_inside_a_snooze_is_left_to_the_snooze(tmp_path: Path) -> None:
    clock = ManualClock(NINE_LONDON)
    async with harness(tmp_path, clock) as bot:
        await set_up_reminder(bot, "/remind 21:00 21:15")
        delivery = delivery_of(bot)
        await delivery.tick()
        await bot.press("In 1 hour")
        clock.advance(timedelta(minutes=15))
        assert await delivery.tick() == ["snoozed"]
        assert len(nudges(bot)) == 1


async def test_snooze_due_while_the_bot_was_down_is_sent_at_start(tmp_path: Path) -> None:
    clock = ManualClock(NINE_LONDON)
    bot = harness(tmp_path, clock)
    async with bot:
        await set_up_reminder(bot)
        await tick(bot)
        await bot.press("In 30 minutes")
        await bot.stop()
        clock.advance(timedelta(minutes=45))
        await bot.start()
        assert len(nudges(bot)) == 2  # the snooze, not the 21:00 again
        await bot.restart()
        assert len(nudges(bot)) == 2


async def test_snooze_is_still_planned_after_a_restart(tmp_path: Path) -> None:
    clock = ManualClock(NINE_LONDON)
    bot = harness(tmp_path, clock)
    async with bot:
        reminder = await set_up_reminder(bot)
        await tick(bot)
        await bot.press("In 1 hour")
        await bot.restart()
        assert await planned(bot, reminder.id) == [f"{reminder.id}@22:00"]
        clock.advance(timedelta(hours=1))
        assert await tick(bot) == ["sent"]
        assert len(nudges(bot)) == 2
        assert await planned(bot, reminder.id) == [f"{reminder.id}@21:00"]


async def test_someone_elses_snooze_button_is_refused(tmp_path: Path) -> None:
    clock = ManualClock(NINE_LONDON)
    stranger = FakeUser(3001, "Stranger")
    async with harness(tmp_path, clock) as bot:
        reminder = await set_up_reminder(bot)
        await bot.send("/help", user=stranger)
        await bot.press_data(Snooze(reminder_id=reminder.id, minutes=30).pack(), user=stranger)
        assert bot.world.answered_callbacks[-1].text == "This button is not for you."
        stored = await bot.deps.reminders.get(reminder.id)
        assert stored is not None and stored.snoozed_until is None


async def test_forged_snooze_presses_are_no_longer_valid_and_change_nothing(
    tmp_path: Path,
) -> None:
    clock = ManualClock(NINE_LONDON)
    async with harness(tmp_path, clock) as bot:
        reminder = await set_up_reminder(bot)
        await tick(bot)
        [message] = reminder_messages(bot.world, USER)
        for data in (
            f"{Snooze.prefix}:{reminder.id}:45",  # within 30-60, yet not offered
            f"{Snooze.prefix}:{reminder.id}:5",
            f"{Snooze.prefix}:{reminder.id}:100000",
            f"{Snooze.prefix}:{reminder.id}:-30",
            f"{Snooze.prefix}:{reminder.id}:030",
            f"{Snooze.prefix}:x:30",
        ):
            assert await bot.press_data(data, message=message) == []
            assert bot.world.answered_callbacks[-1].text == "This button is no longer valid."
        stored = await bot.deps.reminders.get(reminder.id)
        assert stored is not None and stored.snoozed_until is None
        assert await planned(bot, reminder.id) == [f"{reminder.id}@21:00"]


async def test_changing_timezone_keeps_the_reminder_at_the_same_wall_clock_time(
    tmp_path: Path,
) -> None:
    clock = ManualClock(NINE_LONDON - timedelta(hours=3))
    async with harness(tmp_path, clock) as bot:
        reminder = await set_up_reminder(bot)
        assert reminder.timezone == "Europe/London"
        await bot.send("/timezone Cairo")
        moved = await private_reminder(bot.deps, USER)
        assert moved is not None
        assert moved.timezone == "Africa/Cairo"
        assert moved.times == reminder.times
