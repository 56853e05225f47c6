"""A group's follow-ups: the admin-enabled evening nudge (opt-outs, once a day), the weekly
summary in the group's language, and a departed group's data erased after the grace period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from reminders_support import (
    ADMIN,
    GROUP_ID,
    MEMBER,
    NINE_CAIRO,
    OTHER_MEMBER,
    add_group,
    clock_at,
    create_group_reminder,
    press_check_in,
    reminder_messages,
    tick,
)

from bot.app.scheduler import FOLLOW_UPS_KEY
from bot.domain.group_reading import Member, members_to_nudge, week_summary
from bot.services.group_follow_ups import RETRY_FAILED_AFTER, GroupFollowUps
from bot.services.reminders import reminders_of
from sandbox.harness import BotHarness
from storage import erase_departed_groups, forget_user

DAY = timedelta(days=1)
#: 22:31 in Cairo on Tuesday 24 November 2026: the nudge (capped at 22:30) is due.
NUDGE_TIME = datetime(2026, 11, 24, 20, 31, tzinfo=UTC)


def follow_ups(bot: BotHarness) -> GroupFollowUps:
    found = bot.app.bot_data[FOLLOW_UPS_KEY]
    assert isinstance(found, GroupFollowUps)
    return found


def texts_without_buttons(bot: BotHarness) -> list[dict[str, Any]]:
    return [m for m in bot.world.sent(GROUP_ID) if m not in reminder_messages(bot.world)]


def test_nudge_names_recent_readers_who_have_not_read_today_and_not_the_quiet() -> None:
    today = date(2026, 11, 24)
    amina, omar, yusuf, old = Member(1, "Amina"), Member(2, "Omar"), Member(3, "Yusuf"), Member(
        4, "Old"
    )
    check_ins = [
        (amina, today - DAY), (omar, today - DAY), (omar, today),
        (yusuf, today - 2 * DAY), (old, today - 30 * DAY),
    ]
    assert members_to_nudge(check_ins, today, quiet=set()) == [amina, yusuf]
    assert members_to_nudge(check_ins, today, quiet={1}) == [yusuf]


def test_streak_counts_reminder_days_with_a_check_in_and_today_does_not_break_it() -> None:
    sunday = date(2026, 11, 29)
    amina = Member(1, "Amina")
    days = [sunday - n * DAY for n in range(1, 5)]  # Wed..Sat, not yet Sunday
    summary = week_summary([(amina, day) for day in days], sunday, range(7))
    assert summary.streak == 4
    assert summary.days_read == [(amina, 4)]
    # Weekend-only reminders: the weekdays in between do not break it.
    weekend = [sunday - 8 * DAY, sunday - 7 * DAY, sunday - DAY, sunday]
    assert week_summary([(amina, d) for d in weekend], sunday, (5, 6)).streak == 4
    # A weekend nobody read ends it.
    assert week_summary([(amina, d) for d in weekend[2:]], sunday, (5, 6)).streak == 2


async def _press_under_latest(bot: BotHarness, *users: Any) -> None:
    message = reminder_messages(bot.world)[-1]
    for user in users:
        [message] = await press_check_in(bot, user, message=message)


async def test_nudge_is_admin_enabled_once_a_day_and_skips_the_quiet(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        await create_group_reminder(bot)
        await tick(bot)
        await _press_under_latest(bot, MEMBER, OTHER_MEMBER)

        clock.advance(DAY)
        await tick(bot)
        await bot.send("/quiet", user=OTHER_MEMBER, chat_id=GROUP_ID)
        assert "will not mention you" in bot.world.texts(GROUP_ID)[-1]

        clock.now = NUDGE_TIME
        assert await follow_ups(bot).run() == []  # off until an admin turns it on
        await bot.send("/reminders nudge on", user=ADMIN, chat_id=GROUP_ID)
        assert "Evening nudge of who has not read: on" in bot.world.texts(GROUP_ID)[-1]

        clock.now = NUDGE_TIME - timedelta(minutes=2)  # 22:29: not yet
        assert await follow_ups(bot).run() == []
        clock.now = NUDGE_TIME
        sent_before = len(bot.world.sent(GROUP_ID))
        assert await follow_ups(bot).run() == ["nudged"]
        [nudge] = bot.world.sent(GROUP_ID)[sent_before:]
        assert "Maryam" in nudge["text"] and "Yusuf" not in nudge["text"]
        assert "/quiet" in nudge["text"]
        mentioned = [e["user"]["id"] for e in nudge["entities"] if e["type"] == "text_mention"]
        assert mentioned == [MEMBER.id]
        # Never twice a day, however often the job fires.
        clock.advance(timedelta(minutes=5))
        assert await follow_ups(bot).run() == []
        assert len(bot.world.sent(GROUP_ID)) == sent_before + 1


async def test_nudge_mentions_nobody_who_read_today(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        await create_group_reminder(bot)
        await reminders_of(bot.app).set_group_follow_up(GROUP_ID, "nudge", True)
        await tick(bot)
        await _press_under_latest(bot, MEMBER)
        clock.advance(DAY)
        await tick(bot)
        await _press_under_latest(bot, MEMBER)
        clock.now = NUDGE_TIME
        assert await follow_ups(bot).run() == ["nobody"]


async def test_quiet_outside_a_group_says_where_it_works(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        [reply] = await bot.send("/quiet", user=MEMBER)
        assert "in the group" in reply["text"]


async def _week_of_check_ins(bot: BotHarness, reminder_id: int) -> None:
    for day, users in (
        (23, (MEMBER, OTHER_MEMBER)), (24, (MEMBER,)), (25, (MEMBER,)), (26, (OTHER_MEMBER,)),
        (27, (MEMBER,)), (28, (MEMBER,)),
    ):
        for user in users:
            await bot.deps.reminders.record_check_in(
                reminder_id, f"2026-11-{day}T21:00", user.id, user.first_name
            )


async def test_weekly_summary_in_english_and_admins_can_turn_it_off(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        await _week_of_check_ins(bot, reminder.id)
        # Sunday 29 November, 23:05 in Cairo: two hours after the week's last reminder.
        clock.now = datetime(2026, 11, 29, 21, 5, tzinfo=UTC)
        assert await follow_ups(bot).run() == ["summarised"]
        text = bot.world.texts(GROUP_ID)[-1]
        assert "This week's reading" in text
        assert "• Maryam: 5 days" in text and "• Yusuf: 2 days" in text
        assert "Group streak: 6 reminder days in a row" in text
        assert await follow_ups(bot).run() == []  # once a week

        await bot.send("/reminders summary off", user=ADMIN, chat_id=GROUP_ID)
        clock.advance(7 * DAY)
        await _week_of_check_ins(bot, reminder.id)
        assert await follow_ups(bot).run() == []


async def test_weekly_summary_speaks_the_groups_language(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        await bot.deps.chats.update(GROUP_ID, language="ar")
        await _week_of_check_ins(bot, reminder.id)
        clock.now = datetime(2026, 11, 29, 21, 5, tzinfo=UTC)
        assert await follow_ups(bot).run() == ["summarised"]
        text = bot.world.texts(GROUP_ID)[-1]
        assert "قراءة هذا الأسبوع" in text and "Maryam" in text


async def test_departed_group_is_erased_after_the_grace_period(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        await bot.deps.reminders.record_check_in(reminder.id, "2026-11-23T21:00", MEMBER.id, "M")
        await bot.deps.reminders.set_quiet(GROUP_ID, MEMBER.id, True)
        await bot.deps.chats.set_active(GROUP_ID, False)  # the bot was removed
        assert await erase_departed_groups(bot.deps.database, before=clock.now - DAY) == 0
        clock.advance(31 * DAY)
        await follow_ups(bot).run()
        assert await bot.deps.chats.get(GROUP_ID) is None
        assert await bot.deps.reminders.get(reminder.id) is None
        assert await bot.deps.reminders.quiet_members(GROUP_ID) == set()


async def test_forget_removes_a_members_quiet_rows_and_check_ins(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        await bot.deps.reminders.record_check_in(reminder.id, "2026-11-23T21:00", MEMBER.id, "M")
        await bot.deps.reminders.set_quiet(GROUP_ID, MEMBER.id, True)
        removed = await forget_user(bot.deps.database, MEMBER.id)
        assert removed["group_quiet"] == 1 and removed["check_ins"] == 1
        assert await bot.deps.reminders.check_ins(reminder.id, "2026-11-23T21:00") == []


async def test_panel_switches_check_admin_rights_on_every_press(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        [panel] = await bot.send("/reminders", user=ADMIN, chat_id=GROUP_ID)
        await bot.press("Nudge on", user=MEMBER, chat_id=GROUP_ID, message=panel)
        assert "only the group's admins" in (bot.world.answered_callbacks[-1].text or "")
        stored = await bot.deps.reminders.get(reminder.id)
        assert stored is not None and not stored.nudge_enabled

        [edited] = await bot.press("Nudge on", user=ADMIN, chat_id=GROUP_ID, message=panel)
        assert "Evening nudge of who has not read: on" in edited["text"]
        [edited] = await bot.press("Summary off", user=ADMIN, chat_id=GROUP_ID, message=edited)
        assert "Weekly summary: off" in edited["text"]
        stored = await bot.deps.reminders.get(reminder.id)
        assert stored is not None and stored.nudge_enabled and not stored.summary_enabled


async def test_one_groups_failing_follow_up_does_not_hold_up_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    other_group = GROUP_ID - 1
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        add_group(bot.world, other_group)
        failing = await create_group_reminder(bot)
        await create_group_reminder(bot, chat_id=other_group)
        await tick(bot)
        for chat_id in (GROUP_ID, other_group):
            message = reminder_messages(bot.world, chat_id)[-1]
            await press_check_in(bot, MEMBER, message=message, chat_id=chat_id)
            await bot.send("/reminders nudge on", user=ADMIN, chat_id=chat_id)
        clock.advance(DAY)
        await tick(bot)
        runner = follow_ups(bot)
        nudge = runner.nudge

        async def nudge_or_fail(reminder: Any, now: datetime) -> Any:
            if reminder.id == failing.id:
                raise RuntimeError("a bug in one group")
            return await nudge(reminder, now)

        monkeypatch.setattr(runner, "nudge", nudge_or_fail)
        clock.now = NUDGE_TIME
        assert sorted(await runner.run()) == ["failed", "nudged"]
        assert f"group follow-ups of reminder {failing.id} failed" in caplog.text
        stored = await bot.deps.reminders.get(failing.id)
        assert stored is not None
        assert stored.follow_up_at == NUDGE_TIME + RETRY_FAILED_AFTER
