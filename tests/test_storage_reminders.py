"""Reminders, send slots and check-ins."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

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


async def test_claim_due_hands_each_due_reminder_to_one_caller_until_settled(
    db: Database,
) -> None:
    reminders = ReminderRepository(db)
    nine = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
    lease = nine + timedelta(minutes=10)
    due = [
        await reminders.create(chat_id=-index, times=["21:00"], weekdays=[0], timezone="UTC")
        for index in range(1, 4)
    ]
    later = await reminders.create(chat_id=-9, times=["22:00"], weekdays=[0], timezone="UTC")
    for reminder in due:
        await reminders.set_due(reminder.id, next_due_at=nine, follow_up_at=None)
    await reminders.set_due(later.id, next_due_at=nine + timedelta(hours=1), follow_up_at=None)

    first = await reminders.claim_due("next_due_at", due_by=nine, lease_until=lease, limit=2)
    second, third = await asyncio.gather(
        reminders.claim_due("next_due_at", due_by=nine, lease_until=lease, limit=2),
        reminders.claim_due("next_due_at", due_by=nine, lease_until=lease, limit=2),
    )
    claimed = [r.id for r in first + second + third]
    assert sorted(claimed) == [r.id for r in due]  # each once, the 22:00 one not yet
    assert all(r.next_due_at == lease for r in first)

    tomorrow = nine + timedelta(days=7)
    assert await reminders.settle_due(
        "next_due_at", due[0].id, lease_until=lease, next_at=tomorrow
    )
    # Changed meanwhile (a new time stored by the change): the claim does not overwrite it.
    await reminders.set_due(due[1].id, next_due_at=nine + timedelta(hours=2), follow_up_at=None)
    assert not await reminders.settle_due(
        "next_due_at", due[1].id, lease_until=lease, next_at=tomorrow
    )
    stored = await reminders.get(due[1].id)
    assert stored is not None and stored.next_due_at == nine + timedelta(hours=2)
    # A lease that ran out (its holder died) makes the reminder claimable again.
    again = await reminders.claim_due(
        "next_due_at", due_by=lease, lease_until=lease + timedelta(minutes=10), limit=10
    )
    assert due[2].id in [r.id for r in again]


async def test_turning_a_chat_off_clears_its_due_times(db: Database) -> None:
    reminders = ReminderRepository(db)
    nine = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
    kept = await reminders.create(chat_id=-1, times=["08:00"], weekdays=[1], timezone="UTC")
    off = await reminders.create(chat_id=-2, times=["09:00"], weekdays=[1], timezone="UTC")
    for reminder in (kept, off):
        await reminders.set_due(reminder.id, next_due_at=nine, follow_up_at=nine)
    assert await reminders.disable_chat(-2) == 1
    stored = await reminders.get(off.id)
    assert stored is not None and not stored.enabled
    assert stored.next_due_at is None and stored.follow_up_at is None
    claimed = await reminders.claim_due(
        "follow_up_at", due_by=nine, lease_until=nine + timedelta(minutes=5), limit=10
    )
    assert [r.id for r in claimed] == [kept.id]
    assert [r.id for r in await reminders.without_due_time(after_id=0, limit=10)] == []


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
