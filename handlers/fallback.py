"""What the bot says when nothing else answered: a typo'd command, a stray message, /cancel with
nothing open. A bot that stays silent looks broken; one line pointing to /help does not.

Registered last in the default handler group, so it only ever sees updates no flow took; and only
in private chats, where the user is talking to the bot (in groups a stray reply would be noise).
"""

from __future__ import annotations

import html
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.context import translator_for
from bot.verses import VerseRangeError, split_leading_ranges
from handlers.menu import COMMANDS

_KNOWN = frozenset({command.name for command in COMMANDS} | {"start"})
_PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


def _command_name(text: str) -> str:
    return text.split()[0].lstrip("/").split("@")[0].lower()


async def unanswered_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    t = await translator_for(update, context)
    name = _command_name(message.text)
    if name == "cancel":
        await message.reply_text(t.gettext("There is nothing to cancel."))
        return
    if name in _KNOWN:
        # A known command some flow declined (e.g. a group-only command in private).
        await message.reply_text(
            t.gettext("/{command} works in groups; send /help to see what works here.",
                      command=html.escape(name))
        )
        return
    await message.reply_text(
        t.gettext(
            "I don't know /{command}. Send /help to see what I can do.",
            command=html.escape(name[:32]),
        )
    )


async def unanswered_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    t = await translator_for(update, context)
    try:
        # Strict: "15" or "Mulk" on their own are more likely an answer to a finished question
        # than a surah; only unmistakable references ("2:255", "Al-Mulk 1-5") count here.
        ranges, rest = split_leading_ranges(message.text, strict=True)
    except VerseRangeError:
        ranges, rest = [], message.text
    if ranges and not rest:
        # Typing verses alone is a common first guess: show the two commands that take them.
        keys = html.escape(",".join(r.key for r in ranges))
        await message.reply_text(
            t.gettext(
                "Did you read these verses or want to write about them?\n"
                "• <code>/read {ranges}</code> credits them to Quran.com\n"
                "• <code>/note {ranges} your reflection</code> saves a note",
                ranges=keys,
            )
        )
        return
    await message.reply_text(
        t.gettext("I'm not sure what to do with that. Send /help to see what I can do.")
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(
        MessageHandler(_PRIVATE_MESSAGE & filters.COMMAND, unanswered_command)
    )
    application.add_handler(
        MessageHandler(_PRIVATE_MESSAGE & filters.TEXT & ~filters.COMMAND, unanswered_text)
    )
