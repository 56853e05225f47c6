"""/khatm in a group, and the admins' presses: starting a round (with an optional deadline),
the admins' panel (re-open a juz, close the board) and "start the next khatm".

Admin rights are asked of Telegram on every command and every press: a demoted admin's old
panel does nothing. Members who send /khatm are pointed at the board.
"""

from __future__ import annotations

import contextlib
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.domain.khatm import DeadlineError, Mark, board_screen, parse_deadline
from bot.i18n import Translator
from bot.presentation.khatm import deadline_error
from bot.services.deps import deps_of
from bot.services.khatm import KhatmService, Loaded
from handlers.callbacks import button
from handlers.context import chat_settings_for, translator_for
from handlers.khatm.board import group_today, post_board, refresh_board
from handlers.khatm.buttons import (
    CloseAdmin,
    CloseBoard,
    NextKhatm,
    Reopen,
    RepostBoard,
    ShowAdmin,
)
from handlers.khatm.private import my_juz_command
from handlers.replies import is_group_admin, refuse, send


async def refuse_non_admin(update: Update, t: Translator) -> None:
    text = t.gettext(
        "Sorry, only the group's admins can start, change or close the khatm. "
        "You can take a juz on the board."
    )
    await refuse(update, text)


async def khatm_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    if chat.type == ChatType.PRIVATE:
        await my_juz_command(update, context)
        return
    deps = deps_of(context)
    await chat_settings_for(update, deps)
    t = await translator_for(update, context)
    service = KhatmService(deps)
    latest = await service.latest(chat.id)
    running = latest if latest is not None and latest.board.status == "open" else None
    if not await is_group_admin(update, context):
        if running is not None and running.row.message_id is not None:
            await message.reply_text(
                t.gettext("The khatm board is here: press a free juz to take it."),
                reply_to_message_id=running.row.message_id,
            )
            return
        await refuse_non_admin(update, t)
        return
    if running is not None:
        await message.reply_text(
            t.gettext("Khatm #{n} is running. Admin options:", n=t.number(running.board.round)),
            reply_markup=admin_markup(running, t, await group_today(deps, chat.id)),
        )
        return
    today = await group_today(deps, chat.id)
    try:
        deadline = parse_deadline(" ".join(context.args or []), today)
    except DeadlineError as error:
        await message.reply_text(deadline_error(error, t, today))
        return
    user = update.effective_user
    loaded, _ = await service.start(chat.id, user.id if user else None, deadline)
    await post_board(context, loaded.row.id)


def admin_markup(loaded: Loaded, t: Translator, today: date) -> InlineKeyboardMarkup:
    """Re-open any taken or finished juz, close the board, or put the panel away."""
    board = loaded.board
    screen = board_screen(board, today)
    reopenable = [
        button(f"↩️{t.number(cell.juz)}", Reopen(board_id=board.id, juz=cell.juz))
        for cell in screen.claimed
        if cell.mark is not Mark.FREE
    ]
    rows: list[list[InlineKeyboardButton]] = [
        reopenable[start : start + 6] for start in range(0, len(reopenable), 6)
    ]
    rows.append([button(t.gettext("📌 Post the board again"), RepostBoard(board_id=board.id))])
    rows.append([
        button(t.gettext("🛑 Close the khatm"), CloseBoard(board_id=board.id)),
        button(t.gettext("✔️ Done"), CloseAdmin(board_id=board.id)),
    ])
    return InlineKeyboardMarkup(rows)


def _admin_text(loaded: Loaded, t: Translator) -> str:
    return t.gettext(
        "⚙️ Khatm #{n}: press ↩️ and a juz number to re-open that juz (its reader loses it), "
        "or close the khatm.",
        n=t.number(loaded.board.round),
    )


async def _admin_board(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, board_id: int
) -> Loaded | None:
    """The board an admin press names, if the presser is an admin and it is still the group's
    open board; otherwise the press is answered here."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    if not await is_group_admin(update, context):
        await refuse_non_admin(update, t)
        return None
    service = KhatmService(deps_of(context))
    latest = await service.latest(chat.id) if chat is not None else None
    if latest is None or latest.row.id != board_id or latest.board.status != "open":
        await query.answer(t.gettext("This khatm board is no longer active. Use the newest "
                                     "board."), show_alert=True)
        return None
    return latest


async def show_admin_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: ShowAdmin
) -> None:
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    loaded = await _admin_board(update, context, t, press.board_id)
    if loaded is None:
        return
    await query.answer()
    deps = deps_of(context)
    message = query.message
    await context.bot.send_message(
        loaded.row.chat_id, _admin_text(loaded, t),
        reply_markup=admin_markup(loaded, t, await group_today(deps, loaded.row.chat_id)),
        reply_to_message_id=message.message_id if isinstance(message, Message) else None,
    )


async def reopen_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Reopen) -> None:
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    loaded = await _admin_board(update, context, t, press.board_id)
    if loaded is None:
        return
    deps = deps_of(context)
    service = KhatmService(deps)
    if await service.reopen(press.board_id, press.juz):
        refresh_board(context, press.board_id)
        await query.answer(t.gettext("Juz {n} is free again.", n=t.number(press.juz)))
    else:
        await query.answer(t.gettext("Juz {n} was free already.", n=t.number(press.juz)))
    reloaded = await service.load(press.board_id)
    assert reloaded is not None
    markup = admin_markup(reloaded, t, await group_today(deps, reloaded.row.chat_id))
    await send(update, context, _admin_text(reloaded, t), markup, edit=True)


async def close_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: CloseBoard
) -> None:
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    loaded = await _admin_board(update, context, t, press.board_id)
    if loaded is None:
        return
    await KhatmService(deps_of(context)).close(press.board_id)
    refresh_board(context, press.board_id)
    await query.answer()
    await send(update, context, t.gettext(
        "Khatm #{n} is closed. Start a new one any time with /khatm.",
        n=t.number(loaded.board.round),
    ), edit=True)


async def close_admin_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: CloseAdmin
) -> None:
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    if not await is_group_admin(update, context):
        await refuse_non_admin(update, t)
        return
    await query.answer()
    await send(update, context, t.gettext("✔️ Done."), edit=True)


async def next_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: NextKhatm
) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    t = await translator_for(update, context)
    if not await is_group_admin(update, context):
        await refuse_non_admin(update, t)
        return
    service = KhatmService(deps_of(context))
    latest = await service.latest(chat.id)
    if latest is None or latest.row.id != press.board_id or latest.board.status == "open":
        await query.answer(
            t.gettext("The next khatm has started already: it is the newest board."),
            show_alert=True,
        )
        return
    user = update.effective_user
    loaded, _ = await service.start(chat.id, user.id if user else None, None)
    await query.answer()
    await post_board(context, loaded.row.id)


async def repost_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: RepostBoard
) -> None:
    """The board again at the bottom of the chat; presses on the old message stop counting
    (it loses its buttons, and says where the board went)."""
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    loaded = await _admin_board(update, context, t, press.board_id)
    if loaded is None:
        return
    await query.answer()
    old_message_id = loaded.row.message_id
    await post_board(context, loaded.row.id)
    await send(update, context, t.gettext("✔️ Done."), edit=True)
    if old_message_id is not None:
        # Too old to edit, or deleted: its presses are refused anyway.
        with contextlib.suppress(TelegramError):
            await context.bot.edit_message_text(
                t.gettext("📌 The khatm board moved: it is the newest message with the juz "
                          "buttons."),
                chat_id=loaded.row.chat_id, message_id=old_message_id,
            )
