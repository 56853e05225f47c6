"""Reminders, send slots and check-ins."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from storage import ChatRepository, Database, ReminderRepository


async def test_create_normalises_and_reads_back(db: Database) -> None:
    reminders = ReminderRepository(db)
    created = await reminders.create(
        chat_id=42,
        user_id=42,
        times=["21:00", "07:30", "21:00"],
        weekdays=[4, 0, 4],
        timezone="Asia/Karachi",
        text="Surah al-Kahf",
        portion="18:1-18:10",
    )
    assert created.kind == "private"
    assert created.times == ("07:30", "21:00") and created.weekdays == (0, 4)
    assert await reminders.get(created.id) == created
    assert await reminders.for_chat(42) == [created]
    chat = await ChatRepository(db).get(42)
    assert chat is not None and chat.type == "private"  # the chat row was created too


@pytest.mark.parametrize(
    ("times", "weekdays"), [(["7:30"], [0]), (["24:00"], [0]), ([], [0]), (["07:00"], [7])]
)
async def test_create_refuses_malformed_schedules(
    db: Database, times: list[str], weekdays: list[int]
) -> None:
    with pytest.raises(ValueError):
        await ReminderRepository(db).create(
            chat_id=-1, times=times, weekdays=weekdays, timezone="UTC"
        )


async def test_update_changes_given_fields_and_snooze_is_aware_utc(db: Database) -> None:
    reminders = ReminderRepository(db)
    created = await reminders.create(chat_id=-3, times=["05:00"], weekdays=[0], timezone="UTC")
    snooze = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
    updated = await reminders.update(
        created.id, times=["06:15"], enabled=False, snoozed_until=snooze, text=None
    )
    assert updated is not None
    assert updated.times == ("06:15",) and not updated.enabled
    assert updated.snoozed_until == snooze and updated.snoozed_until.tzinfo is not None
    assert updated.weekdays == (0,) and updated.timezone == "UTC"
    assert await reminders.update(999_999, enabled=True) is None


async def test_all_enabled_skips_disabled_reminders_and_inactive_chats(db: Database) -> None:
    reminders, chats = ReminderRepository(db), ChatRepository(db)
    keep = await reminders.create(chat_id=-1, times=["08:00"], weekdays=[1], timezone="UTC")
    off = await reminders.create(chat_id=-1, times=["09:00"], weekdays=[1], timezone="UTC")
    await reminders.update(off.id, enabled=False)
    gone = await reminders.create(chat_id=-2, times=["08:00"], weekdays=[1], timezone="UTC")
    await chats.set_active(-2, False)
    assert [r.id for r in await reminders.all_enabled()] == [keep.id]
    assert await reminders.disable_chat(-1) == 1
    assert await reminders.all_enabled() == []
    assert (await reminders.get(gone.id)) is not None


async def test_slot_is_claimed_by_exactly_one_of_many_callers(db: Database) -> None:
    reminders = ReminderRepository(db)
    reminder = await reminders.create(chat_id=-1, times=["08:00"], weekdays=[1], timezone="UTC")
    wins = await asyncio.gather(
        *(reminders.claim_slot(reminder.id, "2025-03-03T08:00") for _ in range(12))
    )
    assert wins.count(True) == 1
    assert await reminders.claim_slot(reminder.id, "2025-03-04T08:00")
    await reminders.set_slot_message(reminder.id, "2025-03-03T08:00", 777)
    assert await reminders.slot_message(reminder.id, "2025-03-03T08:00") == 777
    await reminders.release_slot(reminder.id, "2025-03-03T08:00")
    assert await reminders.claim_slot(reminder.id, "2025-03-03T08:00")


async def test_check_ins_count_each_user_once(db: Database) -> None:
    reminders = ReminderRepository(db)
    reminder = await reminders.create(chat_id=-1, times=["08:00"], weekdays=[1], timezone="UTC")
    assert await reminders.record_check_in(reminder.id, "d1", 10)
    assert not await reminders.record_check_in(reminder.id, "d1", 10)
    assert await reminders.record_check_in(reminder.id, "d1", 11)
    assert await reminders.record_check_in(reminder.id, "d2", 10)
    assert await reminders.count_check_ins(reminder.id, "d1") == 2
    assert await reminders.count_check_ins(reminder.id, "d3") == 0


async def test_delete_removes_reminder_with_its_log(db: Database) -> None:
    reminders = ReminderRepository(db)
    reminder = await reminders.create(chat_id=-1, times=["08:00"], weekdays=[1], timezone="UTC")
    await reminders.claim_slot(reminder.id, "d1")
    await reminders.record_check_in(reminder.id, "d1", 10)
    assert await reminders.delete(reminder.id)
    assert await reminders.get(reminder.id) is None
    assert await reminders.count_check_ins(reminder.id, "d1") == 0
    assert not await reminders.delete(reminder.id)
    again = await reminders.create(chat_id=-1, times=["08:00"], weekdays=[1], timezone="UTC")
    assert again.id > reminder.id  # ids are never reused
