"""Suggested zones: the buttons' presses, and places typed outside the conversation.

A place typed by someone without a timezone reaches `answer_place` through handlers.fallback.
Suggestion buttons are stateless and may be pressed in a group by anyone, so the presser's
right to change the chat's timezone is checked again on every press.
"""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.domain.timezones import suggest_timezones, validate_timezone
from bot.i18n import Translator
from bot.services.deps import deps_of
from handlers.context import translator_for
from handlers.replies import is_group_admin, is_private, send
from handlers.timezone.buttons import SetZone, suggestion_markup
from handlers.timezone.choice import (
    KEYBOARD_SHOWN,
    MAX_PLACE_LENGTH,
    apply_query,
    confirmation,
    reply_done,
    store_zone,
)
from handlers.timezone.continuation import carry_on_after_confirmation, confirm_in_place

#: A typed word shorter than this ("no", "it") is a reply to something else, not a country
#: code, unless the timezone question was just asked or it is written in capitals ("UK").
_MIN_UNPROMPTED_PLACE = 3


async def suggestion_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: SetZone
) -> None:
    query = update.callback_query
    if query is None:
        return
    deps = deps_of(context)
    t = await translator_for(update, context)
    zone = validate_timezone(pressed.zone)
    if zone is None:
        await query.answer(t.gettext("That choice is no longer valid; send /timezone again."))
        return
    if not await is_group_admin(update, context):
        await query.answer(
            t.gettext("Sorry, only group admins can change the group's timezone."),
            show_alert=True,
        )
        return
    await query.answer()
    await store_zone(update, context, zone)
    text = confirmation(t, zone, deps.clock(), group=not is_private(update))
    shown = bool(context.user_data and context.user_data.get(KEYBOARD_SHOWN))
    if shown and is_private(update):
        # The location keyboard can only be taken down by a new message: replace the
        # suggestions with it rather than leave both on screen.
        try:
            await query.delete_message()
        except BadRequest:
            await query.edit_message_reply_markup(None)
        await reply_done(update, context, text)
        await carry_on_after_confirmation(update, context)
    elif not await confirm_in_place(update, context, text):
        # The suggestions become the confirmation: an edit, not one more message.
        await send(update, context, text, edit=True)


async def answer_place(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, text: str, *, asked: bool
) -> bool:
    """A private message no flow took, from a user with no timezone (handlers.fallback).

    Right after the timezone question (`asked`: a feature asked, see
    `handlers.replies.ask_for_timezone`) it is the answer, taken as in the conversation: set at
    once when unambiguous, else offered, else "couldn't find". Unprompted, a place only gets
    the suggestion buttons, since "how" or "Jordan" may not be about time at all. Returns
    False when nothing was sent.
    """
    text = text.strip()
    if not text or len(text) > MAX_PLACE_LENGTH or not is_private(update):
        return False
    if asked:
        await apply_query(update, context, t, text)
        return True
    if len(text) < _MIN_UNPROMPTED_PLACE and not text.isupper():
        return False
    suggestions = suggest_timezones(text, now=deps_of(context).clock())
    if not suggestions:
        return False
    await send(
        update,
        context,
        t.gettext(
            "Setting your timezone? Tap the right one below. Otherwise send /help to see "
            "what I can do."
        ),
        suggestion_markup([(s.name, s.label) for s in suggestions]),
    )
    return True
