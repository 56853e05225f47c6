"""python-telegram-bot persistence on the application's own database.

Every `update_*` call writes straight through in its own transaction, so there is nothing
buffered for `flush()`; PTB itself batches calls every `update_interval` seconds (5 s here
instead of PTB's 60 s), which bounds what a crash can lose. Important data (drafts, tokens,
settings) never relies on this: it goes to its own tables at once.

user_data and chat_data are loaded lazily: nothing at start (PTB would otherwise load every
stored user's and chat's row into memory, so start-up time and memory grew with every chat the
bot had ever seen), and one row when an update (or job) for that user or chat first arrives —
PTB calls `refresh_user_data` / `refresh_chat_data` before any handler runs.

PTB hands every user and chat that had an update to `update_user_data` / `update_chat_data`
every interval, changed or not; each would be a write transaction (and on SQLite every write
waits for the one before it). So the digest of what was last stored or loaded is kept per id,
and data that still matches it is not written again: a burst of 200 `/goal` no longer adds 400
writes that change nothing, and a chat whose data is `{}` gets no row at all.

Data is stored as JSON: conversation keys (tuples in PTB) become lists and are turned back into
tuples on load; user_data/chat_data must hold JSON-compatible values (dict keys become
strings, tuples become lists).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import MutableMapping
from typing import Any

from sqlalchemy import Table, delete, select
from telegram.ext import BasePersistence, PersistenceInput

from storage import schema
from storage.conflicts import upsert
from storage.database import Database

# Same shapes as PTB's (private) telegram.ext._utils.types aliases.
ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]
UserData = dict[Any, Any]
ChatData = dict[Any, Any]
BotData = dict[Any, Any]

#: PTB's default (60 s) could lose a minute of conversation state in a crash.
DEFAULT_UPDATE_INTERVAL = 5.0

_BOT_DATA = "bot_data"
_CALLBACK_DATA = "callback_data"


def _encode_key(key: ConversationKey) -> str:
    return json.dumps(list(key), separators=(",", ":"))


def _decode_key(raw: str) -> ConversationKey:
    return tuple(json.loads(raw))


def _checked_json(value: Any, what: str) -> Any:
    _json_text(value, what)
    return value


def _json_text(value: Any, what: str) -> str:
    try:
        return json.dumps(value, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} must be JSON-serialisable to be persisted: {exc}") from exc


def _digest(text: str) -> bytes:
    """Short enough to keep one per user and chat seen; a collision only skips one write."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


#: What an absent row holds: PTB's data for an id nobody stored anything for.
_EMPTY = _digest(_json_text({}, "empty data"))


