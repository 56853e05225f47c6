"""Chat settings and supergroup migration."""

from __future__ import annotations

from telegram.constants import ChatType

from storage import (
    DEFAULT_MUSHAF_ID,
    ChatRepository,
    Database,
    DraftRepository,
    ReminderRepository,
)


async def test_ensure_creates_defaults_once_and_refreshes_title(db: Database) -> None:
    chats = ChatRepository(db)
    assert await chats.get(-100) is None
    created = await chats.ensure(-100, "group", "Halaqa")
    assert created.timezone is None and created.language is None
    assert created.mushaf_id == DEFAULT_MUSHAF_ID and created.active
    await chats.update(-100, timezone="Africa/Cairo")
    renamed = await chats.ensure(-100, "group", "Halaqa (evening)")
    assert renamed.title == "Halaqa (evening)"
    assert renamed.timezone == "Africa/Cairo"  # settings survive a rename


async def test_update_changes_only_the_given_settings(db: Database) -> None:
    chats = ChatRepository(db)
    await chats.ensure(7, "private", None)
    await chats.update(7, timezone="Asia/Jakarta", language="ar", mushaf_id=4)
    partial = await chats.update(7, language="en")
    assert partial is not None
    assert (partial.timezone, partial.language, partial.mushaf_id) == ("Asia/Jakarta", "en", 4)
    cleared = await chats.update(7, timezone=None)
    assert cleared is not None and cleared.timezone is None and cleared.language == "en"
    assert await chats.get(7) == cleared


async def test_update_of_unknown_chat_returns_none(db: Database) -> None:
    assert await ChatRepository(db).update(12345, language="ar") is None


async def test_set_active_round_trips(db: Database) -> None:
    chats = ChatRepository(db)
    await chats.ensure(-1, "group", "G")
    await chats.set_active(-1, False)
    inactive = await chats.get(-1)
    assert inactive is not None and not inactive.active
    await chats.set_active(-1, True)
    active = await chats.get(-1)
    assert active is not None and active.active


async def test_migrate_moves_settings_reminders_and_drafts(db: Database) -> None:
    chats, reminders, drafts = ChatRepository(db), ReminderRepository(db), DraftRepository(db)
    await chats.ensure(-100, "group", "Circle")
    await chats.update(-100, timezone="Europe/London", language="ar", mushaf_id=5)
    reminder = await reminders.create(
        chat_id=-100, times=["06:00"], weekdays=range(7), timezone="Europe/London"
    )
    draft = await drafts.save(telegram_user_id=5, chat_id=-100, ranges=["1:1"], body="x")

    moved = await chats.migrate(-100, -1001234567890)
    assert moved is not None
    assert moved.chat_id == -1001234567890 and moved.type == "supergroup"
    assert (moved.timezone, moved.language, moved.mushaf_id) == ("Europe/London", "ar", 5)
    assert await chats.get(-100) is None
    assert [r.id for r in await reminders.for_chat(-1001234567890)] == [reminder.id]
    moved_draft = await drafts.get(draft.id)
    assert moved_draft is not None and moved_draft.chat_id == -1001234567890


async def test_migrate_into_an_already_seen_supergroup_keeps_chosen_settings(
    db: Database,
) -> None:
    chats = ChatRepository(db)
    await chats.ensure(-100, "group", "Circle")
    await chats.update(-100, language="ar")
    await chats.ensure(-1009, "supergroup", "Circle")  # its first update arrived first
    moved = await chats.migrate(-100, -1009)
    assert moved is not None and moved.language == "ar" and moved.title == "Circle"


async def test_migrate_of_unknown_chat_is_a_no_op(db: Database) -> None:
    assert await ChatRepository(db).migrate(-1, -2) is None
    assert await ChatRepository(db).get(-2) is None


async def test_ensure_accepts_ptb_chat_type_enum(db: Database) -> None:
    chats = ChatRepository(db)
    created = await chats.ensure(-200, ChatType.SUPERGROUP, "Circle")
    assert created.type == "supergroup" and type(created.type) is str
    assert await chats.ensure(-200, ChatType.SUPERGROUP, "Circle") == created
