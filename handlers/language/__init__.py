"""/language: which language the bot speaks, per user in private chats and per group.

A private chat's stored language is the user's own choice; a group's applies to everyone in it
and only its admins may change it. With nothing stored, replies follow the Telegram app language
of whoever the bot is answering (`handlers.context.translator_for`), which is also what
"automatic" puts back.

Group admin rights are checked on every command and every button press, since an admin may be
demoted between the two and anybody in the group can press a panel's buttons. Anonymous admins
send commands as GroupAnonymousBot on behalf of the group; their button presses arrive under their
own account.

- `panel`: the panel, the confirmation and the names people type after /language;
- `choose`: the command and the buttons, which store the choice and set the chat's menu.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CommandHandler, filters

from handlers.callbacks import on_press
from handlers.language.buttons import ChooseLanguage, OpenLanguagePanel
from handlers.language.choose import choose_language, language_chosen, panel_opened
from handlers.language.panel import language_name, language_panel

#: What other flows use: the /settings panel shows the language and embeds this panel.
__all__ = ["language_name", "language_panel", "register"]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(
        CommandHandler("language", choose_language, filters.UpdateType.MESSAGE)
    )
    application.add_handler(on_press(OpenLanguagePanel, panel_opened))
    application.add_handler(on_press(ChooseLanguage, language_chosen))
