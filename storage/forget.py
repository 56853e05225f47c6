"""Erase everything stored about one Telegram user (/forget), all or nothing.

The grants they gave (the linked account's tokens, a grant waiting for its confirmation) are
moved to the revocation queue in the same transaction: erasing the bot's copy must not leave
the grant active at Quran.com (`bot.services.revocations` revokes them).

Group data the user merely touched stays, but loses the link to them: a group reminder they set
up keeps running without their id. The running Application still holds user_data and
conversation state in memory; the caller should also `application.drop_user_data(user_id)`,
`application.drop_chat_data(user_id)` and end the user's conversations.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import schema, update_scope
from storage.database import Database
from storage.khatm import forget_khatm_taker
from storage.models import utc_now
from storage.reminders import delete_reminder_children
from storage.revocations import queue_in


async def forget_user(
    db: Database, user_id: int, *, now: datetime | None = None
) -> dict[str, int]:
    """Delete every row about `user_id` in one transaction; returns rows removed per table
    (and, under "revocations", how many grants were queued for revocation)."""
    removed: dict[str, int] = {}
    reminders = schema.reminders
    update_scope.forget()
    async with db.write() as connection:
        removed["revocations"] = await _queue_grants(connection, user_id, now or utc_now())
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

        # Khatm boards are the group's: the juz they finished stay finished, without their name.
        removed["khatm_parts"] = await forget_khatm_taker(connection, user_id)

        by_user = (
            (schema.check_ins, schema.check_ins.c.user_id),
            (schema.group_quiet, schema.group_quiet.c.user_id),
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

        # What they sent the bot lingers in the inbox until pruned: their private chat's
        # finished updates go now (an unfinished one, this /forget included, still has to run).
        inbox, sends = schema.inbox, schema.inbox_sends
        theirs = (
            inbox.c.chat_key.in_([f"chat:{user_id}", f"user:{user_id}"])
            & inbox.c.done_at.is_not(None)
        )
        await connection.execute(
            delete(sends).where(sends.c.update_id.in_(select(inbox.c.update_id).where(theirs)))
        )
        removed[inbox.name] = (await connection.execute(delete(inbox).where(theirs))).rowcount

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


async def erase_departed_groups(db: Database, *, before: datetime, limit: int = 500) -> int:
    """Delete up to `limit` groups the bot left (removed, kicked) before `before`, with their
    reminders, send logs and check-ins, /quiet lists and PTB chat data; returns how many groups
    (a small batch per call keeps each transaction short; the caller runs every few minutes).

    The grace period (the caller's `before`) lets a group that removed the bot by mistake add
    it back and find everything as it was; after it, nothing of the group is kept. Private
    chats are a person's own: only /forget erases them.
    """
    chats, reminders = schema.chats, schema.reminders
    async with db.write() as connection:
        gone = list(
            (
                await connection.execute(
                    select(chats.c.id)
                    .where(
                        chats.c.active.is_(False),
                        chats.c.type.in_(("group", "supergroup")),
                        chats.c.updated_at < before,
                    )
                    # A bounded batch: the write lock is never held for long; the next run
                    # (minutes later) takes the rest.
                    .limit(limit)
                )
            ).scalars()
        )
        if not gone:
            return 0
        reminder_ids = list(
            (
                await connection.execute(
                    select(reminders.c.id).where(reminders.c.chat_id.in_(gone))
                )
            ).scalars()
        )
        await delete_reminder_children(connection, reminder_ids)
        await connection.execute(delete(reminders).where(reminders.c.id.in_(reminder_ids)))
        for table, column in (
            (schema.group_quiet, schema.group_quiet.c.chat_id),
            (schema.ptb_chat_data, schema.ptb_chat_data.c.chat_id),
            (chats, chats.c.id),
        ):
            await connection.execute(delete(table).where(column.in_(gone)))
    for chat_id in gone:
        update_scope.forget(chat_id)
    return len(gone)


async def _queue_grants(connection: AsyncConnection, user_id: int, now: datetime) -> int:
    accounts, attempts = schema.accounts, schema.login_attempts
    queued = 0
    account = (
        await connection.execute(
            select(accounts.c.access_token, accounts.c.refresh_token)
            .where(accounts.c.telegram_user_id == user_id)
            .with_for_update()
        )
    ).first()
    if account is not None:
        # Revoking the refresh token ends its access tokens too.
        sealed = account.refresh_token or account.access_token
        await queue_in(connection, sealed=sealed, form="token", reason="forget", now=now)
        queued += 1
    held = (
        await connection.execute(
            select(attempts.c.pending_grant)
            .where(
                attempts.c.pending_grant.is_not(None),
                or_(attempts.c.telegram_user_id == user_id, attempts.c.chat_id == user_id),
            )
            .with_for_update()
        )
    ).scalars()
    for sealed_grant in list(held):
        await queue_in(connection, sealed=sealed_grant, form="grant", reason="forget", now=now)
        queued += 1
    return queued
