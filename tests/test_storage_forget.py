"""/forget: every row about one user disappears, atomically, and nobody else's does."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from storage import (
    AccountRepository,
    ChatRepository,
    Database,
    DatabasePersistence,
    DraftRepository,
    LoginAttemptRepository,
    ReadingCreditRepository,
    ReminderRepository,
    TokenCipher,
    forget_user,
)
from storage import forget as forget_module
from storage.schema import metadata

pytest_plugins = ["storage_fixtures"]

USER, OTHER, GROUP = 42, 43, -100


async def _populate(db: Database, cipher: TokenCipher) -> dict[str, int]:
    chats, reminders = ChatRepository(db), ReminderRepository(db)
    persistence = DatabasePersistence(db)
    for user_id in (USER, OTHER):
        await chats.ensure(user_id, "private", None)
        await AccountRepository(db, cipher).save(
            user_id,
            qf_sub=f"sub-{user_id}",
            display_name=None,
            access_token="a",
            refresh_token="r",
            expires_at=datetime(2025, 1, 1, tzinfo=UTC),
            scopes=["openid"],
        )
        await LoginAttemptRepository(db).create(
            state=f"state-{user_id}",
            telegram_user_id=user_id,
            chat_id=user_id,
            code_verifier="v",
            nonce="n",
        )
        await DraftRepository(db).save(
            telegram_user_id=user_id, chat_id=GROUP, ranges=["1:1"], body="b"
        )
        await ReadingCreditRepository(db).claim(user_id, "read:1")
        await persistence.update_user_data(user_id, {"step": 1})
        await persistence.update_chat_data(user_id, {"seen": True})
        await persistence.update_conversation("note", (GROUP, user_id), 2)
        await persistence.update_conversation("goal", (user_id, user_id), "AMOUNT")
    await chats.ensure(GROUP, "group", "Circle")
    await persistence.update_chat_data(GROUP, {"panel": 1})
    private = await reminders.create(
        chat_id=USER, user_id=USER, times=["07:00"], weekdays=[0], timezone="UTC"
    )
    await reminders.claim_slot(private.id, "d1")
    await reminders.record_check_in(private.id, "d1", USER)
    group = await reminders.create(
        chat_id=GROUP, user_id=USER, times=["07:00"], weekdays=[0], timezone="UTC"
    )
    await reminders.record_check_in(group.id, "d1", USER)
    await reminders.record_check_in(group.id, "d1", OTHER)
    return {"private": private.id, "group": group.id}


async def _row_counts(db: Database) -> dict[str, int]:
    async with db.read() as connection:
        counts = {}
        for table in metadata.sorted_tables:
            query = select(func.count()).select_from(table)
            counts[table.name] = (await connection.execute(query)).scalar_one()
        return counts


async def test_forget_removes_the_user_and_only_the_user(db: Database, cipher: TokenCipher) -> None:
    ids = await _populate(db, cipher)
    removed = await forget_user(db, USER)

    assert removed["accounts"] == 1 and removed["chats"] == 1 and removed["reminders"] == 1
    assert removed["ptb_conversations"] == 2 and removed["check_ins"] == 1
    assert await AccountRepository(db, cipher).get(USER) is None
    assert await ChatRepository(db).get(USER) is None
    assert await LoginAttemptRepository(db).get(f"state-{USER}") is None
    assert await DraftRepository(db).latest_for_user(USER) is None
    assert await ReadingCreditRepository(db).claim(USER, "read:1")  # the key was forgotten

    reminders = ReminderRepository(db)
    assert await reminders.get(ids["private"]) is None
    group = await reminders.get(ids["group"])
    assert group is not None and group.user_id is None  # the group keeps its reminder
    assert await reminders.count_check_ins(ids["group"], "d1") == 1  # only OTHER's

    persistence = DatabasePersistence(db)
    for user_id, kept in ((USER, False), (OTHER, True)):
        user_data: dict[str, object] = {}
        await persistence.refresh_user_data(user_id, user_data)
        assert bool(user_data) is kept
    for chat_id, kept in ((USER, False), (OTHER, True), (GROUP, True)):
        chat_data: dict[str, object] = {}
        await persistence.refresh_chat_data(chat_id, chat_data)
        assert bool(chat_data) is kept
    assert set(await persistence.get_conversations("note")) == {(GROUP, OTHER)}
    assert set(await persistence.get_conversations("goal")) == {(OTHER, OTHER)}

    # Everything about OTHER is intact.
    assert await AccountRepository(db, cipher).get(OTHER) is not None
    assert await ChatRepository(db).get(OTHER) is not None
    assert await LoginAttemptRepository(db).get(f"state-{OTHER}") is not None
    assert await DraftRepository(db).latest_for_user(OTHER) is not None
    assert not await ReadingCreditRepository(db).claim(OTHER, "read:1")


async def test_forget_is_all_or_nothing(
    db: Database, cipher: TokenCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _populate(db, cipher)
    before = await _row_counts(db)

    def fail(_: str) -> object:
        raise RuntimeError("crash after most deletes ran")

    # The conversation scan is the last step: failing there must undo every earlier delete.
    monkeypatch.setattr(forget_module, "json", SimpleNamespace(loads=fail))
    with pytest.raises(RuntimeError):
        await forget_user(db, USER)
    assert await _row_counts(db) == before


async def test_forgetting_an_unknown_user_changes_nothing(
    db: Database, cipher: TokenCipher
) -> None:
    await _populate(db, cipher)
    before = await _row_counts(db)
    removed = await forget_user(db, 999)
    assert set(removed.values()) == {0}
    assert await _row_counts(db) == before
