"""Erase everything stored about one Telegram user (/forget), all or nothing.

Group data the user merely touched stays, but loses the link to them: a group reminder they set
up keeps running without their id. The running Application still holds user_data and
conversation state in memory; the caller should also `application.drop_user_data(user_id)`,
`application.drop_chat_data(user_id)` and end the user's conversations.
"""

from __future__ import annotations

import json

from sqlalchemy import delete, or_, select, update

from storage import schema, update_scope
from storage.database import Database
from storage.reminders import delete_reminder_children


async def forget_user(db: Database, user_id: int) -> dict[str, int]:
    """Delete every row about `user_id` in one transaction; returns rows removed per table."""
    removed: dict[str, int] = {}
    reminders = schema.reminders
    update_scope.forget()
    async with db.write() as connection:
        own_reminders = list(
            (
                await connection.execute(
                    select(reminders.c.id).where(
                        or_(
                            (reminders.c.kind == "private") & (reminders.c.user_id == user_id),
                            reminders.c.chat_id == user_id,  # their private chat
                        )
                    )
                )
            ).scalars()
        )
        await delete_reminder_children(connection, own_reminders)
        removed["reminders"] = (
            await connection.execute(delete(reminders).where(reminders.c.id.in_(own_reminders)))
        ).rowcount
        await connection.execute(
            update(reminders).where(reminders.c.user_id == user_id).values(user_id=None)
        )

        by_user = (
            (schema.check_ins, schema.check_ins.c.user_id),
            (schema.accounts, schema.accounts.c.telegram_user_id),
            (schema.reading_credits, schema.reading_credits.c.user_id),
            (schema.ptb_user_data, schema.ptb_user_data.c.user_id),
            (schema.ptb_chat_data, schema.ptb_chat_data.c.chat_id),
            (schema.chats, schema.chats.c.id),
        )
        for table, column in by_user:
            result = await connection.execute(delete(table).where(column == user_id))
            removed[table.name] = result.rowcount

        for table in (schema.login_attempts, schema.note_drafts):
            result = await connection.execute(
                delete(table).where(
                    or_(table.c.telegram_user_id == user_id, table.c.chat_id == user_id)
                )
            )
            removed[table.name] = result.rowcount

        # Conversation keys are JSON lists such as [chat_id, user_id]; any position may hold
        # the user (per_user / per_chat variants), so they are matched in Python.
        conversations = schema.ptb_conversations
        rows = (await connection.execute(select(conversations.c.name, conversations.c.key))).all()
        doomed = [row for row in rows if user_id in json.loads(row.key)]
        for row in doomed:
            await connection.execute(
                delete(conversations).where(
                    conversations.c.name == row.name, conversations.c.key == row.key
                )
            )
        removed[conversations.name] = len(doomed)
    return removed
