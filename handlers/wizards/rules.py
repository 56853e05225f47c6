"""One rule for every wizard, applied in one place before any flow sees the update.

- Any command a wizard does not take itself ends it, with a visible note ("Goal setup closed;
  nothing changed"), and then runs as usual. Before, /help or /today left the wizard waiting
  silently, and the next thing typed was taken as an answer to a question no longer on screen.
- "cancel" or "إلغاء" typed as an answer does what /cancel does in that wizard.
- A sticker, photo, voice message (anything a step cannot take) gets the wizard's hint instead
  of silence.

Each flow declares its wizard's texts with `declare` (kept in `bot_data`, since wizards are
built per Application); a wizard that declares no closing note (the timezone question, which
keeps itself open across /login) is only ended by another wizard's command, as before.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
)

from handlers.context import translator_for

#: bot_data key of the declared rules, by conversation name.
RULES_KEY = "wizard_rules"
#: What typed alone means "/cancel" in every wizard (any case, stray spaces and a final dot).
_CANCEL_WORDS = re.compile(r"\s*(?:cancel|stop|إلغاء|الغاء|الإلغاء|إلغاء الأمر)\s*[.!]?\s*",
                           re.IGNORECASE)


@dataclass(frozen=True)
class WizardRules:
    """A wizard's part of the one rule: `closed` is said when a command ends it (None: end it
    quietly, and only for another wizard's command), `hint` answers what its steps cannot take
    (msgids marked with N_), and `on_close` forgets its answers so its old buttons say so."""

    name: str
    closed: str | None
    hint: str | None
    on_close: Callable[[ContextTypes.DEFAULT_TYPE], None] | None = None


def declare(application: Application[Any, Any, Any, Any, Any, Any], rules: WizardRules) -> None:
    application.bot_data.setdefault(RULES_KEY, {})[rules.name] = rules


def rules_of(
    application: Application[Any, Any, Any, Any, Any, Any], handler: ConversationHandler[Any]
) -> WizardRules | None:
    declared = application.bot_data.get(RULES_KEY, {})
    return declared.get(handler.name) if handler.name else None


def is_cancel_word(text: str) -> bool:
    return _CANCEL_WORDS.fullmatch(text) is not None


def cancel_callback(handler: ConversationHandler[Any]) -> Any:
    """The wizard's own /cancel callback, so typed "cancel" says and does exactly the same."""
    for fallback in handler.fallbacks:
        if isinstance(fallback, CommandHandler) and "cancel" in fallback.commands:
            return fallback.callback
    return None


async def run_cancel(
    update: Update, context: ContextTypes.DEFAULT_TYPE, handler: ConversationHandler[Any]
) -> bool:
    """Run the wizard's /cancel for typed "cancel"; False when it has none."""
    callback = cancel_callback(handler)
    if callback is None:
        return False
    # A wizard's cancel may raise ApplicationHandlerStop as its way of saying "handled"; the
    # guard stops the update anyway.
    with contextlib.suppress(ApplicationHandlerStop):
        await callback(update, context)
    return True


async def say(update: Update, context: ContextTypes.DEFAULT_TYPE, msgid: str) -> None:
    message = update.effective_message
    if message is None:
        return
    t = await translator_for(update, context)
    await message.reply_text(t.gettext(msgid))
