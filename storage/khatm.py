"""A group's collective khatm: its boards (one per round) and the 30 juz of each.

Every change a member can race another member for is one conditional UPDATE whose WHERE clause
states what must still be true (the juz is free, the board is open, the juz is the presser's and
not yet finished), so the database decides who wins: no juz is taken twice and no press is lost
or applied twice, on SQLite and PostgreSQL alike, with one process or several.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Row, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import schema
from storage.chats import chat_type_for, insert_chat_if_missing
from storage.database import Database
from storage.models import Clock, utc_now

_boards = schema.khatm_boards
_parts = schema.khatm_parts

#: The number of parts of a board (the mushaf's 30 juz). Storage imports nothing from the bot;
#: tests/test_khatm_storage.py checks it equals `bot.domain.chapters.JUZ_COUNT`.
PART_COUNT = 30
#: Longest taker name kept (the column's width); longer names are cut.
TAKER_NAME_LIMIT = 64

BoardStatus = Literal["open", "done", "closed"]


@dataclass(frozen=True)
class KhatmBoard:
    id: int
    chat_id: int
    round: int
    status: BoardStatus
    deadline: date | None
    message_id: int | None
    started_by: int | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class KhatmPart:
    board_id: int
    juz: int
    taker_id: int | None
    taker_name: str | None
    finished: bool


def _board(row: Row[Any]) -> KhatmBoard:
    return KhatmBoard(
        id=row.id,
        chat_id=row.chat_id,
        round=row.round,
        status=row.status,
        deadline=row.deadline,
        message_id=row.message_id,
        started_by=row.started_by,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def _part(row: Row[Any]) -> KhatmPart:
    return KhatmPart(
        board_id=row.board_id,
        juz=row.juz,
        taker_id=row.taker_id,
        taker_name=row.taker_name,
        finished=row.finished_at is not None,
    )


def _board_is_open(board_id: int) -> Any:
    return exists().where(_boards.c.id == board_id, _boards.c.status == "open")


class KhatmRepository:
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    # ----------------------------------------------------------------------------------------
    # Boards

    async def start(
        self, chat_id: int, *, started_by: int | None, deadline: date | None
    ) -> tuple[KhatmBoard, bool]:
        """Open the chat's next round with its 30 free juz; (board, True).

        When a round is already open it is returned as it is, (board, False): a second /khatm
        (or two admins at once, whose rounds collide on the unique (chat, round)) never opens a
        second board.
        """
        now = self._clock()
        try:
            async with self._db.write() as connection:
                await insert_chat_if_missing(
                    connection, chat_id, chat_type_for(chat_id), None, self._clock
                )
                # Starts in one chat queue on its row (PostgreSQL; SQLite's writer lock already
                # serialises them), so each sees whether the one before opened a board.
                await connection.execute(
                    select(schema.chats.c.id).where(schema.chats.c.id == chat_id).with_for_update()
                )
                current = await _open_board(connection, chat_id)
                if current is not None:
                    return current, False
                last = (
                    await connection.execute(
                        select(func.max(_boards.c.round)).where(_boards.c.chat_id == chat_id)
                    )
                ).scalar_one_or_none()
                row = (
                    await connection.execute(
                        insert(_boards)
                        .values(
                            chat_id=chat_id,
                            round=(last or 0) + 1,
                            status="open",
                            deadline=deadline,
                            message_id=None,
                            started_by=started_by,
                            finished_at=None,
                            created_at=now,
                            updated_at=now,
                        )
                        .returning(*_boards.c)
                    )
                ).one()
                await connection.execute(
                    insert(_parts),
                    [{"board_id": row.id, "juz": juz} for juz in range(1, PART_COUNT + 1)],
                )
                return _board(row), True
        except IntegrityError:
            # Another start won the race for this round number: theirs is the board.
            async with self._db.read() as connection:
                winner = await _open_board(connection, chat_id)
            if winner is None:
                raise
            return winner, False

    async def get(self, board_id: int) -> KhatmBoard | None:
        async with self._db.read() as connection:
            row = (
                await connection.execute(select(_boards).where(_boards.c.id == board_id))
            ).first()
        return None if row is None else _board(row)

    async def latest(self, chat_id: int) -> KhatmBoard | None:
        """The chat's newest round, whatever its status."""
        async with self._db.read() as connection:
            row = (
                await connection.execute(
                    select(_boards)
                    .where(_boards.c.chat_id == chat_id)
                    .order_by(_boards.c.round.desc())
                    .limit(1)
                )
            ).first()
        return None if row is None else _board(row)

    async def set_message(self, board_id: int, message_id: int) -> None:
        """Remember the message that shows the board (presses count only under it)."""
        async with self._db.write() as connection:
            await connection.execute(
                update(_boards)
                .where(_boards.c.id == board_id)
                .values(message_id=message_id, updated_at=self._clock())
            )

    async def close(self, board_id: int) -> bool:
        """End an open board early; False when it was no longer open."""
        return await self._finish_board(board_id, "closed")

    async def complete_if_done(self, board_id: int) -> bool:
        """Mark the board done when all its juz are finished; True for exactly one caller (the
        press that finished the last juz celebrates, however many finish at once)."""
        async with self._db.write() as connection:
            result = await connection.execute(
                update(_boards)
                .where(
                    _boards.c.id == board_id,
                    _boards.c.status == "open",
                    ~exists().where(_parts.c.board_id == board_id, _parts.c.finished_at.is_(None)),
                )
                .values(status="done", finished_at=self._clock(), updated_at=self._clock())
            )
        return result.rowcount == 1

    async def close_chat(self, chat_id: int) -> int:
        """Close the chat's open board (the bot left it, so nobody can press it any more)."""
        async with self._db.write() as connection:
            result = await connection.execute(
                update(_boards)
                .where(_boards.c.chat_id == chat_id, _boards.c.status == "open")
                .values(status="closed", finished_at=self._clock(), updated_at=self._clock())
            )
        return result.rowcount

    async def erase_chat(self, chat_id: int) -> int:
        """Delete every board of the chat and their juz (the group's data is being erased)."""
        async with self._db.write() as connection:
            return await erase_chat_khatm(connection, chat_id)

    async def _finish_board(self, board_id: int, status: BoardStatus) -> bool:
        async with self._db.write() as connection:
            result = await connection.execute(
                update(_boards)
                .where(_boards.c.id == board_id, _boards.c.status == "open")
                .values(status=status, finished_at=self._clock(), updated_at=self._clock())
            )
        return result.rowcount == 1

    # ----------------------------------------------------------------------------------------
    # Parts

    async def parts(self, board_id: int) -> list[KhatmPart]:
        async with self._db.read() as connection:
            rows = (
                await connection.execute(
                    select(_parts).where(_parts.c.board_id == board_id).order_by(_parts.c.juz)
                )
            ).all()
        return [_part(row) for row in rows]

    async def take(self, board_id: int, juz: int, user_id: int, name: str) -> bool:
        """Give the juz to the user if it is free and the board open; False otherwise."""
        async with self._db.write() as connection:
            result = await connection.execute(
                update(_parts)
                .where(
                    _parts.c.board_id == board_id,
                    _parts.c.juz == juz,
                    _parts.c.taker_id.is_(None),
                    _parts.c.finished_at.is_(None),
                    _board_is_open(board_id),
                )
                .values(taker_id=user_id, taker_name=name[:TAKER_NAME_LIMIT],
                        taken_at=self._clock())
            )
        return result.rowcount == 1

    async def finish(self, board_id: int, juz: int, user_id: int) -> bool:
        """Mark the user's juz finished; False unless it is theirs, unfinished, board open."""
        async with self._db.write() as connection:
            result = await connection.execute(
                update(_parts)
                .where(
                    _parts.c.board_id == board_id,
                    _parts.c.juz == juz,
                    _parts.c.taker_id == user_id,
                    _parts.c.finished_at.is_(None),
                    _board_is_open(board_id),
                )
                .values(finished_at=self._clock())
            )
        return result.rowcount == 1

    async def release(self, board_id: int, juz: int, user_id: int) -> bool:
        """Give the user's unfinished juz back; False unless it is theirs and unfinished."""
        async with self._db.write() as connection:
            result = await connection.execute(
                update(_parts)
                .where(
                    _parts.c.board_id == board_id,
                    _parts.c.juz == juz,
                    _parts.c.taker_id == user_id,
                    _parts.c.finished_at.is_(None),
                    _board_is_open(board_id),
                )
                .values(taker_id=None, taker_name=None, taken_at=None)
            )
        return result.rowcount == 1

    async def reopen(self, board_id: int, juz: int) -> bool:
        """An admin frees a juz again (taken or finished); False if it was free already."""
        async with self._db.write() as connection:
            result = await connection.execute(
                update(_parts)
                .where(
                    _parts.c.board_id == board_id,
                    _parts.c.juz == juz,
                    (_parts.c.taker_id.is_not(None)) | (_parts.c.finished_at.is_not(None)),
                    _board_is_open(board_id),
                )
                .values(taker_id=None, taker_name=None, taken_at=None, finished_at=None)
            )
        return result.rowcount == 1

    async def held_by(self, user_id: int) -> list[tuple[KhatmBoard, KhatmPart]]:
        """The user's juz on every open board (any group), oldest board first."""
        async with self._db.read() as connection:
            rows = (
                await connection.execute(
                    select(_boards, _parts.c.juz, _parts.c.taker_id, _parts.c.taker_name,
                           _parts.c.finished_at.label("part_finished_at"),
                           _parts.c.board_id)
                    .join(_parts, _parts.c.board_id == _boards.c.id)
                    .where(_parts.c.taker_id == user_id, _boards.c.status == "open")
                    .order_by(_boards.c.id, _parts.c.juz)
                )
            ).all()
        return [
            (
                _board(row),
                KhatmPart(
                    board_id=row.board_id,
                    juz=row.juz,
                    taker_id=row.taker_id,
                    taker_name=row.taker_name,
                    finished=row.part_finished_at is not None,
                ),
            )
            for row in rows
        ]


