"""Reading progress: /today (today's plan with "I read it" buttons), /read (credit reading done
anywhere to Quran.com) and /progress (streak, goal, days left and a 30-day chart).

Everything acts for the person who sent the command or pressed the button, never for whoever
owns the message. In groups, /today and /progress are delivered in the private chat (they show
goals and streaks the user did not post), and /read answers with no more than the user wrote.

    today.py     /today, and its Refresh, "I read it", "+N min" and page buttons
    read.py      /read, "Try again", the answer to "a surah, a juz or minutes?", and to
                 "Log it again?" (asked by checks.py before a repeated or very large credit)
    progress.py  /progress and its button
    answers.py   the private-chat delivery and "how the credit went" every path shares
    buttons.py   the button classes (each carries its owner) and the owner check

Public surface for other flows: `ShowToday`, the "📅 Today's plan" button's data.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CommandHandler, filters

from handlers.callbacks import on_press
from handlers.reading.buttons import (
    CancelRead,
    ConfirmRead,
    PickMeaning,
    QuickTime,
    ReadPages,
    ReadRest,
    RetryRead,
    ShowProgress,
    ShowToday,
)
from handlers.reading.progress import progress_command, progress_pressed
from handlers.reading.read import (
    cancel_pressed,
    confirm_pressed,
    meaning_pressed,
    read_command,
    retry_pressed,
)
from handlers.reading.today import (
    pages_pressed,
    quick_time_pressed,
    refresh_pressed,
    rest_pressed,
    today_command,
)

__all__ = ["ShowToday", "register"]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Writing commands ignore edited messages: editing "/read 2:1-2:40" must not credit again.
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("today", today_command, only_new))
    application.add_handler(CommandHandler("read", read_command, only_new))
    application.add_handler(CommandHandler("progress", progress_command, only_new))
    application.add_handler(on_press(ShowToday, refresh_pressed))
    application.add_handler(on_press(ShowProgress, progress_pressed))
    application.add_handler(on_press(ReadRest, rest_pressed))
    application.add_handler(on_press(QuickTime, quick_time_pressed))
    application.add_handler(on_press(ReadPages, pages_pressed))
    application.add_handler(on_press(RetryRead, retry_pressed))
    application.add_handler(on_press(PickMeaning, meaning_pressed))
    application.add_handler(on_press(ConfirmRead, confirm_pressed))
    application.add_handler(on_press(CancelRead, cancel_pressed))
