"""The question a /read gets before it is credited when it looks like a mistake.

Quran.com cannot take a credit back, so a /read repeating one credited a few minutes ago, or
far beyond a day's reading, is asked about first ([Log it again] / [Cancel]) and the question
says why it matters. The rule itself is `bot.domain.credit_checks`.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.domain.credit_checks import REPEAT_WINDOW, CreditConcern
from bot.domain.reading import ReadRequest
from bot.domain.verses import format_ranges
from bot.i18n import Translator
from bot.presentation.goals import format_duration
from handlers.callbacks import button
from handlers.reading.buttons import CancelRead, ConfirmRead
from handlers.replies import send


def _what(request: ReadRequest, t: Translator) -> str:
    """The reading as typed back: verses and their count, and the time if one was typed."""
    parts: list[str] = []
    if request.ranges:
        verses = sum(item.verse_count for item in request.ranges)
        parts.append(t.gettext(
            "{ranges}, {count}",
            ranges=t.isolate(html.escape(format_ranges(request.ranges, t.language))),
            count=t.ngettext("{n} verse", "{n} verses", verses, n=t.number(f"{verses:,}")),
        ))
    if request.seconds:
        parts.append(format_duration(request.seconds, t))
    if len(parts) == 2:
        return t.gettext("{first}, {second}", first=parts[0], second=parts[1])
    return parts[0] if parts else ""


async def ask_before_crediting(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    t: Translator,
    request: ReadRequest,
    concern: CreditConcern,
    *,
    owner: int,
    message_id: int,
    edit: bool,
) -> None:
    """Ask whether to credit `request` (the /read `message_id`), saying why it is asked."""
    what = _what(request, t)
    if concern is CreditConcern.REPEAT:
        minutes = int(REPEAT_WINDOW.total_seconds() // 60)
        question = t.ngettext(
            "You already logged this reading ({what}) in the last {n} minute. Log it again?",
            "You already logged this reading ({what}) in the last {n} minutes. Log it again?",
            minutes, what=what,
        )
        confirm = t.gettext("Log it again")
    else:
        question = t.gettext(
            "That is far more than a day's reading ({what}). Log it anyway?", what=what
        )
        confirm = t.gettext("Log it anyway")
    lines = [question, t.gettext(
        "Quran.com can't take a credit back once it is sent, so nothing is logged until you say."
    )]
    markup = InlineKeyboardMarkup([[
        button(confirm, ConfirmRead(owner, message_id)),
        button(t.gettext("Cancel"), CancelRead(owner, message_id)),
    ]])
    await send(update, context, "\n".join(lines), markup, edit=edit)
