"""Carrying on with the command the timezone question interrupted, in the same reply.

Features that need a timezone (/goal, /read, /today, /progress, /remind) ask for it through
`handlers.replies.ask_for_timezone`, which remembers the command. Once the user's timezone is
stored, the command is carried out at once (`carry_on`) and its answer starts with the
timezone confirmation: one message, no "Continue" to press. The user still sees the new
timezone above the result, with how to change it if it is wrong. handlers.account uses
`carry_on` the same way after an account is linked again (the command a missing or expired
link stopped, remembered by `handlers.replies.reply_upstream_error`).

Messages sent before this carry a "▶️ Continue" button; it still works (`continue_pressed`).
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.services.deps import deps_of
from handlers.context import translator_for
from handlers.replies import (
    InterruptedCommand,
    interrupted,
    interrupted_command,
    is_private,
    leading,
)
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


async def carry_on(
    update: Update, context: ContextTypes.DEFAULT_TYPE, lead: str, *, replacing: int | None = None
) -> bool:
    """Send `lead` (the timezone just set, the account just linked) and carry out the command
    that was interrupted for it, as one message: the command's answer starts with `lead`.

    The command is dispatched again through every handler, as if the user had retyped it (under
    the id of the message that first sent it, so a /read credits once however often it is
    carried on), and it is taken before running, so a second answer cannot run it twice. When
    the command's answer could not carry `lead` (none was sent, a photo, a reply sent another
    way), `lead` goes as a message of its own. With `replacing` (the id of the message whose
    button was pressed), the answer is edited into that message instead of sent anew.
    Returns True when a command was carried on.
    """
    chat = update.effective_chat
    user = update.effective_user
    now = deps_of(context).clock()
    command = interrupted(context, now, take=True) if is_private(update) else None
    if chat is None or user is None or command is None:
        if chat is not None and lead:
            await context.bot.send_message(chat.id, lead)
        return False
    with leading(chat.id, lead, replaces=replacing) as holder:
        try:
            await context.application.process_update(
                _replayed(update, command, message_id=command.message_id, now=now)
            )
        finally:
            if not holder.taken and lead:
                await _place_lead_alone(context, chat.id, lead, replacing)
    return True


async def _place_lead_alone(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, lead: str, replacing: int | None
) -> None:
    """The command's answer could not carry `lead`: it goes into the pressed message if there
    was one (above the answer, where it belongs), else as a message of its own."""
    if replacing is not None:
        try:
            await context.bot.edit_message_text(lead, chat_id, replacing)
            return
        except BadRequest:
            logger.info("could not edit message %s; sending the confirmation anew", replacing)
    await context.bot.send_message(chat_id, lead)


def _replayed(
    update: Update, command: InterruptedCommand, *, message_id: int | None, now: datetime
) -> Update:
    """The interrupted command as if the user had sent it again in their private chat."""
    user = update.effective_user
    chat = update.effective_chat
    message = update.effective_message
    assert user is not None and chat is not None and message is not None
    name = command.text.split(maxsplit=1)[0]
    data = {
        "update_id": update.update_id,
        "message": {
            "message_id": message_id if message_id is not None else message.message_id,
            "date": int(now.timestamp()),
            "chat": chat.to_dict(),
            "from": user.to_dict(),
            "text": command.text,
            # Entity offsets count UTF-16 code units.
            "entities": [
                {"type": "bot_command", "offset": 0, "length": len(name.encode("utf-16-le")) // 2}
            ],
        },
    }
    return Update.de_json(data, message.get_bot())
