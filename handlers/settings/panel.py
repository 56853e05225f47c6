"""The /settings panel: its pages and what each press does.

Every press re-reads the stored settings and edits the same message, so a stale panel can never
write a value the user did not just pick.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.domain.mushafs import MUSHAF_IDS, is_valid_mushaf, mushaf_name
from bot.i18n import Translator
from bot.services.deps import Deps, deps_of
from handlers.context import chat_settings_for, translator_for
from handlers.language import language_name, language_panel
from handlers.replies import TIMEZONE_CALLBACK, is_private, private_chat_markup, send
from handlers.settings.buttons import (
    _OLD_CHOOSE_LANGUAGE,
    CHOOSE_MUSHAF,
    CLOSE,
    LANGUAGES,
    MAIN,
    MUSHAFS,
)
from handlers.timezone import describe_zone
from storage import ChatSettings


def _main_panel(
    t: Translator, deps: Deps, settings: ChatSettings
) -> tuple[str, InlineKeyboardMarkup]:
    timezone = (
        html.escape(describe_zone(t, settings.timezone, deps.clock()))
        if settings.timezone
        else t.gettext("not set")
    )
    text = "\n".join(
        [
            t.gettext("<b>⚙️ Your settings</b>"),
            "",
            t.gettext("🌐 Language: {language}", language=language_name(t, t.language)),
            t.gettext(
                "📖 Mushaf: {mushaf}", mushaf=html.escape(mushaf_name(settings.mushaf_id, t))
            ),
            t.gettext("🕒 Timezone: {timezone}", timezone=timezone),
            "",
            t.gettext(
                "The mushaf decides what a page means for page goals and progress, as on Quran.com."
            ),
        ]
    )
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t.gettext("🌐 Language"), callback_data=LANGUAGES)],
            [InlineKeyboardButton(t.gettext("📖 Mushaf"), callback_data=MUSHAFS)],
            [InlineKeyboardButton(t.gettext("🕒 Timezone"), callback_data=TIMEZONE_CALLBACK)],
            [InlineKeyboardButton(t.gettext("Done"), callback_data=CLOSE)],
        ]
    )
    return text, markup


def _language_panel(t: Translator, stored: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """handlers.language's own panel (its buttons apply the choice), plus the way back."""
    text, markup = language_panel(t, private=True, stored=stored)
    rows = [list(row) for row in markup.inline_keyboard]
    rows.append([InlineKeyboardButton(t.gettext("« Back"), callback_data=MAIN)])
    return text, InlineKeyboardMarkup(rows)


def _mushaf_panel(t: Translator, current: int) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [
            InlineKeyboardButton(
                ("✓ " if mushaf_id == current else "") + mushaf_name(mushaf_id, t),
                callback_data=f"{CHOOSE_MUSHAF}{mushaf_id}",
            )
        ]
        for mushaf_id in MUSHAF_IDS
    ]
    rows.append([InlineKeyboardButton(t.gettext("« Back"), callback_data=MAIN)])
    text = t.gettext(
        "Which mushaf do you read from? Page goals count pages of this print, so pick the one "
        "you use on Quran.com."
    )
    return text, InlineKeyboardMarkup(rows)


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    if not is_private(update):
        await send(
            update,
            context,
            t.gettext(
                "Your settings are in our private chat. Group admins set the group's "
                "timezone with /timezone and its language with /language."
            ),
            private_chat_markup(t, context),
        )
        return
    deps = deps_of(context)
    settings = await chat_settings_for(update, deps)
    if settings is None:
        return
    text, markup = _main_panel(t, deps, settings)
    await send(update, context, text, markup)


async def panel_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    t = await translator_for(update, context)
    if not is_private(update):
        await query.answer(t.gettext("Send /settings to me in our private chat."), show_alert=True)
        return
    deps = deps_of(context)
    settings = await chat_settings_for(update, deps)
    if settings is None:
        await query.answer()
        return
    data = query.data
    if data == CLOSE:
        await query.answer()
        await query.edit_message_reply_markup(None)
        return
    if data == LANGUAGES or data.startswith(_OLD_CHOOSE_LANGUAGE):
        if data == LANGUAGES:
            await query.answer()
        else:
            await query.answer(t.gettext("That choice is no longer available."))
        await send(update, context, *_language_panel(t, settings.language), edit=True)
        return
    if data == MUSHAFS:
        await query.answer()
        await send(update, context, *_mushaf_panel(t, settings.mushaf_id), edit=True)
        return
    if data.startswith(CHOOSE_MUSHAF):
        raw = data.removeprefix(CHOOSE_MUSHAF)
        if not raw.isdigit() or not is_valid_mushaf(int(raw)):
            await query.answer(t.gettext("That choice is no longer available."))
            return
        updated = await deps.chats.update(settings.chat_id, mushaf_id=int(raw))
        settings = updated or settings
        await query.answer(t.gettext("Mushaf saved."))
    else:
        await query.answer()
    await send(update, context, *_main_panel(t, deps, settings), edit=True)
