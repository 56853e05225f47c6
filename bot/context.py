"""The one typed object that carries the bot's dependencies, and how handlers reach it.

Dependencies live in `application.bot_data["deps"]` rather than module globals so that tests,
demo mode and several Applications in one process (the restart tests) never share state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.i18n import Translator, get_translator, resolve_language

if TYPE_CHECKING:
    from telegram import Update
    from telegram.ext import Application, ContextTypes

    from bot.qf import QuranFoundationClient
    from storage import (
        AccountRepository,
        ChatRepository,
        ChatSettings,
        Database,
        DraftRepository,
        LoginAttemptRepository,
        ReadingCreditRepository,
        ReminderRepository,
        TokenCipher,
    )

DEPS_KEY = "deps"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    settings: Settings
    database: Database
    chats: ChatRepository
    accounts: AccountRepository
    logins: LoginAttemptRepository
    reminders: ReminderRepository
    drafts: DraftRepository
    credits: ReadingCreditRepository
    qf: QuranFoundationClient
    #: Encrypts OAuth tokens at rest: linked accounts and grants waiting for confirmation.
    cipher: TokenCipher
    #: Aware UTC "now"; tests and the reminder scheduler replace it with a controllable clock.
    clock: Callable[[], datetime] = utc_now
    #: Filled in at start from getMe; the OAuth callback page links back to t.me/<username>.
    bot_username: str = ""
    extras: dict[str, Any] = field(default_factory=dict)


def deps_of(context: ContextTypes.DEFAULT_TYPE | Application[Any, Any, Any, Any, Any, Any]) -> Deps:
    """The Deps of the Application serving this callback."""
    bot_data = context.bot_data
    deps = bot_data.get(DEPS_KEY)
    if not isinstance(deps, Deps):
        raise RuntimeError("bot_data has no Deps: build the Application with bot.application")
    return deps


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
