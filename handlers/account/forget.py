"""/forget: erase everything the bot stores about a person, after they confirm."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.services.deps import deps_of
from bot.services.revocations import forget_everything
from handlers.account.buttons import EraseEverything, KeepMyData
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.replies import is_private, private_chat_markup, send
from handlers.wizards import end_conversations

logger = logging.getLogger(__name__)


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    if not is_private(update):
        await send(
            update,
            context,
            t.gettext("Send /forget to me in our private chat."),
            private_chat_markup(t, context),
        )
        return
    markup = InlineKeyboardMarkup(
        [[button(t.gettext("🗑 Erase everything"), EraseEverything()),
          button(t.gettext("Keep my data"), KeepMyData())]]
    )
    await send(
        update,
        context,
        t.gettext(
            "This erases everything I store about you: your Quran.com link and its keys, your "
            "settings, reminders, unsaved note drafts and reading records. Your data on "
            "Quran.com itself is not touched.\n\nErase it all?"
        ),
        markup,
    )


async def forget_confirmed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, _: EraseEverything
) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    # The translator reads the settings that are about to go: take it first.
    t = await translator_for(update, context)
    if not is_private(update):
        await query.answer(t.gettext("Send /forget to me in our private chat."), show_alert=True)
        return
    await query.answer()
    await forget_everything(deps_of(context), user.id)
    context.application.drop_user_data(user.id)
    context.application.drop_chat_data(user.id)
    end_conversations(context.application, lambda key: user.id in key)
    logger.info("Telegram user %s erased their data", user.id)
    await send(
        update,
        context,
        t.gettext(
            "🗑 Done: everything I stored about you is erased. If you come back, just send /start."
        ),
        edit=True,
    )


async def forget_cancelled(
    update: Update, context: ContextTypes.DEFAULT_TYPE, _: KeepMyData
) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    if not is_private(update):
        # Only /forget in a private chat shows this button; in a group the data is forged and
        # editing "its" message would wipe whatever bot message it was attached to.
        return
    t = await translator_for(update, context)
    await send(update, context, t.gettext("Nothing was erased."), edit=True)
