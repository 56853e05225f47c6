"""Shared scene for the reminder and group tests: a group with an admin and members, a
controllable clock, and shortcuts to the reminder services and their due times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from storage_helpers import ManualClock

from bot.domain.reminders import load_zone
from bot.services import reminder_delivery
from bot.services.reminder_delivery import ReminderDelivery
from bot.services.reminders import reminders_of
from handlers.reminders.buttons import CheckIn, Snooze
from handlers.reminders.readers_list import readers_list_editor
from sandbox.harness import BotHarness
from sandbox.telegram import FakeUser, TelegramWorld
from storage import Reminder, schema

GROUP_ID = -1001234
GROUP_TITLE = "Masjid Reading Circle"
ADMIN = FakeUser(2001, "Bilal", username="bilal")
MEMBER = FakeUser(2002, "Maryam", username="maryam")
OTHER_MEMBER = FakeUser(2003, "Yusuf", username="yusuf")
#: 20:59 in Cairo (UTC+2) on Monday 23 November 2026.
BEFORE_NINE_CAIRO = datetime(2026, 11, 23, 18, 59, tzinfo=UTC)
NINE_CAIRO = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
SLOT = "2026-11-23T21:00"


def add_group(world: TelegramWorld, chat_id: int = GROUP_ID) -> None:
    world.add_group(chat_id, GROUP_TITLE, admins=[ADMIN], members=[MEMBER, OTHER_MEMBER])


def delivery_of(bot: BotHarness) -> ReminderDelivery:
    delivery = reminder_delivery.delivery_of(bot.app)
    delivery.group_jitter = 0  # single deliveries in tests; the bench measures fan-outs
    return delivery


async def planned(bot: BotHarness, reminder_id: int | None = None) -> list[str]:
    """What the tick will send next, as "<reminder id>@<local HH:MM>" (all reminders with a due
    time, or one reminder's), sorted."""
    table = schema.reminders
    query = select(table.c.id, table.c.next_due_at, table.c.timezone).where(
        table.c.next_due_at.is_not(None)
    )
    if reminder_id is not None:
        query = query.where(table.c.id == reminder_id)
    async with bot.deps.database.read() as connection:
        rows = (await connection.execute(query)).all()
    return sorted(
        f"{row.id}@{row.next_due_at.astimezone(load_zone(row.timezone)):%H:%M}" for row in rows
    )


async def tick(bot: BotHarness) -> list[str]:
    """Run the minute tick now (at the harness clock's time): what it delivered."""
    return list(await delivery_of(bot).tick())


async def create_group_reminder(
    bot: BotHarness,
    *,
    chat_id: int = GROUP_ID,
    times: tuple[str, ...] = ("21:00",),
    timezone: str = "Africa/Cairo",
    portion: str | None = None,
    text: str | None = None,
) -> Reminder:
    await bot.deps.chats.ensure(chat_id, "group", GROUP_TITLE)
    await bot.deps.chats.update(chat_id, timezone=timezone)
    reminder = await bot.deps.reminders.create(
        chat_id=chat_id, times=times, weekdays=range(7), timezone=timezone, portion=portion,
        text=text, user_id=ADMIN.id, kind="group",
    )
    refreshed = await reminders_of(bot.app).refresh(reminder.id)
    assert refreshed is not None
    return refreshed


def reminder_messages(world: TelegramWorld, chat_id: int = GROUP_ID) -> list[dict[str, Any]]:
    """Bot messages in the chat that carry a check-in or snooze button."""
    return [
        message
        for message in world.sent(chat_id)
        if any(
            data and (CheckIn.parse(data) is not None or Snooze.parse(data) is not None)
            for _, data in world.buttons(message)
        )
    ]


async def press_check_in(
    bot: BotHarness, user: FakeUser, *, message: dict[str, Any] | None = None,
    chat_id: int = GROUP_ID,
) -> list[dict[str, Any]]:
    """Press "I read it" and wait for the list of readers to be edited (it is edited in the
    background, so the press is answered at once); the messages sent or edited."""
    first = len(bot.world.calls)
    await bot.press("✅", user=user, chat_id=chat_id, message=message)
    await readers_list_editor(bot.app).settled()
    return bot.messages_since(first)


def clock_at(moment: datetime) -> ManualClock:
    return ManualClock(moment)
