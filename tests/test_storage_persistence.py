"""DatabasePersistence under a real python-telegram-bot Application (Bot API answered locally)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from storage_helpers import open_sqlite
from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PersistenceInput,
    filters,
)
from telegram.request import BaseRequest, RequestData

from storage import Database, DatabasePersistence

ASK_VERSE = 1
GROUP, USER = -1001, 42


class LocalBotApi(BaseRequest):
    """Answers getMe and sendMessage like Telegram does and records what the bot sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result: Any = True
        if endpoint == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "Companion", "username": "qc_bot"}
        elif endpoint == "sendMessage":
            chat_id, text = int(str(params["chat_id"])), str(params["text"])
            self.sent.append((chat_id, text))
            result = {
                "message_id": len(self.sent),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "supergroup" if chat_id < 0 else "private"},
                "text": text,
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def ask_verse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_message is not None and context.user_data is not None
    context.user_data["wizard"] = "note"
    await update.effective_message.reply_text("Which verse?")
    return ASK_VERSE


async def take_verse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_message is not None and context.user_data is not None
    await update.effective_message.reply_text(
        f"Noted {update.effective_message.text} ({context.user_data.get('wizard')})"
    )
    return ConversationHandler.END


AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_app(db: Database, api: LocalBotApi, *, interval: float = 5.0) -> AnyApplication:
    app = (
        Application.builder()
        .token("1:TEST")
        .request(api)
        .get_updates_request(api)
        .updater(None)
        .persistence(DatabasePersistence(db, update_interval=interval))
        .build()
    )
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("note", ask_verse)],
            states={ASK_VERSE: [MessageHandler(filters.TEXT & ~filters.COMMAND, take_verse)]},
            fallbacks=[],
            name="note_wizard",
            persistent=True,
        )
    )
    return app


def message(app: AnyApplication, text: str, update_id: int) -> Update:
    entities = (
        [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if text.startswith("/")
        else []
    )
    data = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": GROUP, "type": "supergroup", "title": "Circle"},
            "from": {"id": USER, "is_bot": False, "first_name": "Aisha"},
            "text": text,
            "entities": entities,
        },
    }
    update = Update.de_json(data, app.bot)
    assert update is not None
    return update


