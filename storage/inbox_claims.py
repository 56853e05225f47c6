"""Who works on a chat's inbox right now: exactly one worker per chat, across instances.

On SQLite there is one instance, so an in-process set is enough. On PostgreSQL several
instances share the inbox; a chat is claimed with a session-level advisory lock held on one
dedicated connection per instance. If the instance dies, its connection closes and PostgreSQL
releases every lock it held at once, so another instance picks the chat up without waiting for
a lease to expire.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database


class ChatClaims(Protocol):
    #: True when other instances claim from the same inbox.
    shared: bool

    async def try_claim(self, chat_key: str) -> bool: ...

    async def release(self, chat_key: str) -> None: ...

    async def close(self) -> None: ...


class LocalClaims:
    """Claims for a single instance (SQLite)."""

    shared = False

    def __init__(self) -> None:
        self._held: set[str] = set()

    async def try_claim(self, chat_key: str) -> bool:
        if chat_key in self._held:
            return False
        self._held.add(chat_key)
        return True

    async def release(self, chat_key: str) -> None:
        self._held.discard(chat_key)

    async def close(self) -> None:
        self._held.clear()


def advisory_key(chat_key: str) -> int:
    """A stable signed 64-bit lock id for a chat key (a collision only serialises two chats)."""
    digest = hashlib.blake2b(b"inbox:" + chat_key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryClaims:
    """Claims shared by every instance on one PostgreSQL database."""

    shared = True

    def __init__(self, database: Database) -> None:
        self._db = database
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()
        self._held: set[str] = set()

    async def _conn(self) -> AsyncConnection:
        if self._connection is None or self._connection.closed:
            connection = await self._db.engine.connect()
            self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        return self._connection

    async def try_claim(self, chat_key: str) -> bool:
        async with self._lock:
            # Session-level advisory locks stack: never take one this instance already holds.
            if chat_key in self._held:
                return False
            connection = await self._conn()
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": advisory_key(chat_key)}
            )
            if got:
                self._held.add(chat_key)
            return bool(got)

    async def release(self, chat_key: str) -> None:
        async with self._lock:
            if chat_key not in self._held:
                return
            self._held.discard(chat_key)
            connection = await self._conn()
            await connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": advisory_key(chat_key)}
            )

    async def close(self) -> None:
        async with self._lock:
            self._held.clear()
            if self._connection is not None:
                await self._connection.close()
                self._connection = None


def claims_for(database: Database) -> ChatClaims:
    return AdvisoryClaims(database) if database.dialect == "postgresql" else LocalClaims()
