"""The replies for what no flow took: an unknown command, stray text, verses typed alone."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.verse_parsing import split_leading_ranges
from bot.domain.verses import VerseRange, VerseRangeError
from bot.services.deps import deps_of
from handlers.context import translator_for
from handlers.menu import COMMANDS
from handlers.replies import interrupted_command
from handlers.timezone import answer_place

_KNOWN = frozenset({command.name for command in COMMANDS} | {"start"})


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


def _typed_form(verses: VerseRange) -> str:
    """ "2:255", "2:255-257", "2:280-3:5": what people type, and what /read and /note accept;
    the API's "2:255-2:255" reads like a mistake."""
    if verses.is_single_verse:
        return verses.start_key
    if verses.start_chapter == verses.end_chapter:
        return f"{verses.start_key}-{verses.end_verse}"
    return verses.key


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
        # Typing verses alone is a common first guess: show the two commands that take them,
        # in the short form people write ("2:255", "2:255-257").
        keys = html.escape(",".join(_typed_form(r) for r in ranges))
        await message.reply_text(
            t.gettext(
                "Did you read these verses or want to write about them?\n"
                "• <code>/read {ranges}</code> credits them to Quran.com\n"
                "• <code>/note {ranges} your reflection</code> saves a note",
                ranges=keys,
            )
        )
        return
    if await _answers_timezone_question(update, context, message.text):
        return
    await message.reply_text(
        t.gettext("I'm not sure what to do with that. Send /help to see what I can do.")
    )


async def _answers_timezone_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str
) -> bool:
    user = update.effective_user
    if user is None:
        return False
    deps = deps_of(context)
    settings = await deps.chats.get(user.id)
    if settings is not None and settings.timezone:
        return False
    t = await translator_for(update, context)
    asked = interrupted_command(context, deps.clock()) is not None
    return await answer_place(update, context, t, text, asked=asked)

