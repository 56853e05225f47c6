"""The welcome: /start in a private chat or a group, and the deep links that land on it.

In a private chat /start is the onboarding, in one message: a short welcome, the button that
links Quran.com (or who the user is linked as) and, while no timezone is stored, the timezone
question (the timezone conversation, in an earlier handler group, already listens for a typed
city; its button shows the location keyboard).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.services.deps import deps_of
from handlers.account import linked_as, offer_login
from handlers.context import chat_settings_for, translator_for
from handlers.replies import (
    is_private,
    link_account_markup,
    private_chat_markup,
    send,
    set_timezone_button,
)


def _introduction(t: Translator) -> str:
    return t.gettext(
        "Assalamu alaikum! I am Quran Companion.\n\n"
        "I keep your Quran.com reading goal, streak and notes in step from Telegram: "
        "set a goal with /goal, log reading with /read, write reflections with /note, "
        "and get reminders with /remind.\n\nSend /help to see everything I can do."
    )


def _timezone_question(t: Translator) -> str:
    return t.gettext(
        "🕒 Which city are you in? Just type it (for example <i>Cairo</i>) so your reading "
        "days match your clock, or tap <b>Set my timezone</b> to share your location."
    )


async def _welcome_private(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One message: what the bot does, the link button (or who is linked) and, without a
    timezone, the question (the timezone conversation already listens for the answer)."""
    deps = deps_of(context)
    user = update.effective_user
    if user is None:
        return
    settings = await chat_settings_for(update, deps)
    t = await translator_for(update, context)
    account = await deps.accounts.get(user.id)
    parts = [_introduction(t)]
    rows: list[list[InlineKeyboardButton]] = []
    if account is None:
        parts.append(
            t.gettext("First, link your Quran.com account so I can read and update it for you.")
        )
        rows.append(list(link_account_markup(t, context, private=True).inline_keyboard[0]))
    else:
        parts.append(linked_as(t, account))
    if settings is not None and not settings.timezone:
        parts.append(_timezone_question(t))
        rows.append([set_timezone_button(t)])
    await send(update, context, "\n\n".join(parts), InlineKeyboardMarkup(rows) if rows else None)


async def _welcome_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await chat_settings_for(update, deps_of(context))
    t = await translator_for(update, context)
    text = t.gettext(
        "Assalamu alaikum! I am Quran Companion. In this group I can send reading reminders "
        "(/reminders) and cheer on everyone's streaks. Each member links their own Quran.com "
        "account in a private chat with me.\n\nSend /help to see what works here."
    )
    await send(update, context, text, private_chat_markup(t, context))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if is_private(update):
        await _welcome_private(update, context)
    else:
        await _welcome_group(update, context)


async def start_linked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Back from the callback page: confirm briefly rather than repeat the whole welcome."""
    deps = deps_of(context)
    user = update.effective_user
    if user is None:
        return
    settings = await chat_settings_for(update, deps)
    account = await deps.accounts.get(user.id)
    if account is None:
        # The page said something went wrong (or the user erased their data since).
        await _welcome_private(update, context)
        return
    t = await translator_for(update, context)
    parts = [
        linked_as(t, account),
        t.gettext("What next? Set a daily goal with /goal, or log what you read with /read."),
    ]
    markup = None
    if settings is not None and not settings.timezone:
        parts.append(_timezone_question(t))
        markup = InlineKeyboardMarkup([[set_timezone_button(t)]])
    await send(update, context, "\n\n".join(parts), markup)


async def start_login(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group's "link your account" button brought the user here."""
    await chat_settings_for(update, deps_of(context))
    await offer_login(update, context)
