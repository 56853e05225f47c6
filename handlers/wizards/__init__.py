"""One wizard at a time, and one rule for all of them.

Starting a wizard ends any other the same person left open; any other command ends the open
wizard with a visible note; typed "cancel"/"إلغاء" is /cancel; stickers, photos and voice get
the wizard's hint (see `rules.py`; each flow declares its texts with `declare`).

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
    apply_wizard_rules,
    end_conversations,
)
from handlers.wizards.rules import WizardRules, declare

#: What other flows use: /forget ends every conversation of the person it erases; each wizard
#: declares its closing note and hint.
__all__ = ["WizardRules", "declare", "end_conversations", "register"]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(TypeHandler(Update, apply_wizard_rules), group=WIZARD_GUARD_GROUP)
