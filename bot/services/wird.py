"""The portion a group reminder shows, and the wird moving on when it is sent.

`portion_for_send` runs once per claimed slot, before the message goes out: for a moving wird it
moves the stored position on by the rule of `bot.domain.wird.advance_position` (per reminder
day sent) and answers the day's portion; for a fixed portion the portion itself. The delivery
stores what it answered with the slot (`ReminderRepository.set_slot_portion`), so a check-in
credits exactly what that message showed, even after the admin changed the portion or the wird
moved on.

`todays_and_next` is the panel's view of the same rule, without moving anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.reminders import portion_ranges
from bot.domain.wird import Portion, Wird, advance_position, portion_on
from bot.services.deps import Deps
from storage import Reminder

#: Attempts to move the position when others move it at the same moment (compare-and-set).
_MOVE_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class ShownPortion:
    """What one reminder message shows as the day's portion, and what a check-in credits."""

    text: str
    #: API verse ranges, or None when it cannot be credited as is (free text, pages for now).
    ranges: list[str] | None
    #: The last portion of a khatm round: the message congratulates the group.
    completes_round: bool = False
    round_number: int = 1


def wird_of(reminder: Reminder) -> Wird | None:
    return Wird.from_spec(reminder.wird) if reminder.wird else None


def shown(portion: Portion, language: str | None) -> ShownPortion:
    return ShownPortion(
        text=portion.text(language or "en"),
        ranges=portion.verse_ranges(),
        completes_round=portion.completes_round,
        round_number=portion.round_number,
    )


async def portion_for_send(
    deps: Deps, reminder: Reminder, day: date, language: str | None
) -> ShownPortion | None:
    """The portion of the reminder sent on local `day`, moving a wird on to it (idempotent:
    the same day, or a retried send, shows the same portion)."""
    wird = wird_of(reminder)
    if wird is None:
        if not reminder.portion:
            return None
        return ShownPortion(reminder.portion, portion_ranges(reminder.portion))
    current: Reminder | None = reminder
    for _ in range(_MOVE_ATTEMPTS):
        current = await deps.reminders.get(reminder.id)
        if current is None or current.wird != reminder.wird:
            break
        index, on = advance_position(current.wird_index, current.wird_day, day)
        if (index, on) == (current.wird_index, current.wird_day) or await deps.reminders.move_wird(
            reminder.id, expected=(current.wird_index, current.wird_day), to=(index, on)
        ):
            return shown(wird.portion(index), language)
    # Changed under us (the admin set a new portion just now): show the new one's start.
    return shown(wird.portion(0), language)


@dataclass(frozen=True, slots=True)
class WirdView:
    today: Portion
    tomorrow: Portion


def wird_view(reminder: Reminder, today: date) -> WirdView | None:
    """The wird's portion today and on the next reminder day (the panel), moving nothing."""
    wird = wird_of(reminder)
    if wird is None:
        return None
    index, on = advance_position(reminder.wird_index, reminder.wird_day, today)
    return WirdView(
        today=wird.portion(index),
        tomorrow=portion_on(wird, index, on, today + timedelta(days=1)),
    )
