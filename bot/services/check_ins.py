"""Checking in under a group reminder ("I read it"): who read, and crediting the group's portion
to each member's own Quran.com account.

The portion credited is the one stored with the message when it was sent (see
`bot.services.wird`), never the reminder's current one. A press counts only under the message
that was really sent for that reminder and slot (the send
log keeps its message id), so a forged or outdated button checks in to nothing. A member is
counted once per slot. When the portion reads as verses, a linked member gets it credited once
(the claim in the credit log is taken before Quran.com is called and given back when the call
surely failed); free text such as "pages 21-40" cannot be credited as is, so the member is asked
what they read instead.
"""

from __future__ import annotations

import logging
from typing import Literal

from bot.domain.reminders import local_today, parse_slot
from bot.qf import LinkExpired, NotLinked, QFError
from bot.services.deps import Deps
from bot.services.reminders import mushaf_for
from storage import CheckIn, Reminder

logger = logging.getLogger(__name__)

#: What became of the credit: "credited"; "already_credited" (an earlier press did it);
#: "not_linked" (no Quran.com account); "link_expired" (the link stopped working just now);
#: "free_text" (the portion is no verse range, or there is none: nothing to credit).
Credit = Literal["credited", "already_credited", "not_linked", "link_expired", "free_text"]


async def checked_in_reminder(
    deps: Deps, reminder_id: int, slot: str, chat_id: int, message_id: int
) -> Reminder | None:
    """The group reminder a press under message `message_id` in `chat_id` checks in to, or None
    when that message is not the one sent for this reminder and slot."""
    reminder = await deps.reminders.get(reminder_id)
    if reminder is None or reminder.kind != "group" or reminder.chat_id != chat_id:
        return None
    if await deps.reminders.slot_message(reminder.id, slot) != message_id:
        return None
    return reminder


async def check_in(
    deps: Deps, reminder: Reminder, slot: str, user_id: int, name: str | None = None
) -> list[CheckIn] | None:
    """Count the member in; everyone checked in under this message so far (first first), or
    None if they were counted already."""
    if not await deps.reminders.record_check_in(reminder.id, slot, user_id, name):
        return None
    return await deps.reminders.check_ins(reminder.id, slot)


async def shown_portion(deps: Deps, reminder: Reminder, slot: str) -> str | None:
    """The portion the message of this slot showed (not the reminder's current one)."""
    sent = await deps.reminders.sent(reminder.id, slot)
    return sent.portion if sent is not None else None


async def credit_portion(
    deps: Deps, user_id: int, reminder: Reminder, slot: str, *, timezone: str | None
) -> Credit:
    """Credit the group's portion to the member's account, once per slot.

    `timezone` is the member's (else the group's): "today" is their day, and a slot of an
    earlier day is credited to that day. Raises QFError when Quran.com failed otherwise.
    """
    if await deps.accounts.get(user_id) is None:
        return "not_linked"
    # Exactly what the message showed: the wird may have moved on, the admin may have changed
    # the portion since (issue 14). A message sent before portions were stored credits nothing.
    sent = await deps.reminders.sent(reminder.id, slot)
    ranges = list(sent.ranges) if sent is not None and sent.ranges else None
    if ranges is None:
        return "free_text"
    key = f"chk:{reminder.id}:{slot}"  # stored: keep the spelling
    if not await deps.credits.claim(user_id, key):
        return "already_credited"
    try:
        session = deps.qf.for_user(user_id, timezone=timezone)
        mushaf_id = await mushaf_for(deps, user_id, reminder.chat_id)
        seconds = await session.estimate_reading_time(ranges)
        day, _ = parse_slot(slot)
        today = local_today(deps.clock(), session.timezone or reminder.timezone)
        await session.add_activity_day(
            ranges, seconds, mushaf_id, date=day if day < today else None
        )
    except (NotLinked, LinkExpired):
        await deps.credits.release(user_id, key)
        return "link_expired"
    except QFError as error:
        # After an ambiguous failure the credit may have been recorded: keep the claim.
        if not getattr(error, "ambiguous", False):
            await deps.credits.release(user_id, key)
        logger.info("check-in credit failed for reminder %s: %s", reminder.id, error)
        raise
    return "credited"
