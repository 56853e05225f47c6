"""Storage of group reading on SQLite and PostgreSQL: the wird's position (compare-and-set),
the portion each message showed, names of who checked in, /quiet, once-a-day marks, and a
departed group erased."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from storage import ChatRepository, Database, ReminderRepository, erase_departed_groups

GROUP = -100123


async def _group(db: Database) -> tuple[ReminderRepository, int]:
    reminders = ReminderRepository(db)
    created = await reminders.create(
        chat_id=GROUP, times=["21:00"], weekdays=range(7), timezone="UTC", kind="group"
    )
    return reminders, created.id


async def test_wird_position_moves_once_under_concurrent_sends(db: Database) -> None:
    reminders, reminder_id = await _group(db)
    await reminders.update(reminder_id, wird="juz:1:1")
    day = date(2026, 11, 24)
    results = await asyncio.gather(
        *(reminders.move_wird(reminder_id, expected=(0, None), to=(0, day)) for _ in range(5))
    )
    assert results.count(True) == 1
    stored = await reminders.get(reminder_id)
    assert stored is not None and (stored.wird_index, stored.wird_day) == (0, day)
    assert await reminders.move_wird(reminder_id, expected=(0, day), to=(1, day + timedelta(1)))
    # A new portion starts from its first day again.
    restarted = await reminders.update(reminder_id, wird="page:1:20")
    assert restarted is not None and (restarted.wird_index, restarted.wird_day) == (0, None)


async def test_each_slot_keeps_the_portion_it_showed(db: Database) -> None:
    reminders, reminder_id = await _group(db)
    assert await reminders.claim_slot(reminder_id, "2026-11-24T21:00")
    await reminders.set_slot_portion(reminder_id, "2026-11-24T21:00", "juz 30", ["78:1-114:6"])
    sent = await reminders.sent(reminder_id, "2026-11-24T21:00")
    assert sent is not None and sent.portion == "juz 30" and sent.ranges == ("78:1-114:6",)
    assert await reminders.sent(reminder_id, "2026-11-25T21:00") is None


async def test_check_in_names_are_bounded_and_listed_in_order(db: Database) -> None:
    reminders, reminder_id = await _group(db)
    await reminders.record_check_in(reminder_id, "2026-11-24T21:00", 1, "A" * 300)
    await reminders.record_check_in(reminder_id, "2026-11-24T21:00", 2, "Omar")
    await reminders.record_check_in(reminder_id, "2026-11-17T21:00", 2, "Omar")
    listed = await reminders.check_ins(reminder_id, "2026-11-24T21:00")
    assert [(c.user_id, c.name) for c in listed] == [(1, "A" * 64), (2, "Omar")]
    since = await reminders.check_ins_since(reminder_id, "2026-11-20T00:00")
    assert len(since) == 2


async def test_quiet_and_once_a_day_marks(db: Database) -> None:
    reminders, reminder_id = await _group(db)
    assert await reminders.set_quiet(GROUP, 7, True)
    assert not await reminders.set_quiet(GROUP, 7, True)
    assert await reminders.quiet_members(GROUP) == {7}
    assert await reminders.set_quiet(GROUP, 7, False)
    assert await reminders.quiet_members(GROUP) == set()
    day = date(2026, 11, 24)
    marks = await asyncio.gather(
        *(reminders.mark_done(reminder_id, nudged_on=day) for _ in range(4))
    )
    assert marks.count(True) == 1
    assert await reminders.mark_done(reminder_id, nudged_on=day + timedelta(days=1))
    assert await reminders.mark_done(reminder_id, summary_week="2026-W48")
    assert not await reminders.mark_done(reminder_id, summary_week="2026-W48")


async def test_only_groups_gone_past_the_grace_period_are_erased(db: Database) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    chats = ChatRepository(db, clock=lambda: now - timedelta(days=40))
    reminders, reminder_id = await _group(db)
    await reminders.record_check_in(reminder_id, "2026-11-24T21:00", 1, "A")
    await reminders.set_quiet(GROUP, 1, True)
    await chats.ensure(-100999, "supergroup", "Still here")
    await chats.set_active(GROUP, False)
    await chats.ensure(42, "private", None)
    await chats.set_active(42, False)  # a person who blocked the bot: only /forget erases
    assert await erase_departed_groups(db, before=now - timedelta(days=30)) == 1
    assert await chats.get(GROUP) is None
    assert await reminders.get(reminder_id) is None
    assert await reminders.quiet_members(GROUP) == set()
    assert await chats.get(-100999) is not None and await chats.get(42) is not None
