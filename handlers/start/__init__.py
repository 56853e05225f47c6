"""First contact: /start (with deep-link payloads) and /help for the chat type.

In a private chat /start is the onboarding, in one message: a short welcome, the button that
links Quran.com (or who the user is linked as) and, while no timezone is stored, the timezone
question (the timezone conversation, in an earlier handler group, already listens for a typed
city; its button shows the location keyboard).

Deep-link payloads (`t.me/<bot>?start=<payload>`) are registered before plain /start:
`linked` (the OAuth callback page's "return to Telegram" link), `login` (a group sent the user
here to link) and `timezone` (handled by handlers.timezone). Unknown payloads get the welcome.

- `welcome`: /start and its deep links; `help`: /help.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CommandHandler, filters

from bot.services.linking import LINKED_DEEP_LINK
from handlers.replies import LOGIN_DEEP_LINK
from handlers.start.help import show_help
from handlers.start.welcome import start, start_linked, start_login


def _payload(payload: str) -> filters.BaseFilter:
    return filters.Regex(rf"^/start(?:@\w+)?\s+{payload}\s*$")


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(
        CommandHandler("start", start_linked, private & _payload(LINKED_DEEP_LINK))
    )
    application.add_handler(
        CommandHandler("start", start_login, private & _payload(LOGIN_DEEP_LINK))
    )
    application.add_handler(CommandHandler("start", start, filters.UpdateType.MESSAGE))
    application.add_handler(CommandHandler("help", show_help, filters.UpdateType.MESSAGE))
