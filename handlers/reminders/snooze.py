"""Snooze under a private reminder: "⏰ In 30 minutes" repeats it once, later.

The press carries the reminder and one of the offered delays (`buttons.Snooze`); only the
reminder's owner may snooze it. The message keeps its text, loses its buttons and says until
when it is snoozed; the repeat comes with fresh buttons.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.presentation.reminders import snoozed_line
from bot.services.reminders import reminders_of, schedule_of
from handlers.context import translator_for
from handlers.reminders.buttons import Snooze
from handlers.replies import send


async def snooze_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: Snooze
) -> None:
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    snoozed = await reminders_of(context).snooze(
        press.reminder_id, press.minutes, by=query.from_user.id
    )
    if snoozed == "not_yours":
        await query.answer(t.gettext("This button is not for you."), show_alert=True)
        return
    if snoozed == "inactive" or snoozed.snoozed_until is None:
        await query.answer(t.gettext("This reminder is no longer active."), show_alert=True)
        return
    local = snoozed.snoozed_until.astimezone(schedule_of(snoozed).zone)
    line = snoozed_line(local.strftime("%H:%M"), t)
    await query.answer(line)
    message = query.message
    if isinstance(message, Message):
        base = message.text_html or ""
        await send(update, context, f"{base}\n\n{line}", None, edit=True)
