"""Idempotency keys for crediting reading, so a retried /read or a double-tapped check-in
button records the activity at Quran.com once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from storage import schema
from storage.conflicts import insert_or_ignore
from storage.database import Database
from storage.models import Clock, utc_now

_t = schema.reading_credits


class ReadingCreditRepository:
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def claim(self, user_id: int, key: str) -> bool:
        """True for the first claim of (user, key): that caller performs the credit."""
        async with self._db.write() as connection:
            return await insert_or_ignore(
                connection,
                _t,
                {"user_id": user_id, "key": key, "created_at": self._clock()},
                conflict_columns=["user_id", "key"],
            )

    async def release(self, user_id: int, key: str) -> None:
        """Undo a claim whose upstream call definitely failed, so it may be retried."""
        async with self._db.write() as connection:
            await connection.execute(delete(_t).where(_t.c.user_id == user_id, _t.c.key == key))

    async def purge(self, *, older_than: datetime) -> int:
        """Forget keys older than `older_than` (they can no longer be retried meaningfully)."""
        async with self._db.write() as connection:
            result = await connection.execute(delete(_t).where(_t.c.created_at < older_than))
        return result.rowcount
