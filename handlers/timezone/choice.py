"""Turning what someone named into a stored timezone: look it up, store it, confirm it.

Shared by every way in (typed in the conversation, after /timezone in a group, a suggestion
button, a place typed outside the conversation).
"""

from __future__ import annotations

import html
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import ContextTypes

from bot.domain.timezones import (
    is_offset_zone,
    suggest_timezones,
    utc_offset_label,
    validate_timezone,
)
from bot.i18n import Translator
from bot.presentation.text import shorten_for_echo
from bot.services.deps import deps_of
from bot.services.reminders import reminders_of
from handlers.context import chat_settings_for
from handlers.replies import is_private, send
from handlers.timezone.buttons import suggestion_markup
from handlers.timezone.continuation import carry_on_after_confirmation, confirm_and_carry_on

logger = logging.getLogger(__name__)

#: Text longer than this is someone writing something else, not naming a place.
MAX_PLACE_LENGTH = 60
#: user_data flag: a "Share my location" keyboard is showing and should go once we are done.
KEYBOARD_SHOWN = "tz_keyboard"


def describe_zone(t: Translator, zone: str, now: datetime) -> str:
    """ "Asia/Riyadh (UTC+03:00)" for messages (plain text: escape it), kept in one
    left-to-right run so an Arabic sentence does not scatter its slash, sign and digits.
    An offset-only zone is just "UTC+03:00": its name, Etc/GMT-3, reads as the opposite sign."""
    offset = utc_offset_label(zone, now)
    return t.isolate(offset if is_offset_zone(zone) else f"{zone} ({offset})")


def local_time(t: Translator, zone: str, now: datetime) -> str:
    """The zone's clock, `21:00`, in the reader's digits."""
    return t.isolate(t.number(now.astimezone(ZoneInfo(zone)).strftime("%H:%M")))


async def store_zone(update: Update, context: ContextTypes.DEFAULT_TYPE, zone: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    deps = deps_of(context)
    await chat_settings_for(update, deps)
    await deps.chats.update(chat.id, timezone=zone)
    # Reminders keep their wall-clock time in the new zone: 21:00 stays 21:00 there.
    await reminders_of(context).apply_chat_timezone(chat.id, zone)
    logger.info("chat %s set its timezone", chat.id)


def confirmation(t: Translator, zone: str, now: datetime, *, group: bool) -> str:
    described = html.escape(describe_zone(t, zone, now))
    local = local_time(t, zone, now)
    if group:
        return t.gettext(
            "🕒 This group's timezone is now <b>{zone}</b>; it's {time} there.",
            zone=described,
            time=local,
        )
    return t.gettext(
        "🕒 Your timezone is now <b>{zone}</b>; it's {time} there. "
        "Not right? Send /timezone again.",
        zone=described,
        time=local,
    )


def _not_found(t: Translator, query: str) -> str:
    return t.gettext(
        "I couldn't find a timezone for “{query}”. Try the nearest big city, your country "
        "or an offset, for example <i>Cairo</i>, <i>Indonesia</i> or <i>UTC+3</i>.",
        query=html.escape(shorten_for_echo(query)),
    )


async def apply_query(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, query: str
) -> bool:
    """Set the zone the query names, or offer candidates; False when nothing matched."""
    deps = deps_of(context)
    now = deps.clock()
    group = not is_private(update)
    exact = validate_timezone(query)
    suggestions = suggest_timezones(query, now=now)
    if exact is not None and "/" in exact:
        chosen: str | None = exact
    elif len(suggestions) == 1:
        chosen = suggestions[0].name
    else:
        chosen = None
    if chosen is not None:
        await store_zone(update, context, chosen)
        await confirm_and_reply(update, context, confirmation(t, chosen, now, group=group))
        return True
    if not suggestions:
        await send(update, context, _not_found(t, query))
        return False
    text = (
        t.gettext("Which one is this group's timezone?")
        if group
        else t.gettext("Which one is yours?")
    )
    await send(update, context, text, suggestion_markup([(s.name, s.label) for s in suggestions]))
    return True


async def confirm_and_reply(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str
) -> None:
    """Confirm the new timezone and carry on with the command that asked for it: one message
    holding both, unless the location keyboard must come down (only a message of its own can
    take it down, and the command's answer may need its own buttons)."""
    keyboard_shown = bool(context.user_data and context.user_data.get(KEYBOARD_SHOWN))
    if not keyboard_shown and await confirm_and_carry_on(update, context, text):
        return
    await reply_done(update, context, text)
    await carry_on_after_confirmation(update, context)


async def reply_done(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    *,
    remove_keyboard: bool = False,
) -> None:
    """Send a confirmation, taking down the location keyboard if one is showing."""
    chat = update.effective_chat
    if chat is None:
        return
    shown = context.user_data.pop(KEYBOARD_SHOWN, False) if context.user_data else False
    if (shown or remove_keyboard) and is_private(update):
        await context.bot.send_message(chat.id, text, reply_markup=ReplyKeyboardRemove())
    else:
        await context.bot.send_message(chat.id, text)