class DatabasePersistence(BasePersistence[UserData, ChatData, BotData]):
    """Conversations, user_data and chat_data in SQL. bot_data and callback_data are off by
    default (`PersistenceInput(bot_data=False, callback_data=False)`) but supported if asked."""

    __slots__ = ("_db", "_loaded_chats", "_loaded_users", "_stored")

    def __init__(
        self,
        db: Database,
        *,
        update_interval: float = DEFAULT_UPDATE_INTERVAL,
        store_data: PersistenceInput | None = None,
    ) -> None:
        super().__init__(
            store_data=store_data or PersistenceInput(bot_data=False, callback_data=False),
            update_interval=update_interval,
        )
        self._db = db
        #: Ids whose stored row has been read into PTB's in-memory data (only active ones).
        self._loaded_users: set[int] = set()
        self._loaded_chats: set[int] = set()
        #: Digest of the data last stored or loaded, by (table name, id): equal data is not
        #: written again.
        self._stored: dict[tuple[str, int], bytes] = {}

    # -- conversations -------------------------------------------------------------------

    async def get_conversations(self, name: str) -> ConversationDict:
        table = schema.ptb_conversations
        async with self._db.read() as connection:
            rows = (
                await connection.execute(
                    select(table.c.key, table.c.state).where(table.c.name == name)
                )
            ).all()
        return {_decode_key(row.key): row.state for row in rows}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        table = schema.ptb_conversations
        encoded = _encode_key(key)
        async with self._db.write() as connection:
            if new_state is None:  # the conversation ended
                await connection.execute(
                    delete(table).where(table.c.name == name, table.c.key == encoded)
                )
                return
            await upsert(
                connection,
                table,
                {
                    "name": name,
                    "key": encoded,
                    "state": _checked_json(new_state, f"state of conversation {name!r}"),
                },
                conflict_columns=["name", "key"],
                update_columns=["state"],
            )

    # -- user_data / chat_data -------------------------------------------------------------

    async def _load_one(self, table: Table, id_column: str, row_id: int) -> dict[Any, Any] | None:
        async with self._db.read() as connection:
            data = (
                await connection.execute(
                    select(table.c.data).where(table.c[id_column] == row_id)
                )
            ).scalar_one_or_none()
        return None if data is None else dict(data)

    async def _load_into(
        self, table: Table, id_column: str, row_id: int, memory: dict[Any, Any]
    ) -> None:
        stored = await self._load_one(table, id_column, row_id)
        self._stored[(table.name, row_id)] = (
            _EMPTY if stored is None else _digest(_json_text(stored, table.name))
        )
        for key, value in (stored or {}).items():
            # Anything already set in memory is newer than the stored copy.
            memory.setdefault(key, value)

    async def _store(self, table: Table, id_column: str, row_id: int, data: Any) -> None:
        digest = _digest(_json_text(data, f"{table.name} of {row_id}"))
        if self._stored.get((table.name, row_id)) == digest:
            return
        async with self._db.write() as connection:
            await upsert(
                connection,
                table,
                {id_column: row_id, "data": data},
                conflict_columns=[id_column],
                update_columns=["data"],
            )
        self._stored[(table.name, row_id)] = digest

    async def _drop(self, table: Table, id_column: str, row_id: int) -> None:
        self._stored.pop((table.name, row_id), None)
        async with self._db.write() as connection:
            await connection.execute(delete(table).where(table.c[id_column] == row_id))

    async def get_user_data(self) -> dict[int, UserData]:
        """Nothing at start: each user's row is read on their first update (below)."""
        return {}

    async def get_chat_data(self) -> dict[int, ChatData]:
        """Nothing at start: each chat's row is read on its first update (below)."""
        return {}

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        await self._store(schema.ptb_user_data, "user_id", user_id, data)

    async def update_chat_data(self, chat_id: int, data: ChatData) -> None:
        await self._store(schema.ptb_chat_data, "chat_id", chat_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        self._loaded_users.discard(user_id)
        await self._drop(schema.ptb_user_data, "user_id", user_id)

    async def drop_chat_data(self, chat_id: int) -> None:
        self._loaded_chats.discard(chat_id)
        await self._drop(schema.ptb_chat_data, "chat_id", chat_id)

    async def refresh_user_data(self, user_id: int, user_data: UserData) -> None:
        """Read the user's stored data the first time this process sees them; after that
        memory is current, since writes go from memory to the database."""
        if user_id not in self._loaded_users:
            await self._load_into(schema.ptb_user_data, "user_id", user_id, user_data)
            self._loaded_users.add(user_id)

    async def refresh_chat_data(self, chat_id: int, chat_data: ChatData) -> None:
        """As `refresh_user_data`, for a chat."""
        if chat_id not in self._loaded_chats:
            await self._load_into(schema.ptb_chat_data, "chat_id", chat_id, chat_data)
            self._loaded_chats.add(chat_id)

    # -- bot_data / callback_data (off unless switched on) -----------------------------------

    async def _load_named(self, name: str) -> Any:
        table = schema.ptb_bot_store
        async with self._db.read() as connection:
            return (
                await connection.execute(select(table.c.data).where(table.c.name == name))
            ).scalar_one_or_none()

    async def _store_named(self, name: str, data: Any) -> None:
        async with self._db.write() as connection:
            await upsert(
                connection,
                schema.ptb_bot_store,
                {"name": name, "data": _checked_json(data, name)},
                conflict_columns=["name"],
                update_columns=["data"],
            )

    async def get_bot_data(self) -> BotData:
        stored = await self._load_named(_BOT_DATA)
        return {} if stored is None else dict(stored)

    async def update_bot_data(self, data: BotData) -> None:
        await self._store_named(_BOT_DATA, data)

    async def refresh_bot_data(self, bot_data: BotData) -> None:
        """Nothing to do: only this process writes the data, so memory is already current."""

    async def get_callback_data(self) -> CDCData | None:
        stored = await self._load_named(_CALLBACK_DATA)
        if stored is None:
            return None
        buttons, queries = stored
        return (
            [(str(key), float(timestamp), dict(data)) for key, timestamp, data in buttons],
            {str(query): str(button) for query, button in queries.items()},
        )

    async def update_callback_data(self, data: CDCData) -> None:
        await self._store_named(_CALLBACK_DATA, [list(data[0]), data[1]])

    async def flush(self) -> None:
        """Nothing is buffered: every update above has already been committed."""
