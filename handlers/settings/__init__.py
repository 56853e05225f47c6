"""The /settings panel (private chats): language, default mushaf and timezone.

A stateless inline panel: every press re-reads the stored settings and edits the same message,
so it survives restarts, needs no conversation, and a stale panel can never write a value the
user did not just pick. The other flows own their settings: the timezone button hands over to
the timezone flow (the shared "Set my timezone" button), and the language page is
handlers.language's panel (its buttons), so a language chosen here also gets the chat its
command menu in that language.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CommandHandler, filters

from handlers.callbacks import on_press
from handlers.settings.buttons import ChooseMushaf, ClosePanel, ShowPage
from handlers.settings.panel import mushaf_chosen, page_pressed, panel_closed, settings_command


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(
        CommandHandler("settings", settings_command, filters.UpdateType.MESSAGE)
    )
    application.add_handler(on_press(ShowPage, page_pressed))
    application.add_handler(on_press(ChooseMushaf, mushaf_chosen))
    application.add_handler(on_press(ClosePanel, panel_closed))
