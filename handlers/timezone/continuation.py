"""Carrying on with the command the timezone question interrupted.

Features that need a timezone (/goal, /read, /today, /progress, /remind) ask for it through
`handlers.replies.ask_for_timezone`, which remembers the command. Once the user's timezone is
stored, a "Continue" button carries the remembered command out, dispatched again as if retyped.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.services.deps import deps_of
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.replies import interrupted_command, is_private, send
from handlers.timezone.buttons import ContinueCommand

logger = logging.getLogger(__name__)

#: Longest command shown on the "Continue" button; the message above it shows it whole.
_MAX_BUTTON_COMMAND = 32


def _button_command(command: str) -> str:
    if len(command) <= _MAX_BUTTON_COMMAND:
        return command
    return command[: _MAX_BUTTON_COMMAND - 1].rstrip() + "…"


async def offer_interrupted_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator
) -> None:
    """After a private timezone change, offer to carry out the command that needed it.

    A button rather than running it at once: it may write to Quran.com (/read), and the user
    should see the new timezone before it counts. The command stays in user_data until pressed
    or expired, so the button works after a restart too.
    """
    if not is_private(update):
        return
    command = interrupted_command(context, deps_of(context).clock())
    if command is None:
        return
    label = t.gettext("▶️ Continue: {command}", command=_button_command(command))
    await send(
        update,
        context,
        t.gettext("Now, where were we: <code>{command}</code>", command=html.escape(command)),
        InlineKeyboardMarkup([[button(label, ContinueCommand())]]),
    )


def _replayed(update: Update, message: Message, command: str, now: datetime) -> Update:
    """The interrupted command as if the user had sent it again, under the Continue message's
    id (unique, so /read's once-only credit key cannot collide with another message)."""
    user = update.effective_user
    assert user is not None
    name = command.split(maxsplit=1)[0]
    data = {
        "update_id": update.update_id,
        "message": {
            "message_id": message.message_id,
            "date": int(now.timestamp()),
            "chat": message.chat.to_dict(),
            "from": user.to_dict(),
            "text": command,
            # Entity offsets count UTF-16 code units.
            "entities": [
                {"type": "bot_command", "offset": 0, "length": len(name.encode("utf-16-le")) // 2}
            ],
        },
    }
    return Update.de_json(data, message.get_bot())


async def continue_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, _: ContinueCommand
) -> None:
    """Carry out the interrupted command by dispatching it again through every handler, so it
    behaves exactly as if retyped (wizards, one-liners, errors and all)."""
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    message = query.message
    if not is_private(update) or not isinstance(message, Message):
        await query.answer()
        return
    now = deps_of(context).clock()
    # Taken before running, so a second press (or a double tap) cannot run it twice.
    command = interrupted_command(context, now, take=True)
    if command is None:
        await query.answer(
            t.gettext("That was done already or is too old; send the command again."),
            show_alert=True,
        )
        await _drop_button(query)
        return
    await query.answer()
    await _drop_button(query)
    await context.application.process_update(_replayed(update, message, command, now))


async def _drop_button(query: CallbackQuery) -> None:
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest:
        logger.debug("the Continue button was already gone")