async def test_conversation_survives_rebuilding_the_application(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    api = LocalBotApi()

    database = await open_sqlite(path)
    try:
        first = build_app(database, api)
        async with first:
            await first.process_update(message(first, "/note", 1))
    finally:
        await database.close()
    assert api.sent == [(GROUP, "Which verse?")]

    database = await open_sqlite(path)  # a new process would start exactly like this
    try:
        stored = await DatabasePersistence(database).get_conversations("note_wizard")
        assert stored == {(GROUP, USER): ASK_VERSE}  # tuple keys, as PTB needs them
        second = build_app(database, api)
        async with second:
            await second.process_update(message(second, "2:255", 2))
        assert api.sent[-1] == (GROUP, "Noted 2:255 (note)")
        # The conversation ended, so its row is gone; the user_data stays.
        persistence = DatabasePersistence(database)
        assert await persistence.get_conversations("note_wizard") == {}
        assert await stored_user_data(persistence, USER) == {"wizard": "note"}
    finally:
        await database.close()


async def test_running_application_writes_state_within_the_update_interval(
    tmp_path: Path,
) -> None:
    database = await open_sqlite(tmp_path / "bot.sqlite3")
    api = LocalBotApi()
    app = build_app(database, api, interval=0.2)
    probe = DatabasePersistence(database)
    try:
        await app.initialize()
        await app.start()
        await app.update_queue.put(message(app, "/note", 1))
        deadline = time.monotonic() + 5
        while await probe.get_conversations("note_wizard") != {(GROUP, USER): ASK_VERSE}:
            assert time.monotonic() < deadline, "state not persisted within the interval"
            await asyncio.sleep(0.05)
        # Persisted while still running: a crash now would not lose the conversation.
        await app.stop()
        await app.shutdown()
    finally:
        await database.close()


async def test_conversation_rows_round_trip_and_end(db: Database) -> None:
    persistence = DatabasePersistence(db)
    await persistence.update_conversation("wiz", (GROUP, USER), "STEP")
    await persistence.update_conversation("wiz", (USER,), 3)
    await persistence.update_conversation("other", (GROUP, USER, "inline-1"), 1)
    assert await persistence.get_conversations("wiz") == {(GROUP, USER): "STEP", (USER,): 3}
    await persistence.update_conversation("wiz", (GROUP, USER), 4)
    await persistence.update_conversation("wiz", (USER,), None)
    assert await persistence.get_conversations("wiz") == {(GROUP, USER): 4}
    assert await persistence.get_conversations("other") == {(GROUP, USER, "inline-1"): 1}


async def test_user_and_chat_data_update_and_drop(db: Database) -> None:
    persistence = DatabasePersistence(db)
    await persistence.update_user_data(USER, {"lang": "ar", "steps": [1, 2]})
    await persistence.update_user_data(USER, {"lang": "en"})
    await persistence.update_chat_data(GROUP, {"panel": "open"})
    assert await stored_user_data(persistence, USER) == {"lang": "en"}
    assert await stored_chat_data(persistence, GROUP) == {"panel": "open"}
    await persistence.drop_user_data(USER)
    await persistence.drop_chat_data(GROUP)
    assert await stored_user_data(DatabasePersistence(db), USER) == {}
    assert await stored_chat_data(DatabasePersistence(db), GROUP) == {}


async def stored_user_data(persistence: DatabasePersistence, user_id: int) -> dict[Any, Any]:
    """What a user's first update would find, read the way PTB reads it (refresh_user_data)."""
    memory: dict[Any, Any] = {}
    await persistence.refresh_user_data(user_id, memory)
    return memory


async def stored_chat_data(persistence: DatabasePersistence, chat_id: int) -> dict[Any, Any]:
    memory: dict[Any, Any] = {}
    await persistence.refresh_chat_data(chat_id, memory)
    return memory


async def test_start_up_loads_no_user_or_chat_rows(db: Database) -> None:
    persistence = DatabasePersistence(db)
    for user_id in range(1, 51):
        await persistence.update_user_data(user_id, {"goal": user_id})
        await persistence.update_chat_data(user_id, {"panel": "open"})
    # Start-up memory must not grow with the number of chats the bot has ever seen.
    assert await persistence.get_user_data() == {}
    assert await persistence.get_chat_data() == {}
    assert await stored_user_data(persistence, 7) == {"goal": 7}


async def test_a_users_data_is_read_once_then_memory_is_current(db: Database) -> None:
    persistence = DatabasePersistence(db)
    await persistence.update_user_data(USER, {"goal": "stored"})
    memory: dict[Any, Any] = {"draft": "typed before the first refresh"}
    await persistence.refresh_user_data(USER, memory)
    assert memory == {"goal": "stored", "draft": "typed before the first refresh"}
    memory["goal"] = "changed in memory"
    await persistence.refresh_user_data(USER, memory)  # not read again: memory is newer
    assert memory["goal"] == "changed in memory"


async def test_bot_and_callback_data_are_off_by_default_but_work_when_enabled(
    db: Database,
) -> None:
    assert not DatabasePersistence(db).store_data.bot_data
    assert not DatabasePersistence(db).store_data.callback_data
    persistence = DatabasePersistence(db, store_data=PersistenceInput())
    assert await persistence.get_bot_data() == {}
    assert await persistence.get_callback_data() is None
    await persistence.update_bot_data({"version": 2})
    await persistence.update_callback_data(([("k", 1.5, {"b": "x"})], {"q": "k"}))
    assert await persistence.get_bot_data() == {"version": 2}
    assert await persistence.get_callback_data() == ([("k", 1.5, {"b": "x"})], {"q": "k"})


async def test_data_that_json_cannot_hold_is_refused_clearly(db: Database) -> None:
    with pytest.raises(TypeError, match="ptb_user_data of 42 must be JSON-serialisable"):
        await DatabasePersistence(db).update_user_data(USER, {"bad": object()})


async def test_a_groups_stored_chat_data_follows_it_to_the_supergroup(db: Database) -> None:
    from storage import ChatRepository

    chats = ChatRepository(db)
    await chats.ensure(GROUP, "group", "Halaqa")
    await DatabasePersistence(db).update_chat_data(GROUP, {"panel": "open"})
    await chats.migrate(GROUP, GROUP - 1_000_000_000_000)
    # A chat not loaded in memory when it migrated still finds its data under the new id.
    fresh = DatabasePersistence(db)
    assert await stored_chat_data(fresh, GROUP - 1_000_000_000_000) == {"panel": "open"}
    assert await stored_chat_data(fresh, GROUP) == {}


class Writes:
    """Counts the statements that write user or chat data."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().startswith(("INSERT INTO ptb_user_data",
                                          "INSERT INTO ptb_chat_data")):
            self.count += 1


async def test_data_unchanged_since_it_was_stored_is_not_written_again(db: Database) -> None:
    persistence = DatabasePersistence(db)
    writes = Writes(db)
    await persistence.update_user_data(USER, {"goal": {"id": "g-1"}})
    await persistence.update_user_data(USER, {"goal": {"id": "g-1"}})
    assert writes.count == 1
    await persistence.update_user_data(USER, {"goal": {"id": "g-2"}})
    assert writes.count == 2
    assert await stored_user_data(DatabasePersistence(db), USER) == {"goal": {"id": "g-2"}}


async def test_data_as_loaded_is_not_written_back(db: Database) -> None:
    await DatabasePersistence(db).update_user_data(USER, {"goal": "stored"})
    persistence = DatabasePersistence(db)
    memory = await stored_user_data(persistence, USER)
    chat_memory = await stored_chat_data(persistence, GROUP)
    writes = Writes(db)
    await persistence.update_user_data(USER, memory)
    # A chat nobody stored anything for, still empty: no row is created for it.
    await persistence.update_chat_data(GROUP, chat_memory)
    assert writes.count == 0
    memory["goal"] = "changed"
    await persistence.update_user_data(USER, memory)
    assert writes.count == 1


async def test_data_dropped_and_set_again_is_written(db: Database) -> None:
    persistence = DatabasePersistence(db)
    await persistence.update_chat_data(GROUP, {"panel": "open"})
    await persistence.drop_chat_data(GROUP)
    await persistence.update_chat_data(GROUP, {"panel": "open"})
    assert await stored_chat_data(DatabasePersistence(db), GROUP) == {"panel": "open"}
