"""Per-chat settings (a private chat's row is also that user's own settings)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import schema, update_scope
from storage.conflicts import insert_or_ignore
from storage.database import Database
from storage.models import DEFAULT_MUSHAF_ID, UNSET, ChatSettings, Clock, Unset, utc_now

_t = schema.chats


def _settings(row: Row[Any]) -> ChatSettings:
    return ChatSettings(
        chat_id=row.id,
        type=row.type,
        title=row.title,
        timezone=row.timezone,
        language=row.language,
        mushaf_id=row.mushaf_id,
        active=row.active,
    )


def chat_type_for(chat_id: int) -> str:
    """Best guess when no Telegram chat object is at hand: groups have negative ids."""
    return "private" if chat_id > 0 else "group"


async def insert_chat_if_missing(
    connection: AsyncConnection,
    chat_id: int,
    chat_type: str,
    title: str | None,
    clock: Clock,
) -> bool:
    now = clock()
    update_scope.forget(chat_id)
    return await insert_or_ignore(
        connection,
        _t,
        {
            "id": chat_id,
            "type": chat_type,
            "title": title,
            "timezone": None,
            "language": None,
            "mushaf_id": DEFAULT_MUSHAF_ID,
            "active": True,
            "created_at": now,
            "updated_at": now,
        },
        conflict_columns=["id"],
    )


class ChatRepository:
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def get(self, chat_id: int) -> ChatSettings | None:
        known, settings = update_scope.remembered(chat_id)
        if known:
            return settings
        async with self._db.read() as connection:
            row = (await connection.execute(select(_t).where(_t.c.id == chat_id))).first()
        settings = None if row is None else _settings(row)
        update_scope.remember(chat_id, settings)
        return settings

    async def ensure(self, chat_id: int, type: str, title: str | None) -> ChatSettings:
        """The chat's settings, creating the row on first sight and refreshing type/title.

        The common case (row exists, nothing changed) is a single read without the write lock.
        """
        chat_type = str(type)  # PTB passes its ChatType string enum
        current = await self.get(chat_id)
        if current is not None and current.type == chat_type and current.title == title:
            return current
        async with self._db.write() as connection:
            if not await insert_chat_if_missing(connection, chat_id, chat_type, title, self._clock):
                await connection.execute(
                    update(_t)
                    .where(_t.c.id == chat_id)
                    .values(type=chat_type, title=title, updated_at=self._clock())
                )
            row = (await connection.execute(select(_t).where(_t.c.id == chat_id))).one()
        settings = _settings(row)
        update_scope.remember(chat_id, settings)
        return settings

    async def update(
        self,
        chat_id: int,
        *,
        timezone: str | Unset | None = UNSET,
        language: str | Unset | None = UNSET,
        mushaf_id: int | Unset = UNSET,
        title: str | Unset | None = UNSET,
    ) -> ChatSettings | None:
        """Change the given settings (None clears timezone/language); None if no such chat."""
        values: dict[str, Any] = {
            name: value
            for name, value in (
                ("timezone", timezone),
                ("language", language),
                ("mushaf_id", mushaf_id),
                ("title", title),
            )
            if value is not UNSET
        }
        values["updated_at"] = self._clock()
        async with self._db.write() as connection:
            row = (
                await connection.execute(
                    update(_t).where(_t.c.id == chat_id).values(values).returning(*_t.c)
                )
            ).first()
        settings = None if row is None else _settings(row)
        update_scope.remember(chat_id, settings)
        return settings

    async def set_active(self, chat_id: int, active: bool) -> None:
        update_scope.forget(chat_id)
        async with self._db.write() as connection:
            await connection.execute(
                update(_t).where(_t.c.id == chat_id).values(active=active, updated_at=self._clock())
            )

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> ChatSettings | None:
        """Follow a group's upgrade to a supergroup: settings, reminders and drafts move.

        If the new chat already has a row (an update from it arrived first), the old chat's
        chosen settings win, since the new row only holds defaults. PTB's chat_data is moved by
        `Application.migrate_chat_data`, not here.
        """
        update_scope.forget(old_chat_id)
        update_scope.forget(new_chat_id)
        async with self._db.write() as connection:
            old = (
                await connection.execute(select(_t).where(_t.c.id == old_chat_id).with_for_update())
            ).first()
            if old is None:
                return None
            now = self._clock()
            created = await insert_or_ignore(
                connection,
                _t,
                {
                    "id": new_chat_id,
                    "type": "supergroup",
                    "title": old.title,
                    "timezone": old.timezone,
                    "language": old.language,
                    "mushaf_id": old.mushaf_id,
                    "active": old.active,
                    "created_at": old.created_at,
                    "updated_at": now,
                },
                conflict_columns=["id"],
            )
            if not created:
                await connection.execute(
                    update(_t)
                    .where(_t.c.id == new_chat_id)
                    .values(
                        timezone=old.timezone,
                        language=old.language,
                        mushaf_id=old.mushaf_id,
                        active=old.active,
                        updated_at=now,
                    )
                )
            for table in (
                schema.reminders, schema.note_drafts, schema.login_attempts, schema.khatm_boards
            ):
                await connection.execute(
                    update(table).where(table.c.chat_id == old_chat_id).values(chat_id=new_chat_id)
                )
            # Who asked /quiet there keeps their opt-out in the supergroup.
            quiet = schema.group_quiet
            for row in (
                await connection.execute(select(quiet).where(quiet.c.chat_id == old_chat_id))
            ).all():
                await insert_or_ignore(
                    connection,
                    quiet,
                    {"chat_id": new_chat_id, "user_id": row.user_id, "created_at": row.created_at},
                    conflict_columns=["chat_id", "user_id"],
                )
            await connection.execute(delete(quiet).where(quiet.c.chat_id == old_chat_id))
            # chat_data is loaded lazily (storage/persistence.py), so the stored copy moves here
            # too; a copy already in memory is moved by PTB's `migrate_chat_data`.
            chat_data = schema.ptb_chat_data
            if (await connection.execute(
                select(chat_data.c.chat_id).where(chat_data.c.chat_id == new_chat_id)
            )).first() is None:
                await connection.execute(
                    update(chat_data)
                    .where(chat_data.c.chat_id == old_chat_id)
                    .values(chat_id=new_chat_id)
                )
            await connection.execute(delete(_t).where(_t.c.id == old_chat_id))
            row = (await connection.execute(select(_t).where(_t.c.id == new_chat_id))).one()
        return _settings(row)
