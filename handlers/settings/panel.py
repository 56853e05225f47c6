"""The /settings panel: its pages and what each press does.

Every press re-reads the stored settings and edits the same message, so a stale panel can never
write a value the user did not just pick.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.domain.mushafs import MUSHAF_IDS, is_valid_mushaf, mushaf_name
from bot.i18n import Translator
from bot.services.deps import Deps, deps_of
from handlers.callbacks import button
from handlers.context import chat_settings_for, translator_for
from handlers.language import language_name, language_panel
from handlers.replies import AskTimezone, is_private, private_chat_markup, send
from handlers.settings.buttons import ChooseMushaf, ClosePanel, Page, ShowPage
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
            [button(t.gettext("🌐 Language"), ShowPage(Page.LANGUAGE))],
            [button(t.gettext("📖 Mushaf"), ShowPage(Page.MUSHAF))],
            [button(t.gettext("🕒 Timezone"), AskTimezone())],
            [button(t.gettext("Done"), ClosePanel())],
        ]
    )
    return text, markup


def _language_panel(t: Translator, stored: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """handlers.language's own panel (its buttons apply the choice), plus the way back."""
    text, markup = language_panel(t, private=True, stored=stored)
    rows = [list(row) for row in markup.inline_keyboard]
    rows.append([button(t.gettext("« Back"), ShowPage(Page.MAIN))])
    return text, InlineKeyboardMarkup(rows)


def _mushaf_panel(t: Translator, current: int) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [
            button(
                ("✓ " if mushaf_id == current else "") + mushaf_name(mushaf_id, t),
                ChooseMushaf(mushaf_id),
            )
        ]
        for mushaf_id in MUSHAF_IDS
    ]
    rows.append([button(t.gettext("« Back"), ShowPage(Page.MAIN))])
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


async def _pressed_in_private(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator
) -> ChatSettings | None:
    """The settings a press may show or change: only ever in the private chat, whose settings
    are the presser's own. None when the press is refused (already answered)."""
    query = update.callback_query
    if query is None:
        return None
    if not is_private(update):
        await query.answer(t.gettext("Send /settings to me in our private chat."), show_alert=True)
        return None
    settings = await chat_settings_for(update, deps_of(context))
    if settings is None:
        await query.answer()
    return settings


async def page_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: ShowPage
) -> None:
    t = await translator_for(update, context)
    settings = await _pressed_in_private(update, context, t)
    query = update.callback_query
    if settings is None or query is None:
        return
    await query.answer()
    if pressed.page is Page.LANGUAGE:
        page = _language_panel(t, settings.language)
    elif pressed.page is Page.MUSHAF:
        page = _mushaf_panel(t, settings.mushaf_id)
    else:
        page = _main_panel(t, deps_of(context), settings)
    await send(update, context, *page, edit=True)


async def mushaf_chosen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: ChooseMushaf
) -> None:
    t = await translator_for(update, context)
    settings = await _pressed_in_private(update, context, t)
    query = update.callback_query
    if settings is None or query is None:
        return
    if not is_valid_mushaf(pressed.mushaf_id):
        await query.answer(t.gettext("That choice is no longer available."))
        return
    deps = deps_of(context)
    updated = await deps.chats.update(settings.chat_id, mushaf_id=pressed.mushaf_id)
    await query.answer(t.gettext("Mushaf saved."))
    await send(update, context, *_main_panel(t, deps, updated or settings), edit=True)


async def panel_closed(update: Update, context: ContextTypes.DEFAULT_TYPE, _: ClosePanel) -> None:
    t = await translator_for(update, context)
    settings = await _pressed_in_private(update, context, t)
    query = update.callback_query
    if settings is None or query is None:
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
