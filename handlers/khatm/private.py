""" "My juz" in private: /khatm (or the board's deep link) lists the juz a member holds on
every group's open board, each with ✅ finish and ↩️ release.

A press names the board and the juz; it acts only while that board is open and the juz is the
presser's, so a list kept from last month changes nothing.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.presentation.khatm import my_juz_text
from bot.services.deps import deps_of
from bot.services.khatm import KhatmService
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.khatm.board import refresh_board
from handlers.khatm.buttons import FinishJuz, ReleaseJuz
from handlers.khatm.finishing import finish_and_credit
from handlers.replies import send, timezone_for


async def _my_juz_screen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator
) -> tuple[str, InlineKeyboardMarkup | None]:
    user = update.effective_user
    assert user is not None
    deps = deps_of(context)
    held = await KhatmService(deps).held_by(user.id)
    entries: list[tuple[str | None, int]] = []
    rows: list[list[InlineKeyboardButton]] = []
    for board, juz in held:
        chat = await deps.chats.get(board.chat_id)
        entries.append((chat.title if chat else None, juz))
        n = t.number(juz)
        rows.append([
            button(t.gettext("✅ Juz {n} finished", n=n), FinishJuz(board_id=board.id, juz=juz)),
            button(t.gettext("↩️ Release juz {n}", n=n), ReleaseJuz(board_id=board.id, juz=juz)),
        ])
    return my_juz_text(entries, t), InlineKeyboardMarkup(rows) if rows else None


async def my_juz_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    text, markup = await _my_juz_screen(update, context, t)
    await send(update, context, text, markup)


async def _show_again(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator) -> None:
    text, markup = await _my_juz_screen(update, context, t)
    with contextlib.suppress(BadRequest):
        await send(update, context, text, markup, edit=True)


async def finish_juz_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: FinishJuz
) -> None:
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    deps = deps_of(context)
    loaded = await KhatmService(deps).open_board_for(press.board_id, query.from_user.id)
    if loaded is None:
        await query.answer(t.gettext("This khatm is no longer open."), show_alert=True)
    else:
        await finish_and_credit(
            context, query, t, loaded.row, press.juz,
            timezone=await timezone_for(update, deps), in_private=True,
        )
    await _show_again(update, context, t)


async def release_juz_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: ReleaseJuz
) -> None:
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    service = KhatmService(deps_of(context))
    if await service.release(press.board_id, press.juz, query.from_user.id):
        refresh_board(context, press.board_id)
        await query.answer(t.gettext(
            "Juz {n} is free again for someone else.", n=t.number(press.juz)
        ))
    else:
        await query.answer(t.gettext("Nothing to release."), show_alert=True)
    await _show_again(update, context, t)
