"""The durable inbox: a Telegram update is stored here before Telegram is told it arrived, and
stays unfinished until its handlers have run.

"Accepted" means "committed to this table": polling writes a fetched batch before the next
`getUpdates` offset confirms it, the webhook before it answers 200. A crash, `kill -9` or a
deploy therefore never loses an update: the next start (or another instance) runs what is still
unfinished, one chat's updates in `update_id` order.

A replayed update must not answer twice, so `inbox_sends` keeps the result of every Bot API call
an update made, numbered in call order (`bot.app.journal` consults it). Rows are pruned a while
after they are done; until then a redelivered update (Telegram re-sends what the previous
process had not confirmed yet) is recognised by its `update_id` and not run again.

One chat may queue at most `max_pending_per_chat` unfinished updates: beyond that its updates
are recorded as "shed" instead of queued, so a flood from one chat or group cannot grow the
table without bound (fairness between chats comes from the worker taking one update per chat
at a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import schema
from storage.conflicts import insert_or_ignore
from storage.database import Database
from storage.models import Clock, utc_now

#: Unfinished updates one chat may hold; a human never gets near it, a flood does.
DEFAULT_MAX_PENDING_PER_CHAT = 100
#: How long done rows are kept: long enough to recognise any redelivery by Telegram.
DEFAULT_RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class IncomingUpdate:
    """One update as accepted: its id, the key that serialises it, and its JSON."""

    update_id: int
    chat_key: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class InboxEntry:
    update_id: int
    chat_key: str
    payload: dict[str, Any]
    #: Replays started so far (0 until a first run was cut off and the update runs again).
    attempts: int


@dataclass(frozen=True)
class AcceptReport:
    queued: tuple[IncomingUpdate, ...]
    duplicates: int
    shed: int
    #: Queued updates that were their chat's only unfinished one when stored (the next to run).
    heads: frozenset[int] = frozenset()


class InboxRepository:
    def __init__(
        self,
        database: Database,
        *,
        clock: Clock = utc_now,
        max_pending_per_chat: int = DEFAULT_MAX_PENDING_PER_CHAT,
    ) -> None:
        self._db = database
        self._clock = clock
        self.max_pending_per_chat = max_pending_per_chat

    async def accept(self, updates: Sequence[IncomingUpdate]) -> AcceptReport:
        """Store a batch in one transaction; an update already stored (done or not) is ignored.

        Returns what was newly queued, so the caller wakes exactly those chats.
        """
        if not updates:
            return AcceptReport((), 0, 0)
        inbox = schema.inbox
        now = self._clock()
        queued: list[IncomingUpdate] = []
        heads: set[int] = set()
        duplicates = shed = 0
        async with self._db.write() as connection:
            keys = sorted({u.chat_key for u in updates})
            rows = await connection.execute(
                select(inbox.c.chat_key, func.count())
                .where(inbox.c.done_at.is_(None), inbox.c.chat_key.in_(keys))
                .group_by(inbox.c.chat_key)
            )
            backlog: dict[str, int] = {key: count for key, count in rows}
            for incoming in sorted(updates, key=lambda u: u.update_id):
                over = backlog.get(incoming.chat_key, 0) >= self.max_pending_per_chat
                inserted = await insert_or_ignore(
                    connection,
                    inbox,
                    {
                        "update_id": incoming.update_id,
                        "chat_key": incoming.chat_key,
                        "payload": incoming.payload,
                        "attempts": 0,
                        "accepted_at": now,
                        "done_at": now if over else None,
                        "outcome": "shed" if over else None,
                    },
                    conflict_columns=["update_id"],
                )
                if not inserted:
                    duplicates += 1
                elif over:
                    shed += 1
                else:
                    if backlog.get(incoming.chat_key, 0) == 0:
                        heads.add(incoming.update_id)
                    backlog[incoming.chat_key] = backlog.get(incoming.chat_key, 0) + 1
                    queued.append(incoming)
        return AcceptReport(tuple(queued), duplicates, shed, frozenset(heads))

    async def pending_chats(self, limit: int = 1000) -> list[str]:
        """Chats with unfinished updates, the longest-waiting first."""
        inbox = schema.inbox
        async with self._db.read() as connection:
            rows = await connection.execute(
                select(inbox.c.chat_key)
                .where(inbox.c.done_at.is_(None))
                .group_by(inbox.c.chat_key)
                .order_by(func.min(inbox.c.update_id))
                .limit(limit)
            )
            return list(rows.scalars())

    async def has_pending(self, chat_key: str) -> bool:
        inbox = schema.inbox
        async with self._db.read() as connection:
            row = await connection.execute(
                select(inbox.c.update_id)
                .where(inbox.c.done_at.is_(None), inbox.c.chat_key == chat_key)
                .limit(1)
            )
            return row.first() is not None

    async def next_for(self, chat_key: str) -> InboxEntry | None:
        """The chat's oldest unfinished update (read only: the first run of an update this
        process just accepted needs no write before it starts)."""
        async with self._db.read() as connection:
            return await _oldest(connection, chat_key)

    async def mark_started(self, update_id: int) -> int:
        """Count one more attempt at an update (replays only); returns the new count."""
        inbox = schema.inbox
        async with self._db.write() as connection:
            await _without_flush_wait(connection)
            await connection.execute(
                update(inbox)
                .where(inbox.c.update_id == update_id)
                .values(attempts=inbox.c.attempts + 1)
            )
            count = await connection.scalar(
                select(inbox.c.attempts).where(inbox.c.update_id == update_id)
            )
        return int(count or 0)

    async def finish(
        self, update_id: int, outcome: str = "handled", *, then_next_of: str | None = None
    ) -> InboxEntry | None:
        """Mark the update done and, in the same transaction, read the chat's next one (one
        round trip instead of two on the hot path)."""
        inbox = schema.inbox
        async with self._db.write() as connection:
            await _without_flush_wait(connection)
            await connection.execute(
                update(inbox)
                .where(inbox.c.update_id == update_id, inbox.c.done_at.is_(None))
                .values(done_at=self._clock(), outcome=outcome)
            )
            if then_next_of is None:
                return None
            return await _oldest(connection, then_next_of)

    async def pending_count(self) -> int:
        inbox = schema.inbox
        async with self._db.read() as connection:
            count = await connection.scalar(
                select(func.count()).select_from(inbox).where(inbox.c.done_at.is_(None))
            )
        return int(count or 0)

    async def outcomes(self) -> dict[int, str | None]:
        """Every stored update and how it ended (None = unfinished); for tests and operators."""
        inbox = schema.inbox
        async with self._db.read() as connection:
            rows = await connection.execute(select(inbox.c.update_id, inbox.c.outcome))
            return {int(uid): outcome for uid, outcome in rows}

    # -- what an update already sent ----------------------------------------------------------

    async def sent(self, update_id: int, seq: int) -> tuple[str, Any] | None:
        """The method and result of the update's `seq`-th call, if it was already made."""
        sends = schema.inbox_sends
        async with self._db.read() as connection:
            row = (
                await connection.execute(
                    select(sends.c.method, sends.c.result).where(
                        sends.c.update_id == update_id, sends.c.seq == seq
                    )
                )
            ).first()
        return None if row is None else (str(row.method), row.result)

    async def record_sent(self, update_id: int, seq: int, method: str, result: Any) -> None:
        async with self._db.write() as connection:
            await _without_flush_wait(connection)
            await insert_or_ignore(
                connection,
                schema.inbox_sends,
                {
                    "update_id": update_id,
                    "seq": seq,
                    "method": method,
                    "result": result,
                    "sent_at": self._clock(),
                },
                conflict_columns=["update_id", "seq"],
            )

    async def prune(self, retention: timedelta = DEFAULT_RETENTION) -> int:
        """Delete updates done longer than `retention` ago, with their send records."""
        inbox, sends = schema.inbox, schema.inbox_sends
        cutoff: datetime = self._clock() - retention
        old = select(inbox.c.update_id).where(inbox.c.done_at < cutoff)
        async with self._db.write() as connection:
            await connection.execute(delete(sends).where(sends.c.update_id.in_(old)))
            result = await connection.execute(delete(inbox).where(inbox.c.done_at < cutoff))
        return int(result.rowcount or 0)


async def _oldest(connection: AsyncConnection, chat_key: str) -> InboxEntry | None:
    inbox = schema.inbox
    row = (
        await connection.execute(
            select(inbox.c.update_id, inbox.c.payload, inbox.c.attempts)
            .where(inbox.c.done_at.is_(None), inbox.c.chat_key == chat_key)
            .order_by(inbox.c.update_id)
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    return InboxEntry(int(row.update_id), chat_key, dict(row.payload), int(row.attempts))


async def _without_flush_wait(connection: AsyncConnection) -> None:
    """On PostgreSQL, commit without waiting for the WAL to reach the disk.

    The commit is visible and survives our process dying (kill -9, a deploy) at once; only a
    crash of the database server itself within a fraction of a second could undo it, and then
    the update is merely replayed. That halves the cost of the writes made while an update runs
    ("started", "sent", "done"); accepting an update keeps the full guarantee.
    """
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
