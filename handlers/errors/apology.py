"""The apology for an unexpected error, and what is logged about it (never a user's text)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from handlers.context import translator_for

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    # Log the update type and ids only: message text may be a user's private note.
    where = "no update"
    if isinstance(update, Update):
        chat_id = update.effective_chat.id if update.effective_chat else None
        where = f"update {update.update_id} chat {chat_id}"
    logger.error("unhandled error in %s", where, exc_info=error)
    if isinstance(error, Forbidden) or not isinstance(update, Update):
        return
    chat = update.effective_chat
    if chat is None:
        return
    try:
        t = await translator_for(update, context)
        if update.callback_query is not None:
            await update.callback_query.answer(
                t.gettext("Something went wrong. Please try again."), show_alert=False
            )
        await context.bot.send_message(
            chat.id,
            t.gettext(
                "Sorry, something went wrong on our side. Nothing you typed is lost; "
                "please try again in a moment."
            ),
        )
    except (TelegramError, Exception):  # the apology must never raise in its turn
        logger.warning("could not send the error apology", exc_info=True)

