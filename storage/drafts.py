"""Note drafts, saved on every step so a restart or crash mid-wizard loses nothing.

PTB persistence only flushes every few seconds; the note text itself lives here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from storage import schema
from storage.database import Database
from storage.models import Clock, NoteDraft, utc_now

_t = schema.note_drafts


def _draft(row: Row[Any]) -> NoteDraft:
    return NoteDraft(
        id=row.id,
        telegram_user_id=row.telegram_user_id,
        chat_id=row.chat_id,
        ranges=tuple(row.ranges),
        body=row.body,
        save_to_qr=row.save_to_qr,
        status=row.status,
        updated_at=row.updated_at,
        attached_entity=row.attached_entity,
    )


class DraftRepository:
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def save(
        self,
        *,
        telegram_user_id: int,
        chat_id: int,
        ranges: Iterable[str],
        body: str,
        save_to_qr: bool = False,
        status: str = "draft",
        draft_id: int | None = None,
        attached_entity: dict[str, Any] | None = None,
    ) -> NoteDraft:
        """Insert a draft, or overwrite draft `draft_id` if it still exists for this user."""
        now = self._clock()
        values: dict[str, Any] = {
            "telegram_user_id": telegram_user_id,
            "chat_id": chat_id,
            "ranges": list(ranges),
            "body": body,
            "save_to_qr": save_to_qr,
            "status": status,
            "attached_entity": attached_entity,
            "updated_at": now,
        }
        async with self._db.write() as connection:
            row = None
            if draft_id is not None:
                row = (
                    await connection.execute(
                        update(_t)
                        .where(_t.c.id == draft_id, _t.c.telegram_user_id == telegram_user_id)
                        .values(values)
                        .returning(*_t.c)
                    )
                ).first()
            if row is None:
                row = (
                    await connection.execute(
                        insert(_t).values({**values, "created_at": now}).returning(*_t.c)
                    )
                ).one()
        return _draft(row)

    async def set_status(self, draft_id: int, status: str) -> NoteDraft | None:
        async with self._db.write() as connection:
            row = (
                await connection.execute(
                    update(_t)
                    .where(_t.c.id == draft_id)
                    .values(status=status, updated_at=self._clock())
                    .returning(*_t.c)
                )
            ).first()
        return None if row is None else _draft(row)

    async def get(self, draft_id: int) -> NoteDraft | None:
        async with self._db.read() as connection:
            row = (await connection.execute(select(_t).where(_t.c.id == draft_id))).first()
        return None if row is None else _draft(row)

    async def latest_for_user(self, user_id: int, *, status: str | None = None) -> NoteDraft | None:
        """The user's most recently touched draft (optionally only with `status`)."""
        query = select(_t).where(_t.c.telegram_user_id == user_id)
        if status is not None:
            query = query.where(_t.c.status == status)
        query = query.order_by(_t.c.updated_at.desc(), _t.c.id.desc()).limit(1)
        async with self._db.read() as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else _draft(row)

    async def delete(self, draft_id: int) -> bool:
        async with self._db.write() as connection:
            result = await connection.execute(delete(_t).where(_t.c.id == draft_id))
        return result.rowcount > 0
