"""One wizard at a time: starting a wizard ends any other the same person left open.

Each wizard (/goal, /note, /timezone, …) is its own ConversationHandler. Without a shared rule,
someone who leaves the note wizard half-way and starts /goal would later find their typed text
collected into the forgotten note. Everything a wizard collects is already saved (note drafts in
the database, goal answers in persisted user data), so ending it loses nothing: sending its
command again offers to continue.

`end_conversations` is also what /forget uses to drop whatever the person left open.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, TypeHandler

from handlers.wizards.conversations import (
    WIZARD_GUARD_GROUP,
    end_conversations,
    end_other_wizards,
)

#: What other flows use: /forget ends every conversation of the person it erases.
__all__ = ["end_conversations", "register"]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(TypeHandler(Update, end_other_wizards), group=WIZARD_GUARD_GROUP)
