"""A group's collective khatm: starting a round, taking, finishing and releasing a juz, an
admin re-opening a juz or closing the board, and crediting a finished juz to the finisher's own
Quran.com account.

Every press names the board it was shown on; a press whose board is not the chat's current open
board changes nothing. Races between members are settled by the database (`storage.khatm`).
Crediting follows the check-ins (`bot.services.check_ins`): the credit key is claimed before
Quran.com is called and given back only when the call surely failed, so a juz is credited once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.domain.khatm import Board, KhatmProgress, Part, juz_range_key, progress_of
from bot.qf import LinkExpired, NotLinked, QFError
from bot.services.deps import Deps
from bot.services.reminders import mushaf_for
from storage import KhatmBoard, KhatmRepository

logger = logging.getLogger(__name__)

#: "credited"; "already_credited" (an earlier finish of this juz did it); "not_linked";
#: "link_expired" (the link stopped working just now).
Credit = Literal["credited", "already_credited", "not_linked", "link_expired"]


def credit_key(board_id: int, juz: int) -> str:
    """The credit-once key of one juz of one board (stored: keep the spelling)."""
    return f"khatm:{board_id}:{juz}"


@dataclass(frozen=True)
class Loaded:
    """A board as stored, and as the pure rules see it."""

    row: KhatmBoard
    board: Board


class KhatmService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.repository = KhatmRepository(deps.database, clock=deps.clock)

    async def load(self, board_id: int) -> Loaded | None:
        row = await self.repository.get(board_id)
        if row is None:
            return None
        parts = await self.repository.parts(board_id)
        board = Board(
            id=row.id,
            round=row.round,
            status=row.status,
            deadline=row.deadline,
            parts=tuple(
                Part(juz=p.juz, taker_id=p.taker_id, taker_name=p.taker_name, finished=p.finished)
                for p in parts
            ),
        )
        return Loaded(row, board)

    async def latest(self, chat_id: int) -> Loaded | None:
        row = await self.repository.latest(chat_id)
        return None if row is None else await self.load(row.id)

    async def progress(self, chat_id: int) -> KhatmProgress | None:
        """The group's current (newest) khatm round's progress, or None if it never had one."""
        loaded = await self.latest(chat_id)
        return None if loaded is None else progress_of(loaded.board)

    async def start(
        self, chat_id: int, started_by: int | None, deadline: date | None
    ) -> tuple[Loaded, bool]:
        """Open the next round (or return the open one, False)."""
        row, created = await self.repository.start(
            chat_id, started_by=started_by, deadline=deadline
        )
        loaded = await self.load(row.id)
        assert loaded is not None
        return loaded, created

    async def pressed_board(self, board_id: int, chat_id: int, message_id: int) -> Loaded | None:
        """The board a press under `message_id` in `chat_id` acts on: only the board that
        message shows, and only while it is the chat's newest round."""
        loaded = await self.load(board_id)
        if loaded is None or loaded.row.chat_id != chat_id or loaded.row.message_id != message_id:
            return None
        latest = await self.repository.latest(chat_id)
        if latest is None or latest.id != board_id:
            return None
        return loaded

    async def open_board_for(self, board_id: int, user_id: int) -> Loaded | None:
        """A board a private "My juz" press names: still open, and the user holds a juz on it."""
        loaded = await self.load(board_id)
        if loaded is None or loaded.board.status != "open":
            return None
        if not any(part.taker_id == user_id for part in loaded.board.parts):
            return None
        return loaded

    async def take(self, board_id: int, juz: int, user_id: int, name: str) -> bool:
        return await self.repository.take(board_id, juz, user_id, name)

    async def release(self, board_id: int, juz: int, user_id: int) -> bool:
        return await self.repository.release(board_id, juz, user_id)

    async def finish(self, board_id: int, juz: int, user_id: int) -> tuple[bool, bool]:
        """(finished now, the whole khatm completed with it)."""
        if not await self.repository.finish(board_id, juz, user_id):
            return False, False
        return True, await self.repository.complete_if_done(board_id)

    async def reopen(self, board_id: int, juz: int) -> bool:
        return await self.repository.reopen(board_id, juz)

    async def close(self, board_id: int) -> bool:
        return await self.repository.close(board_id)

    async def set_message(self, board_id: int, message_id: int) -> None:
        await self.repository.set_message(board_id, message_id)

    async def held_by(self, user_id: int) -> list[tuple[KhatmBoard, int]]:
        """(board, juz) for each juz the user holds unfinished on an open board, any group."""
        return [
            (board, part.juz)
            for board, part in await self.repository.held_by(user_id)
            if not part.finished
        ]

    async def bot_left(self, chat_id: int) -> None:
        """The bot was removed: its board can no longer be pressed or edited."""
        await self.repository.close_chat(chat_id)

    async def credit_juz(
        self, user_id: int, board: KhatmBoard, juz: int, *, timezone: str | None
    ) -> Credit:
        """Credit the finished juz to the user's own Quran.com account, once.

        Raises QFError when Quran.com failed otherwise (the claim is kept after an ambiguous
        failure, where the credit may have been recorded).
        """
        deps = self.deps
        if await deps.accounts.get(user_id) is None:
            return "not_linked"
        key = credit_key(board.id, juz)
        if not await deps.credits.claim(user_id, key):
            return "already_credited"
        ranges = [juz_range_key(juz)]
        try:
            session = deps.qf.for_user(user_id, timezone=timezone)
            mushaf_id = await mushaf_for(deps, user_id, board.chat_id)
            seconds = await session.estimate_reading_time(ranges)
            # No date: the activity day is the reader's own today (their timezone's).
            await session.add_activity_day(ranges, seconds, mushaf_id)
        except (NotLinked, LinkExpired):
            await deps.credits.release(user_id, key)
            return "link_expired"
        except QFError as error:
            if not getattr(error, "ambiguous", False):
                await deps.credits.release(user_id, key)
            logger.info("khatm credit failed for board %s juz %s: %s", board.id, juz, error)
            raise
        return "credited"
