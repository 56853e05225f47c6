"""Reminders as people set them, and when each is next due.

A group's reminder is changed by its admins (the panel, `/reminders time …`), a person's by
/remind; either way the change is stored first and then `refresh` stores when that reminder is
next due (and when its group follow-ups are), computed from what was just stored. A tick once a
minute (`bot.services.reminder_delivery`) claims what is due through those indexed times, so
nothing is held in memory per reminder and any bot instance may send what another one planned.

Chat life lives here too, because it is mostly about reminders: a chat that blocked or removed
the bot has its reminders turned off at once, and a group that became a supergroup takes its
settings, reminders and chat data along to its new id.

Sending a due reminder is `bot.services.reminder_delivery`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Literal

from bot.domain.group_reading import next_follow_up_at
from bot.domain.reminders import (
    ALL_WEEKDAYS,
    MAX_TIMES,
    TICK_GRACE,
    Schedule,
    clean_portion,
    load_zone,
    next_due_at,
    snooze_until,
)
from bot.domain.wird import FIXED_WORDS, parse_wird
from bot.qf import QFError, TodaysPlan
from bot.services.deps import Deps, HasBotData
from storage import DEFAULT_MUSHAF_ID, Reminder

logger = logging.getLogger(__name__)

#: `bot_data` key of the application's `Reminders`.
REMINDERS_KEY = "reminders"


#: Reminders given their due times per batch at start (rows stored before due times existed);
#: small enough that one batch never holds the event loop for long.
BACKFILL_BATCH = 200


def schedule_of(reminder: Reminder) -> Schedule:
    return Schedule(reminder.times, reminder.weekdays, reminder.timezone)


def follow_up_at(
    reminder: Reminder, after: datetime, *, open_windows: bool = False
) -> datetime | None:
    """When the group's nudge or weekly summary is next due (None for a person's reminder)."""
    if reminder.kind != "group":
        return None
    return next_follow_up_at(
        reminder.times, reminder.weekdays, load_zone(reminder.timezone),
        nudge=reminder.nudge_enabled, summary=reminder.summary_enabled, after=after,
        open_windows=open_windows,
    )


async def group_reminder(deps: Deps, chat_id: int) -> Reminder | None:
    """The chat-wide reminder of a group (a group has at most one)."""
    for reminder in await deps.reminders.for_chat(chat_id):
        if reminder.kind == "group":
            return reminder
    return None


async def private_reminder(deps: Deps, user_id: int) -> Reminder | None:
    """A person's own reminder in their private chat (at most one)."""
    for reminder in await deps.reminders.for_chat(user_id):
        if reminder.kind == "private":
            return reminder
    return None


async def mushaf_for(deps: Deps, user_id: int, chat_id: int) -> int:
    """The person's own mushaf, else the chat's: pages are counted in the reader's print."""
    for owner in dict.fromkeys((user_id, chat_id)):  # a private chat is read once
        settings = await deps.chats.get(owner)
        if settings is not None:
            return settings.mushaf_id
    return DEFAULT_MUSHAF_ID


async def todays_plan(deps: Deps, user_id: int, timezone: str) -> TodaysPlan | None:
    """Today's goal plan of a person, or None when unknown (not linked, no goal, Quran.com
    unreachable): then a reminder goes out anyway and /remind promises nothing."""
    if await deps.accounts.get(user_id) is None:
        return None
    try:
        session = deps.qf.for_user(user_id, timezone=timezone)
        return await session.find_todays_plan(await mushaf_for(deps, user_id, user_id))
    except QFError as error:
        logger.info("today's plan of %s unavailable (%s)", user_id, error)
        return None


def _keep_chat_data(old_chat_id: int, new_chat_id: int) -> None:
    """Without a bot around (scripts, tests of this module) there is no chat data to move."""


