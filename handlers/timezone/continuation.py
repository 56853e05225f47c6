"""Carrying on with the command the timezone question interrupted, in the same reply.

Features that need a timezone (/goal, /read, /today, /progress, /remind) ask for it through
`handlers.replies.ask_for_timezone`, which remembers the command. Once the user's timezone is
stored, the command is carried out at once (`handlers.replies.carry_on`) and its answer starts
with the timezone confirmation: one message, no "Continue" to press. The user still sees the
new timezone above the result, with how to change it if it is wrong.

Messages sent before this carry a "▶️ Continue" button; it still works (`continue_pressed`).
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.services.deps import deps_of
from handlers.context import translator_for
from handlers.replies import carry_on, interrupted_command, is_private
from handlers.timezone.buttons import ContinueCommand

logger = logging.getLogger(__name__)


def has_interrupted_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Is a command waiting for this (private) timezone answer?"""
    return is_private(update) and interrupted_command(context, deps_of(context).clock()) is not None


async def confirm_and_carry_on(
    update: Update, context: ContextTypes.DEFAULT_TYPE, confirmation: str
) -> bool:
    """Say the timezone is set and carry out the command that asked for it, in one message.
    False (and nothing sent) when no command is waiting: the caller confirms as usual."""
    if not has_interrupted_command(update, context):
        return False
    await carry_on(update, context, confirmation)
    return True


async def confirm_in_place(
    update: Update, context: ContextTypes.DEFAULT_TYPE, confirmation: str
) -> bool:
    """A suggestion was pressed: the suggestions message becomes the confirmation and the
    command's answer, one edit and no new message. False when no command is waiting."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return False
    if not has_interrupted_command(update, context):
        return False
    await carry_on(update, context, confirmation, replacing=query.message.message_id)
    return True


async def carry_on_after_confirmation(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """The confirmation was already sent on its own (it had to take down the location keyboard,
    or it replaced the pressed suggestions): carry on with the command, if one waits."""
    if has_interrupted_command(update, context):
        await carry_on(update, context, "")


async def continue_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, _: ContinueCommand
) -> None:
    """"▶️ Continue" under a message from before commands carried on by themselves."""
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    message = query.message
    if not is_private(update) or not isinstance(message, Message):
        await query.answer()
        return
    if interrupted_command(context, deps_of(context).clock()) is None:
        await query.answer(
            t.gettext("That was done already or is too old; send the command again."),
            show_alert=True,
        )
        await _drop_button(query)
        return
    await query.answer()
    await _drop_button(query)
    await carry_on(update, context, "")


async def _drop_button(query: CallbackQuery) -> None:
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest:
        logger.debug("the Continue button was already gone")
