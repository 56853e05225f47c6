"""Account linking: /login, /logout, /forget, /privacy and the "account linked" message.

Login links are personal, so they are only ever sent in the private chat of the user they belong
to; in a group the bot answers with a button that opens that private chat. The OAuth round trip
itself lives in `bot.services.linking`.
Its callback page links nothing: it sends the reader back here
with `/start c_<code>`, and `confirm_login` links the held grant only if the person opening that
link, in their private chat, is the Telegram user who asked for the login. Anyone else (a
forwarded link, a group member tapping it) is refused and the grant is revoked at Quran.com.

- `login`: /login, the login and relink buttons, the "account linked" message;
- `confirm`: the `/start c_<code>` confirmation;
- `logout`: /logout; `forget`: /forget; `privacy`: /privacy.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CommandHandler, TypeHandler, filters

from bot.services.linking import AccountLinked
from handlers.account.buttons import EraseEverything, KeepMyData, LogOut, Relink
from handlers.account.confirm import CONFIRM_COMMAND, CONFIRM_GROUP, confirm_login
from handlers.account.forget import forget_cancelled, forget_command, forget_confirmed
from handlers.account.login import (
    account_linked,
    linked_as,
    login_button,
    login_command,
    offer_login,
    relink_button,
)
from handlers.account.logout import logout_button, logout_command
from handlers.account.privacy import privacy
from handlers.callbacks import on_press
from handlers.replies import LinkAccount

#: What other flows use: /start greets a linked user by name and offers the login.
__all__ = ["linked_as", "offer_login", "register"]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    message = filters.UpdateType.MESSAGE
    application.add_handler(
        CommandHandler(
            "start",
            confirm_login,
            filters.ChatType.PRIVATE & message & filters.Regex(CONFIRM_COMMAND),
        ),
        group=CONFIRM_GROUP,
    )
    application.add_handler(TypeHandler(AccountLinked, account_linked))
    application.add_handler(CommandHandler("login", login_command, message))
    application.add_handler(CommandHandler("logout", logout_command, message))
    application.add_handler(CommandHandler("forget", forget_command, message))
    application.add_handler(CommandHandler("privacy", privacy, message))
    application.add_handler(on_press(LinkAccount, login_button))
    application.add_handler(on_press(Relink, relink_button))
    application.add_handler(on_press(LogOut, logout_button))
    application.add_handler(on_press(EraseEverything, forget_confirmed))
    application.add_handler(on_press(KeepMyData, forget_cancelled))
