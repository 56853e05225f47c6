"""What every handler asks of an update: its chat's settings and the translator to answer in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.i18n import Translator, get_translator, resolve_language
from bot.services.deps import Deps, deps_of

if TYPE_CHECKING:
    from telegram import Update
    from telegram.ext import ContextTypes

    from storage import (
        ChatSettings,
    )


async def chat_settings_for(update: Update, deps: Deps) -> ChatSettings | None:
    """The stored settings of the update's chat, registering the chat on first contact."""
    chat = update.effective_chat
    if chat is None:
        return None
    title = chat.title or chat.full_name or chat.username
    return await deps.chats.ensure(chat.id, chat.type, title)


async def translator_for(update: object, context: ContextTypes.DEFAULT_TYPE) -> Translator:
    """The translator for a reply: the chat's chosen language, else the user's Telegram one."""
    from telegram import Update

    if not isinstance(update, Update):
        return get_translator(None)
    deps = deps_of(context)
    stored: str | None = None
    chat = update.effective_chat
    if chat is not None:
        settings = await deps.chats.get(chat.id)
        stored = settings.language if settings is not None else None
    user = update.effective_user
    return get_translator(resolve_language(stored, user.language_code if user else None))
