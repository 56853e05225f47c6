"""Putting a due reminder into its chat: the message, its buttons, and Telegram's answers.

`bot.services.reminder_delivery` decides what is due and claims it; this is its
`ReminderSender`. A group reminder carries "✅ I read it" (the reminder and its slot), a private
one its snooze choices. Each request waits for the fan-out's send gate right before it leaves;
a 429 that got past AIORateLimiter's own retry is retried here after the wait Telegram asks for.
What Telegram's errors mean for the chat (blocked, migrated, maybe delivered) is told back to
the service, which owns the send log and the chat's state.
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.domain.pacing import FanOut
from bot.domain.reminders import SNOOZE_MINUTES
from bot.i18n import Translator, get_translator
from bot.presentation.reminders import group_nudge, private_nudge, snooze_label
from bot.qf import TodaysPlan
from bot.services.reminder_delivery import Migrated, SendResult, Sent
from bot.services.wird import ShownPortion
from handlers.callbacks import button
from handlers.reminders.buttons import CheckIn, Snooze
from storage import Reminder

logger = logging.getLogger(__name__)

#: Extra attempts after AIORateLimiter's own retry, when Telegram still answers 429.
FLOOD_RETRIES = 2


def reminder_message(
    reminder: Reminder,
    slot: str,
    t: Translator,
    *,
    plan: TodaysPlan | None = None,
    portion: ShownPortion | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """Text and buttons of a reminder: a check-in button in groups, snoozes in private."""
    if reminder.kind == "group":
        check_in = button(t.gettext("✅ I read it"), CheckIn.for_slot(reminder.id, slot))
        text = group_nudge(
            reminder.text,
            portion.text if portion else None,
            t,
            completes_round=portion is not None and portion.completes_round,
        )
        return text, InlineKeyboardMarkup([[check_in]])
    snoozes = [
        button(snooze_label(minutes, t), Snooze(reminder_id=reminder.id, minutes=minutes))
        for minutes in SNOOZE_MINUTES
    ]
    progress = plan.progress if plan is not None else None
    return private_nudge(reminder.text, progress, t), InlineKeyboardMarkup([snoozes])


def _retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB warns that the int will become a timedelta; both are handled below.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: object = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if isinstance(value, int | float) else 1.0


class TelegramReminderSender:
    """Sends reminders with the application's bot, paced by the instance's `FanOut`."""

    def __init__(self, bot: Bot, fan_out: FanOut) -> None:
        self.bot = bot
        self.fan_out = fan_out

    async def send(
        self, reminder: Reminder, slot: str, plan: TodaysPlan | None, *, chat_id: int,
        language: str | None, portion: ShownPortion | None = None,
    ) -> SendResult:
        text, markup = reminder_message(
            reminder, slot, get_translator(language), plan=plan, portion=portion
        )
        try:
            message = await self._send_with_retries(chat_id, text, markup)
        except ChatMigrated as migrated:
            return Migrated(migrated.new_chat_id)
        except Forbidden:
            return "blocked"
        except BadRequest as error:
            if "chat not found" in str(error).lower():
                return "blocked"
            logger.error("reminder %s refused by Telegram: %s", reminder.id, error)
            return "maybe_sent"
        except TimedOut:
            # The message may have arrived; keeping the claim risks a missed nudge, never a
            # duplicate one.
            logger.warning("reminder %s slot %s timed out", reminder.id, slot)
            return "maybe_sent"
        except (RetryAfter, NetworkError) as error:
            logger.warning("reminder %s slot %s not sent: %s", reminder.id, slot, error)
            return "not_sent"
        return Sent(message.message_id)

    async def _send_with_retries(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup
    ) -> Message:
        """Send through the gate, retrying after a 429 that got past AIORateLimiter."""
        attempt = 0
        while True:
            try:
                async with self.fan_out.send_turn():
                    message: Message = await self.bot.send_message(
                        chat_id, text, reply_markup=markup
                    )
                return message
            except RetryAfter as error:
                attempt += 1
                if attempt > FLOOD_RETRIES:
                    raise
                await self.fan_out.sleep(_retry_seconds(error))
