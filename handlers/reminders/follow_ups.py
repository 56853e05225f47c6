"""Putting a group's nudge and weekly summary into the chat (the services' `FollowUpSender`),
and `/quiet`, with which a member opts out of being mentioned by the nudge in that group.

Both messages go through the one send budget as bulk: replies to people go first, and the
group's 20 messages a minute is never exceeded (one message a day each, besides).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes, ExtBot

from bot.app.send_budget import Priority
from bot.i18n import get_translator
from bot.presentation.group_reading import nudge_text, summary_text
from bot.services.deps import deps_of
from bot.services.group_follow_ups import FollowUpResult, Nudge, Summary
from handlers.context import translator_for

logger = logging.getLogger(__name__)


class TelegramFollowUpSender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_nudge(self, nudge: Nudge) -> FollowUpResult:
        return await self._send(nudge.chat_id, nudge_text(nudge.members, get_translator(
            nudge.language)))

    async def send_summary(self, summary: Summary) -> FollowUpResult:
        khatm = summary.khatm
        text = summary_text(
            summary.week,
            get_translator(summary.language),
            khatm=(khatm.finished, khatm.taken, khatm.total) if khatm else None,
        )
        return await self._send(summary.chat_id, text)

    async def _send(self, chat_id: int, text: str) -> FollowUpResult:
        extra: dict[str, Any] = {}
        if isinstance(self.bot, ExtBot) and self.bot.rate_limiter is not None:
            # Bulk: waits behind replies to people in the one send budget.
            extra["rate_limit_args"] = Priority.BULK
        try:
            await self.bot.send_message(chat_id, text, **extra)
        except Forbidden:
            return "blocked"
        except BadRequest as error:
            if "chat not found" in str(error).lower():
                return "blocked"
            logger.warning("follow-up to %s refused: %s", chat_id, error)
            return "failed"
        except TelegramError as error:
            logger.warning("follow-up to %s not sent: %s", chat_id, error)
            return "failed"
        return "sent"


async def quiet_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/quiet` in a group: never mention me in this group's nudge; `/quiet off` undoes it."""
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    if message is None or chat is None:
        return
    t = await translator_for(update, context)
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        await message.reply_text(
            t.gettext("Send /quiet in the group whose reminders should not mention you.")
        )
        return
    if user is None or message.sender_chat is not None:
        await message.reply_text(t.gettext("/quiet works for members writing as themselves."))
        return
    words = (context.args or [])
    quiet = not (words and words[0].casefold() in {"off", "no", "stop", "إيقاف", "ايقاف"})
    await deps_of(context).reminders.set_quiet(chat.id, user.id, quiet)
    if quiet:
        text = t.gettext(
            "🤫 Noted: the reminder nudge will not mention you in this group. "
            "<code>/quiet off</code> undoes it."
        )
    else:
        text = t.gettext("🔔 The reminder nudge may mention you again in this group.")
    await message.reply_text(text)
