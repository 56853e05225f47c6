"""Reading goals: the /goal wizard, one-liners (`/goal 15min`) with Undo, /goal edit and delete.

A user has one Quran goal at a time: when today's plan shows one, a new goal replaces it (see
`bot.services.goals.apply_goal`) instead of creating a second. Goals change the user's account,
so they are set in the private chat; /goal in a group offers a button that opens it there.

    wizard.py     /goal, the wizard's conversation and its buttons
    steps.py      starting the wizard and showing a step
    screens.py    each step's text and buttons
    typed.py      answers typed in the wizard
    draft.py      the wizard's persisted answers and the way through its steps
    oneliners.py  `/goal 15min` and friends, "Replace it"
    manage.py     delete (asked first) and Undo
    buttons.py    the button classes and the private-chat guard for presses
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CommandHandler, filters

from bot.i18n import N_
from handlers.callbacks import on_press
from handlers.goals.buttons import DeleteGoal, DropPendingGoal, KeepGoal, SetPendingGoal, UndoGoal
from handlers.goals.draft import drop_draft
from handlers.goals.manage import delete_pressed, keep_pressed, undo_pressed
from handlers.goals.oneliners import keep_current_pressed, replace_pressed
from handlers.goals.wizard import (
    CONVERSATION_NAME,
    GOAL_DEEP_LINK,
    build_conversation,
    goal_deep_link,
    goal_in_group,
)
from handlers.wizards import WizardRules, declare

#: Handler group of the `/start goal` deep link: before handlers.timezone's group -1.
DEEP_LINK_GROUP = -2

__all__ = ["register"]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # The group button's deep link opens the wizard. It must run before the /start handlers
    # of handlers.timezone (group -1, which lets any other payload through) and handlers.start
    # (group 0), and stop them, or the welcome would answer instead.
    application.add_handler(
        CommandHandler(
            "start",
            goal_deep_link,
            filters.ChatType.PRIVATE
            & filters.UpdateType.MESSAGE
            & filters.Regex(rf"^/start(@\w+)?\s+{GOAL_DEEP_LINK}\s*$"),
        ),
        group=DEEP_LINK_GROUP,
    )
    application.add_handler(build_conversation())
    declare(application, WizardRules(
        CONVERSATION_NAME,
        closed=N_("Goal setup closed; nothing changed."),
        hint=N_("Please answer with the buttons above or by typing; /cancel closes the goal "
                "setup."),
        # Its old buttons then say the setup has ended instead of acting on stale answers.
        on_close=drop_draft,
    ))
    application.add_handler(
        CommandHandler("goal", goal_in_group, ~filters.ChatType.PRIVATE
                       & filters.UpdateType.MESSAGE)
    )
    # Undo, delete and replace confirmations, outside the wizard.
    application.add_handler(on_press(UndoGoal, undo_pressed))
    application.add_handler(on_press(DeleteGoal, delete_pressed))
    application.add_handler(on_press(KeepGoal, keep_pressed))
    application.add_handler(on_press(SetPendingGoal, replace_pressed))
    application.add_handler(on_press(DropPendingGoal, keep_current_pressed))
