"""/language and the panel's buttons: check the chooser's rights, store the choice, and give the
chat its command menu in that language."""

from __future__ import annotations

import html
import logging

from telegram import BotCommandScopeChat, CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.i18n import get_translator, resolve_language
from bot.services.deps import deps_of
from handlers.context import chat_settings_for, translator_for
from handlers.language.buttons import AUTOMATIC, ChooseLanguage, OpenLanguagePanel
from handlers.language.panel import choice_from_text, confirmation, language_panel
from handlers.menu import bot_commands
from handlers.replies import is_group_admin, is_private, send

logger = logging.getLogger(__name__)


async def _stored_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    settings = await chat_settings_for(update, deps_of(context))
    return settings.language if settings is not None else None


async def choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language [name]: the panel, or the named language at once."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    stored = await _stored_language(update, context)
    t = await translator_for(update, context)
    private = is_private(update)
    if not await is_group_admin(update, context):
        await message.reply_text(t.align(t.gettext(
            "Only the group's admins can change its language. To choose your own, send "
            "/language to me in a private chat."
        )))
        return
    typed = " ".join(context.args or [])
    if typed:
        choice = choice_from_text(typed)
        if choice is not None:
            await _apply(update, context, choice, private=private)
            return
        text, markup = language_panel(t, private=private, stored=stored)
        unknown = t.gettext(
            "I don't speak “{language}” yet.", language=t.isolate(html.escape(typed[:64]))
        )
        await message.reply_text(t.align(unknown) + "\n\n" + text, reply_markup=markup)
        return
    text, markup = language_panel(t, private=private, stored=stored)
    await message.reply_text(text, reply_markup=markup)


async def _may_change_language(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery
) -> bool:
    """Re-check the presser's rights on every press: anybody in a group can press a panel."""
    if await is_group_admin(update, context):
        return True
    t = await translator_for(update, context)
    await query.answer(
        t.gettext("Only the group's admins can change its language."), show_alert=True
    )
    return False


async def panel_opened(
    update: Update, context: ContextTypes.DEFAULT_TYPE, _: OpenLanguagePanel
) -> None:
    query = update.callback_query
    if query is None or update.effective_chat is None:
        return
    if not await _may_change_language(update, context, query):
        return
    await query.answer()
    t = await translator_for(update, context)
    stored = await _stored_language(update, context)
    text, markup = language_panel(t, private=is_private(update), stored=stored)
    await send(update, context, text, markup, edit=True)


async def language_chosen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: ChooseLanguage
) -> None:
    query = update.callback_query
    if query is None or update.effective_chat is None:
        return
    if not await _may_change_language(update, context, query):
        return
    await _apply(update, context, pressed.choice, private=is_private(update), query=query)


async def _apply(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    choice: str,
    *,
    private: bool,
    query: CallbackQuery | None = None,
) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    deps = deps_of(context)
    stored = None if choice == AUTOMATIC else choice
    await chat_settings_for(update, deps)  # the row must exist before it can be updated
    await deps.chats.update(chat.id, language=stored)
    user = update.effective_user
    t = get_translator(resolve_language(stored, user.language_code if user else None))
    text = confirmation(t, private=private, stored=stored)
    if query is not None:
        await query.answer()
        await send(update, context, text, edit=True)
    elif isinstance(update.effective_message, Message):
        await update.effective_message.reply_text(text)
    await _sync_chat_menu(context, chat.id, private=private, stored=stored)


async def _sync_chat_menu(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, *, private: bool, stored: str | None
) -> None:
    """Give the chat a "/" menu in its chosen language.

    The language-wide menus (handlers.menu) follow the Telegram app's language; a chat-scoped
    menu outranks them. Back on "automatic" the chat-scoped menu is removed. A failure only
    leaves the menu in the app's language, so it is logged and not shown to the user.
    """
    scope = BotCommandScopeChat(chat_id)
    try:
        if stored is None:
            await context.bot.delete_my_commands(scope=scope)
        else:
            await context.bot.set_my_commands(
                bot_commands(get_translator(stored), private=private), scope=scope
            )
    except TelegramError:
        logger.warning("could not set the command menu of chat %s", chat_id, exc_info=True)
