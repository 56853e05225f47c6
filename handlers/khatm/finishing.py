"""Finishing a juz, from the board or the private list: the board is refreshed, the juz is
credited to the finisher's own Quran.com account, an unlinked member is asked (in private) to
link, and the press that completes the khatm celebrates it in the group."""

from __future__ import annotations

import contextlib
import html
import re

from telegram import CallbackQuery, InlineKeyboardMarkup, User
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from bot.i18n import Translator, get_translator, resolve_language
from bot.qf import QFError, friendly_error
from bot.services.deps import Deps, deps_of
from bot.services.khatm import KhatmService
from handlers.callbacks import button
from handlers.khatm.board import group_translator, refresh_board
from handlers.khatm.buttons import NextKhatm
from handlers.replies import link_account_markup
from storage import KhatmBoard


def plain(text: str, limit: int = 200) -> str:
    """A callback answer: no HTML, at most Telegram's 200 characters."""
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def private_translator(deps: Deps, user: User) -> Translator:
    settings = await deps.chats.get(user.id)
    return get_translator(
        resolve_language(settings.language if settings else None, user.language_code)
    )


async def tell_privately(
    context: ContextTypes.DEFAULT_TYPE, user: User, text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Write to the member in private; False when they never started the bot."""
    try:
        await context.bot.send_message(user.id, text, reply_markup=markup)
    except (Forbidden, BadRequest):
        return False
    return True


async def finish_and_credit(
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery,
    t: Translator,
    board: KhatmBoard,
    juz: int,
    *,
    timezone: str | None,
    in_private: bool,
) -> bool:
    """Finish the presser's juz and credit it; the press is answered here. False when the juz
    was not theirs to finish (any more)."""
    deps = deps_of(context)
    service = KhatmService(deps)
    user = query.from_user
    finished, completed = await service.finish(board.id, juz, user.id)
    if not finished:
        await query.answer(
            t.gettext("Juz {n} is no longer yours to finish.", n=t.number(juz)), show_alert=True
        )
        return False
    refresh_board(context, board.id)
    if completed:
        await celebrate(context, board)
    done = t.gettext("Juz {n} finished ✅ Jazak Allahu khayran!", n=t.number(juz))
    try:
        credit = await service.credit_juz(user.id, board, juz, timezone=timezone)
    except QFError as error:
        await query.answer(plain(done + "\n" + friendly_error(error, t)), show_alert=True)
        return True
    match credit:
        case "credited":
            await query.answer(plain(done + " " + t.gettext(
                "Credited to your Quran.com account."
            )))
        case "already_credited":
            await query.answer(plain(done))
        case "not_linked" | "link_expired":
            await offer_link(context, query, t, done, in_private=in_private)
    return True


async def offer_link(
    context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, t: Translator, done: str,
    *, in_private: bool,
) -> None:
    """An unlinked member: the link button goes to the private chat, never into the group."""
    user = query.from_user
    private_t = await private_translator(deps_of(context), user)
    text = private_t.gettext(
        "Link your Quran.com account and the juz you finish on your group's khatm board are "
        "credited to your own goal and streak."
    )
    if await tell_privately(
        context, user, text, link_account_markup(private_t, context, private=True)
    ):
        suffix = "" if in_private else " " + t.gettext("I sent you a private message to link "
                                                       "Quran.com.")
        await query.answer(plain(done + suffix))
        return
    markup = link_account_markup(t, context, private=False)
    url = markup.inline_keyboard[0][0].url
    await query.answer(
        plain(done + " " + t.gettext("Link Quran.com to get it credited to your account.")),
        url=url,
    )


async def celebrate(context: ContextTypes.DEFAULT_TYPE, board: KhatmBoard) -> None:
    """The khatm is complete: say so in the group (an edit alone notifies nobody)."""
    deps = deps_of(context)
    t = await group_translator(deps, board.chat_id)
    text = t.gettext(
        "🎉 Alhamdulillah! The group completed khatm #{n}: all 30 juz are read. May Allah "
        "accept it from everyone who took part.",
        n=t.number(board.round),
    )
    markup = InlineKeyboardMarkup(
        [[button(t.gettext("🔁 Start the next khatm"), NextKhatm(board_id=board.id))]]
    )
    with contextlib.suppress(Forbidden, BadRequest):
        await context.bot.send_message(board.chat_id, text, reply_markup=markup)
