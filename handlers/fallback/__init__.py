"""What the bot says when nothing else answered: a typo'd command, a stray message, /cancel with
nothing open. A bot that stays silent looks broken; one line pointing to /help does not.

A place typed by someone without a timezone is the answer to the timezone question a feature
asked (`handlers.replies.ask_for_timezone` opens no conversation), so it goes to
`handlers.timezone.answer_place`, which also offers to carry out the interrupted command.

Registered last in the default handler group, so it only ever sees updates no flow took; and only
in private chats, where the user is talking to the bot (in groups a stray reply would be noise).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, MessageHandler, filters

from handlers.fallback.unanswered import unanswered_command, unanswered_text

_PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(
        MessageHandler(_PRIVATE_MESSAGE & filters.COMMAND, unanswered_command)
    )
    application.add_handler(
        MessageHandler(_PRIVATE_MESSAGE & filters.TEXT & ~filters.COMMAND, unanswered_text)
    )