class Reminders:
    """Every change to reminders, each followed by storing when the reminder is next due."""

    def __init__(
        self, deps: Deps, *, move_chat_data: Callable[[int, int], None] = _keep_chat_data
    ) -> None:
        self.deps = deps
        self._move_chat_data = move_chat_data

    # -- due times -------------------------------------------------------------------------------

    async def refresh(self, reminder_id: int) -> Reminder | None:
        """Store when the reminder is next due, from what is stored now (never, if it is off,
        gone or its chat is)."""
        reminder = await self.deps.reminders.get(reminder_id)
        if reminder is None:
            return None
        return await self._store_due_times(reminder)

    async def _store_due_times(self, reminder: Reminder) -> Reminder | None:
        due: datetime | None = None
        follow_up: datetime | None = None
        if reminder.enabled:
            chat = await self.deps.chats.get(reminder.chat_id)
            if chat is None or chat.active:
                now = self.deps.clock()
                # A time set in the very seconds it is due still goes out today.
                due = next_due_at(
                    schedule_of(reminder), reminder.snoozed_until, now - TICK_GRACE
                )
                follow_up = follow_up_at(reminder, now, open_windows=True)
        return await self.deps.reminders.set_due(
            reminder.id, next_due_at=due, follow_up_at=follow_up
        )

    async def refresh_chat(self, chat_id: int) -> None:
        for reminder in await self.deps.reminders.for_chat(chat_id):
            await self._store_due_times(reminder)

    async def backfill(self) -> int:
        """Give every enabled reminder stored without a due time one (rows written before due
        times existed), a batch at a time with a pause between batches: other updates go on
        while a large table is filled in. Returns how many were looked at."""
        seen, after_id = 0, 0
        while batch := await self.deps.reminders.without_due_time(
            after_id=after_id, limit=BACKFILL_BATCH
        ):
            for reminder in batch:
                # Read again: a change made while the batch was in hand must not be undone.
                await self.refresh(reminder.id)
            seen += len(batch)
            after_id = batch[-1].id
            await asyncio.sleep(0)
        return seen

    # -- a group's reminder (its admins) ---------------------------------------------------------

    async def _zone_for_new_reminder(self, chat_id: int) -> str:
        settings = await self.deps.chats.get(chat_id)
        return settings.timezone if settings and settings.timezone else "UTC"

    async def add_group_time(
        self, chat_id: int, hhmm: str, user_id: int | None
    ) -> Reminder | None:
        """Add a time (creating the group's reminder on the first one); None when full."""
        reminder = await group_reminder(self.deps, chat_id)
        if reminder is None:
            reminder = await self.deps.reminders.create(
                chat_id=chat_id,
                times=[hhmm],
                weekdays=ALL_WEEKDAYS,
                timezone=await self._zone_for_new_reminder(chat_id),
                user_id=user_id,
                kind="group",
            )
        elif hhmm not in reminder.times:
            if len(reminder.times) >= MAX_TIMES:
                return None
            reminder = await self.deps.reminders.update(
                reminder.id, times=[*reminder.times, hhmm]
            )
        if reminder is not None:
            await self.refresh(reminder.id)
        return reminder

    async def set_group_times(
        self, chat_id: int, times: Iterable[str], user_id: int | None
    ) -> None:
        """Replace the group's times (the first `MAX_TIMES`, earliest first)."""
        wanted = sorted(set(times))[:MAX_TIMES]
        reminder = await group_reminder(self.deps, chat_id)
        if reminder is None:
            reminder = await self.add_group_time(chat_id, wanted[0], user_id)
        if reminder is not None:
            await self.deps.reminders.update(reminder.id, times=wanted)
            await self.refresh(reminder.id)

    async def remove_group_time(self, chat_id: int, hhmm: str) -> bool:
        """False when `hhmm` is the only time left (turning off is the way to stop)."""
        reminder = await group_reminder(self.deps, chat_id)
        if reminder is None or hhmm not in reminder.times:
            return True  # already gone: the refreshed panel shows the truth
        if len(reminder.times) == 1:
            return False
        await self.deps.reminders.update(
            reminder.id, times=[value for value in reminder.times if value != hhmm]
        )
        await self.refresh(reminder.id)
        return True

    async def toggle_group_day(self, chat_id: int, day: int) -> bool:
        """False when `day` is the only day left."""
        reminder = await group_reminder(self.deps, chat_id)
        if reminder is None:
            return True
        days = set(reminder.weekdays) ^ {day}
        if not days:
            return False
        await self.deps.reminders.update(reminder.id, weekdays=sorted(days))
        await self.refresh(reminder.id)
        return True

    async def set_group_days(self, chat_id: int, days: Iterable[int]) -> Reminder | None:
        """None when the group has no reminder yet (days need a time first)."""
        reminder = await group_reminder(self.deps, chat_id)
        if reminder is None:
            return None
        await self.deps.reminders.update(reminder.id, weekdays=days)
        return await self.refresh(reminder.id)

    async def set_group_timezone(self, chat_id: int, zone: str) -> None:
        await self.deps.chats.update(chat_id, timezone=zone)
        reminder = await group_reminder(self.deps, chat_id)
        if reminder is not None and reminder.timezone != zone:
            await self.deps.reminders.update(reminder.id, timezone=zone)
            await self.refresh(reminder.id)

    async def set_group_enabled(self, chat_id: int, enabled: bool) -> Reminder | None:
        """None when the group has no reminder yet."""
        reminder = await group_reminder(self.deps, chat_id)
        if reminder is None:
            return None
        if enabled:
            # Turning reminders on here also means the bot is welcome in the chat again.
            await self.deps.chats.set_active(chat_id, True)
        updated = await self.deps.reminders.update(reminder.id, enabled=enabled)
        await self.refresh(reminder.id)
        return updated

    async def set_group_text(self, chat_id: int, text: str | None) -> Reminder | None:
        """The group's own message instead of the standard nudge (None: back to it)."""
        reminder = await group_reminder(self.deps, chat_id)
        if reminder is None:
            return None
        return await self.deps.reminders.update(reminder.id, text=text)

    async def set_group_portion(self, chat_id: int, portion: str | None) -> Reminder | None:
        """The group's portion: a moving wird when it reads as one (`juz 1`, `pages 1-20`,
        `Al-Mulk`, `2:1-2:141`: see `bot.domain.wird`), else, or after `fixed`, a portion
        that repeats as typed ("today: juz 2" keeps "juz 2"). Either starts from its first
        portion at the next reminder day."""
        reminder = await group_reminder(self.deps, chat_id)
        if reminder is None:
            return None
        if portion is None:
            return await self.deps.reminders.update(reminder.id, portion=None, wird=None)
        cleaned = clean_portion(portion)
        first, _, rest = cleaned.partition(" ")
        if first.casefold() in FIXED_WORDS and rest.strip():
            return await self.deps.reminders.update(reminder.id, portion=rest.strip(), wird=None)
        wird = parse_wird(cleaned)
        if wird is not None:
            return await self.deps.reminders.update(reminder.id, portion=None, wird=wird.spec)
        return await self.deps.reminders.update(reminder.id, portion=cleaned, wird=None)

    async def set_group_follow_up(
        self, chat_id: int, which: Literal["nudge", "summary"], enabled: bool
    ) -> Reminder | None:
        """Switch the group's evening nudge or its weekly summary on or off."""
        reminder = await group_reminder(self.deps, chat_id)
        if reminder is None:
            return None
        if which == "nudge":
            await self.deps.reminders.update(reminder.id, nudge_enabled=enabled)
        else:
            await self.deps.reminders.update(reminder.id, summary_enabled=enabled)
        return await self.refresh(reminder.id)

    # -- a person's reminder ---------------------------------------------------------------------

    async def set_private(
        self, user_id: int, times: Iterable[str], weekdays: Iterable[int], timezone: str
    ) -> Reminder:
        """Create or replace a person's reminder (on again, any snooze forgotten)."""
        wanted = sorted(set(times))[:MAX_TIMES]
        reminder = await private_reminder(self.deps, user_id)
        if reminder is None:
            reminder = await self.deps.reminders.create(
                chat_id=user_id, times=wanted, weekdays=weekdays, timezone=timezone,
                user_id=user_id, kind="private",
            )
        else:
            reminder = await self.deps.reminders.update(
                reminder.id, times=wanted, weekdays=weekdays, timezone=timezone,
                enabled=True, snoozed_until=None,
            ) or reminder
        await self.deps.chats.set_active(user_id, True)
        await self.refresh(reminder.id)
        return reminder

    async def stop_private(self, user_id: int) -> bool:
        """False when there was no reminder on to stop."""
        reminder = await private_reminder(self.deps, user_id)
        if reminder is None or not reminder.enabled:
            return False
        await self.deps.reminders.update(reminder.id, enabled=False, snoozed_until=None)
        await self.refresh(reminder.id)
        return True

    async def snooze(
        self, reminder_id: int, minutes: int, *, by: int
    ) -> Reminder | Literal["inactive", "not_yours"]:
        """Repeat a private reminder in `minutes` (on a whole minute), if `by` is its owner."""
        reminder = await self.deps.reminders.get(reminder_id)
        if reminder is None or not reminder.enabled or reminder.kind != "private":
            return "inactive"
        if by not in (reminder.user_id, reminder.chat_id):
            return "not_yours"
        until = snooze_until(self.deps.clock(), minutes)
        snoozed = await self.deps.reminders.update(reminder_id, snoozed_until=until)
        await self.refresh(reminder_id)
        if snoozed is None or snoozed.snoozed_until is None:
            return "inactive"
        return snoozed

    # -- chats -----------------------------------------------------------------------------------

    async def apply_chat_timezone(self, chat_id: int, timezone: str) -> None:
        """A chat's (or, for chat id == user id, a person's) timezone changed: move its
        reminders along so 21:00 stays 21:00 on the wall clock there."""
        for reminder in await self.deps.reminders.for_chat(chat_id):
            if reminder.timezone != timezone:
                await self.deps.reminders.update(reminder.id, timezone=timezone)
                await self.refresh(reminder.id)

    async def deactivate_chat(self, chat_id: int) -> None:
        """The bot was blocked, kicked or removed: no reminder may try this chat again (turning
        them off also clears their due times)."""
        await self.deps.chats.set_active(chat_id, False)
        await self.deps.reminders.disable_chat(chat_id)

    async def follow_migration(self, old_chat_id: int, new_chat_id: int) -> bool:
        """Move settings, reminders and chat data to the supergroup; True if this call did it.

        Safe to call for both service messages and from a failed send: only the first call
        finds the old chat row, so chat data is moved once (moving it again would overwrite
        the moved data with an empty dict).
        """
        moved = await self.deps.chats.migrate(old_chat_id, new_chat_id)
        if moved is None:
            return False
        self._move_chat_data(old_chat_id, new_chat_id)
        await self.refresh_chat(new_chat_id)
        return True


def reminders_of(source: HasBotData) -> Reminders:
    """The application's `Reminders` (installed by `bot.app.scheduler.install_reminders`)."""
    found = source.bot_data.get(REMINDERS_KEY)
    if not isinstance(found, Reminders):
        raise RuntimeError("no Reminders in bot_data: build the Application with bot.app")
    return found
