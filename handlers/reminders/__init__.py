"""Reminders: a group's daily reading reminders set up by its admins (/reminders with its panel,
/stopreminders), a person's own (/remind, with snooze buttons), and "✅ I read it" under every
group reminder.

    admin.py     /reminders, /stopreminders and the panel's presses (admins only, re-checked)
    panel.py     the panel's screens: which one a press leads to, and how each looks (pure)
    remind.py    /remind 21:00, /remind off, /remind
    snooze.py    "⏰ In 30 minutes" under a private reminder
    checkin.py   "✅ I read it": the count, and credit on Quran.com or a private question
    delivery.py  the reminder message itself and sending it (the services' `ReminderSender`)
    follow_ups.py the evening nudge and weekly summary messages; /quiet
    buttons.py   every press, typed

The rules are `bot.services.reminders` (changes and due times), `bot.services.reminder_delivery`
(the minute tick: what is due, exactly once, paced) and `bot.services.check_ins`; the JobQueue
wiring is `bot.app.scheduler`; schedule maths `bot.domain.reminders`.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from telegram.ext import Application, CommandHandler, filters

from bot.services.reminder_delivery import delivery_of
from handlers.callbacks import on_press
from handlers.reminders.admin import panel_pressed, reminders_command, stop_reminders_command
from handlers.reminders.buttons import PANEL_PRESSES, CheckIn, Snooze
from handlers.reminders.checkin import check_in_pressed
from handlers.reminders.delivery import TelegramReminderSender
from handlers.reminders.follow_ups import TelegramFollowUpSender, quiet_command
from handlers.reminders.remind import remind_command
from handlers.reminders.snooze import snooze_pressed

__all__ = ["TelegramFollowUpSender", "TelegramReminderSender", "on_startup", "register"]

logger = logging.getLogger(__name__)


async def on_startup(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Due times for reminders stored without one, and the first tick: what was missed while
    the bot was down (< 1 h) goes out now."""
    outcomes = await delivery_of(application).start()
    if outcomes:
        # Counted, not listed: a catch-up can be 100,000 reminders long.
        logger.info("reminder catch-up at start: %s", dict(Counter(outcomes)))


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    writing = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("reminders", reminders_command, writing))
    application.add_handler(CommandHandler("stopreminders", stop_reminders_command, writing))
    application.add_handler(CommandHandler("remind", remind_command, writing))
    application.add_handler(CommandHandler("quiet", quiet_command, writing))
    application.add_handler(on_press(Snooze, snooze_pressed))
    for press in PANEL_PRESSES:
        application.add_handler(on_press(press, panel_pressed))
    application.add_handler(on_press(CheckIn, check_in_pressed))