async def _open_board(connection: AsyncConnection, chat_id: int) -> KhatmBoard | None:
    statement = select(_boards).where(_boards.c.chat_id == chat_id, _boards.c.status == "open")
    row = (await connection.execute(statement.order_by(_boards.c.round.desc()).limit(1))).first()
    return None if row is None else _board(row)


async def erase_chat_khatm(connection: AsyncConnection, chat_id: int) -> int:
    """Delete a chat's boards and their parts in the caller's transaction; boards removed.

    Explicit rather than left to ON DELETE CASCADE alone, which a SQLite connection opened
    without `PRAGMA foreign_keys=ON` would skip.
    """
    board_ids = select(_boards.c.id).where(_boards.c.chat_id == chat_id).scalar_subquery()
    await connection.execute(delete(_parts).where(_parts.c.board_id.in_(board_ids)))
    result = await connection.execute(delete(_boards).where(_boards.c.chat_id == chat_id))
    return int(result.rowcount)


async def forget_khatm_taker(connection: AsyncConnection, user_id: int) -> int:
    """/forget: the user's name and id leave every board, in the caller's transaction.

    A finished juz stays finished (the group's khatm does not go backwards) but no longer says
    by whom; a juz they had only taken becomes free for someone else. Returns the parts changed.
    """
    finished = await connection.execute(
        update(_parts)
        .where(_parts.c.taker_id == user_id, _parts.c.finished_at.is_not(None))
        .values(taker_id=None, taker_name=None, taken_at=None)
    )
    taken = await connection.execute(
        update(_parts)
        .where(_parts.c.taker_id == user_id)
        .values(taker_id=None, taker_name=None, taken_at=None)
    )
    await connection.execute(
        update(_boards).where(_boards.c.started_by == user_id).values(started_by=None)
    )
    return int(finished.rowcount) + int(taken.rowcount)
