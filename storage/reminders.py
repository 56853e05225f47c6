"""Reminders, their due times, the once-per-slot send log, and check-ins.

A "slot" is one scheduled occurrence (e.g. "2025-11-23T07:30"). `claim_slot` inserts a unique
(reminder, slot) row, so after a restart or with two processes only one caller sends.

Due times (`next_due_at`, `follow_up_at`) are what the services computed from each reminder's
schedule; `claim_due` hands what is due to one caller at a time by pushing the time forward to
a lease (rows locked by another instance are skipped on PostgreSQL; SQLite writes one at a
time anyway). The caller then `settle_due`s the real next time, unless the reminder was changed
meanwhile; if it crashed, the lease runs out and the reminder is claimed again, and the send
log keeps that from sending anything twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import schema
from storage.chats import chat_type_for, insert_chat_if_missing
from storage.conflicts import insert_or_ignore
from storage.database import Database
from storage.models import (
    UNSET,
    CheckIn,
    Clock,
    Reminder,
    ReminderKind,
    SentReminder,
    Unset,
    utc_now,
)

_t = schema.reminders
_sends = schema.reminder_sends
_check_ins = schema.check_ins
_quiet = schema.group_quiet

#: The two due times a reminder keeps: its next sending, and its group follow-ups.
DueColumn = Literal["next_due_at", "follow_up_at"]

_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")


def normalize_times(times: Iterable[str]) -> list[str]:
    """Sorted, unique "HH:MM" strings; anything else is a caller bug, not user input."""
    result = sorted(set(times))
    bad = [value for value in result if not _TIME.match(value)]
    if bad or not result:
        raise ValueError(f"reminder times must be non-empty 'HH:MM' values, got {bad or result}")
    return result


def normalize_weekdays(weekdays: Iterable[int]) -> list[int]:
    result = sorted(set(weekdays))
    if not result or any(not 0 <= day <= 6 for day in result):
        raise ValueError(f"weekdays must be non-empty values 0 (Mon)..6 (Sun), got {result}")
    return result


def _reminder(row: Row[Any]) -> Reminder:
    return Reminder(
        id=row.id,
        chat_id=row.chat_id,
        user_id=row.user_id,
        times=tuple(row.times),
        weekdays=tuple(row.weekdays),
        timezone=row.timezone,
        text=row.text,
        portion=row.portion,
        enabled=row.enabled,
        snoozed_until=row.snoozed_until,
        kind=row.kind,
        wird=row.wird,
        wird_index=row.wird_index or 0,
        wird_day=_day(row.wird_day),
        nudge_enabled=bool(row.nudge_enabled),
        nudged_on=_day(row.nudged_on),
        summary_enabled=bool(row.summary_enabled),
        summary_week=row.summary_week,
        next_due_at=row.next_due_at,
        follow_up_at=row.follow_up_at,
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class ReminderRepository:
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def create(
        self,
        *,
        chat_id: int,
        times: Iterable[str],
        weekdays: Iterable[int],
        timezone: str,
        user_id: int | None = None,
        text: str | None = None,
        portion: str | None = None,
        enabled: bool = True,
        kind: ReminderKind | None = None,
    ) -> Reminder:
        """Add a reminder. `kind` defaults to "private" for a private chat, else "group".

        The chat row is created if missing so a reminder can never point nowhere.
        """
        now = self._clock()
        values = {
            "chat_id": chat_id,
            "kind": kind or ("private" if chat_type_for(chat_id) == "private" else "group"),
            "user_id": user_id,
            "times": normalize_times(times),
            "weekdays": normalize_weekdays(weekdays),
            "timezone": timezone,
            "text": text,
            "portion": portion,
            "enabled": enabled,
            "snoozed_until": None,
            "created_at": now,
            "updated_at": now,
        }
        async with self._db.write() as connection:
            await insert_chat_if_missing(
                connection, chat_id, chat_type_for(chat_id), None, self._clock
            )
            row = (await connection.execute(insert(_t).values(values).returning(*_t.c))).one()
        return _reminder(row)

    async def update(
        self,
        reminder_id: int,
        *,
        times: Iterable[str] | Unset = UNSET,
        weekdays: Iterable[int] | Unset = UNSET,
        timezone: str | Unset = UNSET,
        text: str | Unset | None = UNSET,
        portion: str | Unset | None = UNSET,
        enabled: bool | Unset = UNSET,
        snoozed_until: datetime | Unset | None = UNSET,
        user_id: int | Unset | None = UNSET,
        wird: str | Unset | None = UNSET,
        nudge_enabled: bool | Unset = UNSET,
        summary_enabled: bool | Unset = UNSET,
    ) -> Reminder | None:
        """Change the given fields; None if the reminder no longer exists. A new `wird` (or
        portion) starts from its first portion again."""
        values: dict[str, Any] = {"updated_at": self._clock()}
        if not isinstance(times, Unset):
            values["times"] = normalize_times(times)
        if not isinstance(weekdays, Unset):
            values["weekdays"] = normalize_weekdays(weekdays)
        for name, value in (
            ("timezone", timezone),
            ("text", text),
            ("portion", portion),
            ("enabled", enabled),
            ("snoozed_until", snoozed_until),
            ("user_id", user_id),
            ("wird", wird),
            ("nudge_enabled", nudge_enabled),
            ("summary_enabled", summary_enabled),
        ):
            if value is not UNSET:
                values[name] = value
        if not isinstance(wird, Unset) or not isinstance(portion, Unset):
            values["wird_index"] = 0
            values["wird_day"] = None
        async with self._db.write() as connection:
            row = (
                await connection.execute(
                    update(_t).where(_t.c.id == reminder_id).values(values).returning(*_t.c)
                )
            ).first()
        return None if row is None else _reminder(row)

    async def get(self, reminder_id: int) -> Reminder | None:
        async with self._db.read() as connection:
            row = (await connection.execute(select(_t).where(_t.c.id == reminder_id))).first()
        return None if row is None else _reminder(row)

    async def for_chat(self, chat_id: int) -> list[Reminder]:
        async with self._db.read() as connection:
            rows = (
                await connection.execute(
                    select(_t).where(_t.c.chat_id == chat_id).order_by(_t.c.id)
                )
            ).all()
        return [_reminder(row) for row in rows]

    async def set_due(
        self, reminder_id: int, *, next_due_at: datetime | None, follow_up_at: datetime | None
    ) -> Reminder | None:
        """Store when the reminder is next due and when its follow-ups are (None: never);
        the reminder as stored now, or None when it is gone."""
        async with self._db.write() as connection:
            row = (
                await connection.execute(
                    update(_t)
                    .where(_t.c.id == reminder_id)
                    .values(next_due_at=next_due_at, follow_up_at=follow_up_at)
                    .returning(*_t.c)
                )
            ).first()
        return None if row is None else _reminder(row)

    async def claim_due(
        self,
        which: DueColumn,
        *,
        due_by: datetime,
        lease_until: datetime,
        limit: int,
    ) -> list[Reminder]:
        """Up to `limit` reminders whose `which` time is at or before `due_by` (the longest
        overdue are taken first; returned in id order), each now held until `lease_until`:
        nobody else claims them meanwhile."""
        column = _t.c[which]
        due = (
            select(_t.c.id)
            .where(column <= due_by)
            .order_by(column)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._db.write() as connection:
            rows = (
                await connection.execute(
                    update(_t)
                    .where(_t.c.id.in_(due.scalar_subquery()))
                    .values({which: lease_until})
                    .returning(*_t.c)
                )
            ).all()
        return sorted((_reminder(row) for row in rows), key=lambda reminder: reminder.id)

    async def settle_due(
        self, which: DueColumn, reminder_id: int, *, lease_until: datetime, next_at: datetime | None
    ) -> bool:
        """Set the claimed `which` time to `next_at`; False when the reminder was changed since
        the claim (its new time, stored by the change, stays)."""
        column = _t.c[which]
        async with self._db.write() as connection:
            result = await connection.execute(
                update(_t)
                .where(_t.c.id == reminder_id, column == lease_until)
                .values({which: next_at})
            )
        return result.rowcount > 0

    async def without_due_time(self, *, after_id: int, limit: int) -> list[Reminder]:
        """Enabled reminders with no due time yet (rows from before due times were stored),
        by id from `after_id` on, in pages so the caller can pause between them."""
        async with self._db.read() as connection:
            rows = (
                await connection.execute(
                    select(_t)
                    .where(_t.c.next_due_at.is_(None), _t.c.enabled.is_(True), _t.c.id > after_id)
                    .order_by(_t.c.id)
                    .limit(limit)
                )
            ).all()
        return [_reminder(row) for row in rows]

    async def delete(self, reminder_id: int) -> bool:
        async with self._db.write() as connection:
            await delete_reminder_children(connection, [reminder_id])
            result = await connection.execute(delete(_t).where(_t.c.id == reminder_id))
        return result.rowcount > 0

    async def disable_chat(self, chat_id: int) -> int:
        """Disable every reminder of a chat (bot removed or blocked); returns how many."""
        async with self._db.write() as connection:
            result = await connection.execute(
                update(_t)
                .where(_t.c.chat_id == chat_id, _t.c.enabled.is_(True))
                .values(
                    enabled=False, next_due_at=None, follow_up_at=None, updated_at=self._clock()
                )
            )
        return result.rowcount

    async def claim_slot(self, reminder_id: int, slot: str) -> bool:
        """True for exactly one caller per (reminder, slot): that caller sends the message."""
        async with self._db.write() as connection:
            return await insert_or_ignore(
                connection,
                _sends,
                {
                    "reminder_id": reminder_id,
                    "slot": slot,
                    "message_id": None,
                    "sent_at": self._clock(),
                },
                conflict_columns=["reminder_id", "slot"],
            )

    async def release_slot(self, reminder_id: int, slot: str) -> None:
        """Give a claimed slot back when sending definitely failed, so a retry may claim it."""
        async with self._db.write() as connection:
            await connection.execute(
                delete(_sends).where(_sends.c.reminder_id == reminder_id, _sends.c.slot == slot)
            )

    async def move_wird(
        self, reminder_id: int, *, expected: tuple[int, date | None], to: tuple[int, date]
    ) -> bool:
        """Set the wird's position to `to` if it is still `expected` (another time of the same
        day, or another instance, may have moved it first: the caller reads and tries again)."""
        index, day = expected
        async with self._db.write() as connection:
            result = await connection.execute(
                update(_t)
                .where(
                    _t.c.id == reminder_id,
                    _t.c.wird_index == index,
                    _t.c.wird_day.is_(None) if day is None else _t.c.wird_day == day.isoformat(),
                )
                .values(wird_index=to[0], wird_day=to[1].isoformat())
            )
        return result.rowcount > 0

    async def mark_done(
        self, reminder_id: int, *, nudged_on: date | None = None, summary_week: str | None = None
    ) -> bool:
        """Record today's nudge or this week's summary; False when it was already recorded
        (so each happens at most once, even with two instances)."""
        column, value = (
            (_t.c.nudged_on, nudged_on.isoformat()) if nudged_on is not None
            else (_t.c.summary_week, summary_week)
        )
        async with self._db.write() as connection:
            result = await connection.execute(
                update(_t)
                .where(_t.c.id == reminder_id, (column.is_(None)) | (column != value))
                .values({column.name: value})
            )
        return result.rowcount > 0

    async def set_slot_portion(
        self, reminder_id: int, slot: str, portion: str | None, ranges: list[str] | None
    ) -> None:
        """Remember the portion a slot's message shows (check-ins credit exactly this)."""
        async with self._db.write() as connection:
            await connection.execute(
                update(_sends)
                .where(_sends.c.reminder_id == reminder_id, _sends.c.slot == slot)
                .values(portion=portion, ranges=ranges)
            )

    async def sent(self, reminder_id: int, slot: str) -> SentReminder | None:
        async with self._db.read() as connection:
            row = (
                await connection.execute(
                    select(_sends).where(
                        _sends.c.reminder_id == reminder_id, _sends.c.slot == slot
                    )
                )
            ).first()
        if row is None:
            return None
        return SentReminder(
            reminder_id=row.reminder_id,
            slot=row.slot,
            message_id=row.message_id,
            portion=row.portion,
            ranges=tuple(row.ranges) if row.ranges is not None else None,
        )

    async def set_slot_message(self, reminder_id: int, slot: str, message_id: int) -> None:
        """Remember which message a slot produced (to edit its check-in count later)."""
        async with self._db.write() as connection:
            await connection.execute(
                update(_sends)
                .where(_sends.c.reminder_id == reminder_id, _sends.c.slot == slot)
                .values(message_id=message_id)
            )

    async def slot_message(self, reminder_id: int, slot: str) -> int | None:
        async with self._db.read() as connection:
            value: int | None = (
                await connection.execute(
                    select(_sends.c.message_id).where(
                        _sends.c.reminder_id == reminder_id, _sends.c.slot == slot
                    )
                )
            ).scalar_one_or_none()
        return value

    async def record_check_in(
        self, reminder_id: int, slot: str, user_id: int, name: str | None = None
    ) -> bool:
        """True the first time this user checks in for this slot, False on repeats."""
        async with self._db.write() as connection:
            return await insert_or_ignore(
                connection,
                _check_ins,
                {
                    "reminder_id": reminder_id,
                    "slot": slot,
                    "user_id": user_id,
                    "created_at": self._clock(),
                    "name": name[:64] if name else None,
                },
                conflict_columns=["reminder_id", "slot", "user_id"],
            )

    async def count_check_ins(self, reminder_id: int, slot: str) -> int:
        async with self._db.read() as connection:
            count = (
                await connection.execute(
                    select(func.count()).where(
                        _check_ins.c.reminder_id == reminder_id, _check_ins.c.slot == slot
                    )
                )
            ).scalar_one()
        return int(count)


    async def check_ins(self, reminder_id: int, slot: str) -> list[CheckIn]:
        """Who checked in under one slot's message, first first."""
        return await self._check_ins_where(
            (_check_ins.c.reminder_id == reminder_id) & (_check_ins.c.slot == slot)
        )

    async def check_ins_since(self, reminder_id: int, first_slot: str) -> list[CheckIn]:
        """Every check-in of the reminder from slot key `first_slot` on (slot keys sort by
        date: "2026-11-23T21:00"); what the nudge and the weekly summary count."""
        return await self._check_ins_where(
            (_check_ins.c.reminder_id == reminder_id) & (_check_ins.c.slot >= first_slot)
        )

    async def _check_ins_where(self, condition: Any) -> list[CheckIn]:
        async with self._db.read() as connection:
            rows = (
                await connection.execute(
                    select(_check_ins.c.user_id, _check_ins.c.name, _check_ins.c.slot)
                    .where(condition)
                    .order_by(_check_ins.c.created_at, _check_ins.c.user_id)
                )
            ).all()
        return [CheckIn(user_id=row.user_id, name=row.name, slot=row.slot) for row in rows]

    async def set_quiet(self, chat_id: int, user_id: int, quiet: bool) -> bool:
        """Opt a member out of (or back into) a group's nudge; True when that changed it."""
        async with self._db.write() as connection:
            if quiet:
                return await insert_or_ignore(
                    connection,
                    _quiet,
                    {"chat_id": chat_id, "user_id": user_id, "created_at": self._clock()},
                    conflict_columns=["chat_id", "user_id"],
                )
            result = await connection.execute(
                delete(_quiet).where(_quiet.c.chat_id == chat_id, _quiet.c.user_id == user_id)
            )
        return result.rowcount > 0

    async def quiet_members(self, chat_id: int) -> set[int]:
        async with self._db.read() as connection:
            rows = (
                await connection.execute(
                    select(_quiet.c.user_id).where(_quiet.c.chat_id == chat_id)
                )
            ).scalars()
            return set(rows)


async def delete_reminder_children(connection: AsyncConnection, reminder_ids: list[int]) -> None:
    # Explicit instead of relying on ON DELETE CASCADE alone: it holds even on a SQLite
    # connection opened elsewhere without `PRAGMA foreign_keys=ON`.
    if not reminder_ids:
        return
    await connection.execute(delete(_sends).where(_sends.c.reminder_id.in_(reminder_ids)))
    await connection.execute(delete(_check_ins).where(_check_ins.c.reminder_id.in_(reminder_ids)))
