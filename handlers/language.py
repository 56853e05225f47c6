"""/language: which language the bot speaks, per user in private chats and per group.

A private chat's stored language is the user's own choice; a group's applies to everyone in it
and only its admins may change it. With nothing stored, replies follow the Telegram app language
of whoever the bot is answering (`bot.context.translator_for`), which is also what "automatic"
puts back.

Group admin rights are checked on every command and every button press, since an admin may be
demoted between the two and anybody in the group can press a panel's buttons. Anonymous admins
send commands as GroupAnonymousBot on behalf of the group; their button presses arrive under their
own account.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from babel import Locale
from telegram import (
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot.i18n import (
    LANGUAGE_NAMES,
    RTL_LANGUAGES,
    SUPPORTED_LANGUAGES,
    Translator,
    get_translator,
    resolve_language,
)
from bot.services.deps import deps_of
from handlers.context import chat_settings_for, translator_for
from handlers.menu import bot_commands
from handlers.replies import is_group_admin, is_private, send

logger = logging.getLogger(__name__)

CALLBACK_PREFIX = "lang:"
#: Opens the panel in place; other flows (the /settings panel) link here with this button data.
MENU_CALLBACK = "lang:menu"
#: Forget the stored choice and follow each person's Telegram language again.
AUTOMATIC = "auto"
_CHOICES = (*SUPPORTED_LANGUAGES, AUTOMATIC)


def _aliases() -> dict[str, str]:
    """What people may type after /language: codes and each language's name in every language
    the bot speaks ("ar", "Arabic", "العربية")."""
    found: dict[str, str] = {AUTOMATIC: AUTOMATIC}
    for code in SUPPORTED_LANGUAGES:
        found[code] = code
        for shown_in in SUPPORTED_LANGUAGES:
            name = Locale.parse(code).get_display_name(shown_in)
            if name:
                found[name.casefold()] = code
    return found


_ALIASES = _aliases()


def choice_from_text(text: str) -> str | None:
    """The language (or "auto") a typed argument names, e.g. `ar-SA`, `english`, `العربية`."""
    wanted = text.strip().casefold()
    if wanted in _ALIASES:
        return _ALIASES[wanted]
    base = wanted.replace("_", "-").split("-")[0]
    return base if base in SUPPORTED_LANGUAGES else None


def language_name(t: Translator, code: str) -> str:
    """A language's own name; a Latin one is isolated so it does not reorder an Arabic
    sentence."""
    name = LANGUAGE_NAMES[code]
    return name if code in RTL_LANGUAGES else t.isolate(name)


def language_panel(
    t: Translator, *, private: bool, stored: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The panel's text and buttons; the current choice is ticked."""
    current = resolve_language(stored, t.language)
    if private and stored is None:
        text = t.gettext(
            "🌐 <b>Language</b>\nI follow your Telegram app's language: {language}.\n"
            "Choose a language for our chat:",
            language=language_name(t, current),
        )
    elif private:
        text = t.gettext(
            "🌐 <b>Language</b>\nI speak {language} with you.\nChoose another language:",
            language=language_name(t, current),
        )
    elif stored is None:
        text = t.gettext(
            "🌐 <b>Group language</b>\nI answer each member in their own Telegram language.\n"
            "Choose one language for the whole group:"
        )
    else:
        text = t.gettext(
            "🌐 <b>Group language</b>\nI speak {language} in this group.\n"
            "Choose another language:",
            language=language_name(t, current),
        )
    rows: list[list[InlineKeyboardButton]] = []
    for code in SUPPORTED_LANGUAGES:
        mark = "✓ " if code == stored else ""
        rows.append([InlineKeyboardButton(mark + LANGUAGE_NAMES[code],
                                          callback_data=CALLBACK_PREFIX + code)])
    automatic = (
        t.gettext("📱 Same as my Telegram app")
        if private
        else t.gettext("👥 Each member's own language")
    )
    rows.append([InlineKeyboardButton(("✓ " if stored is None else "") + automatic,
                                      callback_data=CALLBACK_PREFIX + AUTOMATIC)])
    return t.align(text), InlineKeyboardMarkup(rows)


def confirmation(t: Translator, *, private: bool, stored: str | None) -> str:
    """Said in the newly chosen language, so the user sees at once that it worked."""
    if stored is not None:
        text = t.gettext("✅ Language set to {language}.", language=language_name(t, stored))
    elif private:
        text = t.gettext(
            "✅ I will follow your Telegram app's language ({language}).",
            language=language_name(t, t.language),
        )
    else:
        text = t.gettext("✅ I will answer each member in their own Telegram language.")
    return t.align(text)


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


async def language_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A panel button: re-check the presser's rights, then show the panel or apply the choice."""
    query = update.callback_query
    if query is None or update.effective_chat is None:
        return
    t = await translator_for(update, context)
    choice = (query.data or "").removeprefix(CALLBACK_PREFIX)
    if not await is_group_admin(update, context):
        await query.answer(
            t.gettext("Only the group's admins can change its language."), show_alert=True
        )
        return
    private = is_private(update)
    if query.data == MENU_CALLBACK:
        await query.answer()
        stored = await _stored_language(update, context)
        text, markup = language_panel(t, private=private, stored=stored)
        await send(update, context, text, markup, edit=True)
        return
    if choice not in _CHOICES:
        await query.answer(t.gettext("That button is no longer valid; send /language again."))
        return
    await _apply(update, context, choice, private=private, query=query)


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


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(
        CommandHandler("language", choose_language, filters.UpdateType.MESSAGE)
    )
    application.add_handler(
        CallbackQueryHandler(language_pressed, pattern=f"^{CALLBACK_PREFIX}")
    )
