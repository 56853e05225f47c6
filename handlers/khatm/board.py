"""The board message: how it looks (keyboard from the pure screen), posting it, and editing it
in place.

Edits are coalesced per board: a press asks for a refresh, and one edit made a moment later
shows every press that arrived meanwhile, so 30 members pressing in the same second cause one
or two edits, not 30 (each edit counts against the group's 20 messages a minute). Every edit
goes through the one send budget, like every other request of the bot.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from datetime import date
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.domain.khatm import Board, board_screen
from bot.domain.reminders import local_today
from bot.i18n import Translator, get_translator, resolve_language
from bot.presentation.khatm import board_text, juz_label
from bot.services.deps import Deps, deps_of
from bot.services.khatm import KhatmService
from handlers.callbacks import button
from handlers.khatm.buttons import FinishMine, NextKhatm, PressJuz, ReleaseMine, ShowAdmin

logger = logging.getLogger(__name__)

#: How long a refresh waits for more presses before editing the board, in seconds.
COALESCE_SECONDS = 1.5
_EDITS_KEY = "khatm_board_edits"


async def group_translator(deps: Deps, chat_id: int) -> Translator:
    settings = await deps.chats.get(chat_id)
    return get_translator(resolve_language(settings.language if settings else None))


async def group_today(deps: Deps, chat_id: int) -> date:
    settings = await deps.chats.get(chat_id)
    return local_today(deps.clock(), (settings.timezone if settings else None) or "UTC")


def board_markup(board: Board, t: Translator, today: date) -> InlineKeyboardMarkup | None:
    screen = board_screen(board, today)
    if screen.offers_next:
        return InlineKeyboardMarkup(
            [[button(t.gettext("🔁 Start the next khatm"), NextKhatm(board_id=board.id))]]
        )
    if not screen.pressable:
        return None
    rows: list[list[InlineKeyboardButton]] = [
        [button(juz_label(cell, t), PressJuz(board_id=board.id, juz=cell.juz)) for cell in row]
        for row in screen.rows
    ]
    rows.append([
        button(t.gettext("✅ I finished"), FinishMine(board_id=board.id)),
        button(t.gettext("↩️ Release"), ReleaseMine(board_id=board.id)),
        button("⚙️", ShowAdmin(board_id=board.id)),
    ])
    return InlineKeyboardMarkup(rows)


async def render(deps: Deps, board: Board, chat_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    t = await group_translator(deps, chat_id)
    today = await group_today(deps, chat_id)
    return board_text(board_screen(board, today), t), board_markup(board, t, today)


async def post_board(context: ContextTypes.DEFAULT_TYPE, board_id: int) -> Message | None:
    """Send the board as a new message and make it the one presses count under."""
    deps = deps_of(context)
    service = KhatmService(deps)
    loaded = await service.load(board_id)
    if loaded is None:
        return None
    text, markup = await render(deps, loaded.board, loaded.row.chat_id)
    message = await context.bot.send_message(loaded.row.chat_id, text, reply_markup=markup)
    await service.set_message(board_id, message.message_id)
    return message


class BoardEdits:
    """Pending board refreshes, one task per board, each editing once for a burst of presses."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.application = application
        self.delay = COALESCE_SECONDS
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._dirty: set[int] = set()
        #: How many edits were made (for tests and the curious).
        self.edits = 0

    def request(self, board_id: int) -> None:
        if board_id in self._tasks:
            self._dirty.add(board_id)
            return
        # A fresh context: the coalesced edit belongs to no single press, so it must not be
        # numbered in the inbox journal of the press that started it (see bot.app.journal).
        self._tasks[board_id] = asyncio.get_running_loop().create_task(
            self._run(board_id), context=contextvars.Context()
        )

    async def flush(self) -> None:
        """Wait until every requested refresh is on the board."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def _run(self, board_id: int) -> None:
        try:
            while True:
                await asyncio.sleep(self.delay)
                self._dirty.discard(board_id)
                await self._edit(board_id)
                if board_id not in self._dirty:
                    return
        except Exception:
            # Nobody awaits this task: a failed refresh is logged, and the next press retries.
            logger.exception("khatm board %s refresh failed", board_id)
        finally:
            self._tasks.pop(board_id, None)

    async def _edit(self, board_id: int) -> None:
        deps = deps_of(self.application)
        loaded = await KhatmService(deps).load(board_id)
        if loaded is None or loaded.row.message_id is None:
            return
        text, markup = await render(deps, loaded.board, loaded.row.chat_id)
        bot: Bot = self.application.bot
        try:
            await bot.edit_message_text(
                text, chat_id=loaded.row.chat_id, message_id=loaded.row.message_id,
                reply_markup=markup,
            )
            self.edits += 1
        except TelegramError as error:
            # "message is not modified" (nothing changed since), or the message is gone.
            logger.info("khatm board %s not edited: %s", board_id, error)


def board_edits(application: Application[Any, Any, Any, Any, Any, Any]) -> BoardEdits:
    edits = application.bot_data.get(_EDITS_KEY)
    if not isinstance(edits, BoardEdits):
        edits = BoardEdits(application)
        application.bot_data[_EDITS_KEY] = edits
    return edits


def refresh_board(context: ContextTypes.DEFAULT_TYPE, board_id: int) -> None:
    board_edits(context.application).request(board_id)
