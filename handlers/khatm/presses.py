"""A member's presses on the board: a juz (take it), "✅ I finished" and "↩️ Release".

A press counts only under the message that shows its board, while that board is the group's
newest round; anything else is an old board and changes nothing. What a press means is decided
by `bot.domain.khatm.judge_press`; the database then applies it only if it still holds (two
members pressing the same free juz: one gets it, the other is told whose it is).
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.domain.khatm import Ask, Judgement, judge_press
from bot.i18n import Translator
from bot.presentation.text import isolated_name
from bot.services.deps import deps_of
from bot.services.khatm import KhatmService, Loaded
from handlers.context import translator_for
from handlers.khatm.board import refresh_board
from handlers.khatm.buttons import FinishMine, PressJuz, ReleaseMine
from handlers.khatm.finishing import finish_and_credit
from handlers.replies import private_chat_url, timezone_for

#: The deep link that opens the member's "My juz" list in private.
MY_JUZ_DEEP_LINK = "khatm"


async def _pressed_board(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, board_id: int
) -> Loaded | None:
    query = update.callback_query
    assert query is not None
    message = query.message
    loaded = None
    if isinstance(message, Message):
        loaded = await KhatmService(deps_of(context)).pressed_board(
            board_id, message.chat.id, message.message_id
        )
    if loaded is None:
        await query.answer(
            t.gettext("This khatm board is no longer active. Use the newest board."),
            show_alert=True,
        )
    return loaded


def _member_name(update: Update) -> str:
    user = update.effective_user
    return user.full_name if user is not None else "?"


async def juz_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, press: PressJuz) -> None:
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    loaded = await _pressed_board(update, context, t, press.board_id)
    if loaded is None:
        return
    user_id = query.from_user.id
    judgement = judge_press(loaded.board, Ask.JUZ, press.juz, user_id)
    if judgement.verdict == "take":
        service = KhatmService(deps_of(context))
        if await service.take(press.board_id, press.juz, user_id, _member_name(update)):
            refresh_board(context, press.board_id)
            await query.answer(t.gettext(
                "Juz {n} is yours. When you have read it, press “✅ I finished”.",
                n=t.number(press.juz),
            ))
            return
        # Someone was faster: say who, from the board as it is now.
        reloaded = await service.load(press.board_id)
        assert reloaded is not None
        judgement = judge_press(reloaded.board, Ask.JUZ, press.juz, user_id)
    await query.answer(_refusal(judgement, t, press.juz), show_alert=judgement.verdict != "yours")


def _refusal(judgement: Judgement, t: Translator, juz: int) -> str:
    n = t.number(juz)
    match judgement.verdict:
        case "yours":
            return t.gettext(
                "Juz {n} is yours. When you have read it, press “✅ I finished”; "
                "“↩️ Release” gives it back.", n=n,
            )
        case "taken":
            name = judgement.part.taker_name if judgement.part else None
            return t.gettext("Juz {n} is taken by {name}.", n=n,
                             name=isolated_name(name or "?", 32))
        case "finished":
            return t.gettext("Juz {n} is already finished ✅", n=n)
        case "take":  # freed again between the two reads: rare; a second press takes it
            return t.gettext("Juz {n} is free again: press it once more to take it.", n=n)
        case _:
            return t.gettext("This khatm is no longer open.")


async def finish_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: FinishMine
) -> None:
    await _mine_pressed(update, context, press.board_id, Ask.FINISH)


async def release_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: ReleaseMine
) -> None:
    await _mine_pressed(update, context, press.board_id, Ask.RELEASE)


async def _mine_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, board_id: int, ask: Ask
) -> None:
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    loaded = await _pressed_board(update, context, t, board_id)
    if loaded is None:
        return
    deps = deps_of(context)
    judgement = judge_press(loaded.board, ask, 0, query.from_user.id)
    part = judgement.part
    match judgement.verdict:
        case "finish" if part is not None:
            await finish_and_credit(
                context, query, t, loaded.row, part.juz,
                timezone=await timezone_for(update, deps), in_private=False,
            )
        case "release" if part is not None:
            if await KhatmService(deps).release(board_id, part.juz, query.from_user.id):
                refresh_board(context, board_id)
                await query.answer(t.gettext(
                    "Juz {n} is free again for someone else.", n=t.number(part.juz)
                ))
            else:
                await query.answer(t.gettext("Nothing to release."), show_alert=True)
        case "choose":
            await query.answer(
                t.gettext("You hold several juz: choose which one in our private chat."),
                url=private_chat_url(context, MY_JUZ_DEEP_LINK),
            )
        case "none_held":
            await query.answer(
                t.gettext("You hold no unfinished juz on this board. Press a free juz to take "
                          "it."),
                show_alert=True,
            )
        case _:
            await query.answer(t.gettext("This khatm is no longer open."), show_alert=True)
