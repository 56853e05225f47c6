"""How reading answers, whichever command or button asked: the pressed button's own answer,
plans and progress delivered in the private chat, and how a credit went.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.services.reading import CreditOutcome, CreditResult
from handlers.callbacks import CallbackData
from handlers.replies import (
    is_private,
    private_chat_url,
    reply_upstream_error,
    retry_button,
    send,
    with_lead,
)

logger = logging.getLogger(__name__)

#: Telegram's limit for a photo's caption.
CAPTION_LIMIT = 1024


async def answer_press(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the pressed button's query (a no-op for commands). Each path answers once; a
    second answer would only be refused by Telegram, so that is logged, not raised."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        logger.debug("callback query already answered: %s", error)


def try_again_markup(t: Translator, data: CallbackData) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[retry_button(t, data)]])


async def deliver_privately(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    t: Translator,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    photo: bytes | None = None,
    edit: bool = False,
) -> Message | None:
    """Send in the private chat. Asked in a group, say so there without repeating the content,
    or offer the private chat when the user never opened it."""
    user = update.effective_user
    if user is None:
        return None
    if is_private(update):
        if photo is not None:
            # A command carried on after an interruption: its confirmation leads the caption.
            return await context.bot.send_photo(
                user.id, InputFile(photo, filename="progress.png"),
                caption=with_lead(user.id, text, limit=CAPTION_LIMIT), reply_markup=markup,
            )
        return await send(update, context, text, markup, edit=edit)
    try:
        if photo is not None:
            sent = await context.bot.send_photo(
                user.id, InputFile(photo, filename="progress.png"), caption=text,
                reply_markup=markup,
            )
        else:
            sent = await context.bot.send_message(user.id, text, reply_markup=markup)
    except (Forbidden, BadRequest):
        # No payload: the user only needs the chat open, then sends the command again.
        open_chat = InlineKeyboardButton(
            t.gettext("Open our private chat"), url=private_chat_url(context)
        )
        await send(
            update,
            context,
            t.gettext("I only show this in our private chat. Open it and send the command there."),
            InlineKeyboardMarkup([[open_chat]]),
        )
        return None
    await send(update, context, t.gettext("📬 Sent to you in our private chat."))
    return sent


async def report_credit(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    t: Translator,
    result: CreditResult,
    *,
    retry: CallbackData | None,
    kept: bool = False,
) -> bool:
    """Tell the user how the credit went; True when it was credited now. A pressed button's
    query is answered here (a repeat press gets a short notice instead of a new message).
    `kept`: what the user typed is held for "Try again" (a /read), not just a button."""
    if result.outcome is CreditOutcome.DUPLICATE:
        already = t.gettext("✅ That was already credited; I count each reading once.")
        if update.callback_query is not None:
            await answer_press(update, already)
        else:
            await send(update, context, already)
        return False
    await answer_press(update)
    if result.outcome is CreditOutcome.UNCERTAIN:
        await send(update, context, t.gettext(
            "⏳ Quran.com didn't answer in time, so I can't tell whether this was credited. "
            "I won't send it again by myself: check /today in a minute, and if it's missing, "
            "send /read again."
        ))
        return False
    if result.outcome is CreditOutcome.FAILED and result.error is not None:
        markup = try_again_markup(t, retry) if retry is not None else None
        await reply_upstream_error(
            update, context, t, result.error, retry_markup=markup, kept=kept
        )
        return False
    return result.outcome is CreditOutcome.CREDITED
