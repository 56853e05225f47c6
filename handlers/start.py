"""First contact: /start (with deep-link payloads) and /help for the chat type."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from bot.context import chat_settings_for, deps_of, translator_for
from handlers.menu import commands_for


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    await chat_settings_for(update, deps_of(context))
    t = await translator_for(update, context)
    await message.reply_text(
        t.gettext(
            "Assalamu alaikum! I am Quran Companion.\n\n"
            "I keep your Quran.com reading goal, streak and notes in sync from Telegram: "
            "set a goal with /goal, log reading with /read, write reflections with /note, "
            "and get reminders with /remind.\n\nSend /help to see everything I can do."
        )
    )


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    t = await translator_for(update, context)
    private = chat.type == ChatType.PRIVATE
    lines = [t.gettext("<b>What I can do</b>")]
    lines += [f"/{c.name} — {t.gettext(c.description)}" for c in commands_for(private=private)]
    await message.reply_text("\n".join(lines))


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(CommandHandler("start", start, filters.UpdateType.MESSAGE))
    application.add_handler(CommandHandler("help", show_help, filters.UpdateType.MESSAGE))
