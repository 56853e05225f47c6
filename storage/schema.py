"""Table definitions used by the repositories (the migrations carry their own frozen copy).

Only portable column types are used so the same statements run on SQLite and PostgreSQL:
lists are JSON text, datetimes go through `UTCDateTime`, Telegram ids are BIGINT (supergroup ids
exceed 32 bits).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)

from storage.models import DEFAULT_MUSHAF_ID

# Deterministic constraint names keep future (batch) migrations writable on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on both backends.

    PostgreSQL keeps `timestamptz`; SQLite has no time zones, so values are stored as naive
    UTC text (which also keeps lexical order == time order for range queries).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("storage only accepts timezone-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class JSONText(TypeDecorator[Any]):
    """JSON kept in an unbounded TEXT column: identical bytes on both backends."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


def _timestamps() -> list[Column[datetime]]:
    return [
        Column("created_at", UTCDateTime(), nullable=False),
        Column("updated_at", UTCDateTime(), nullable=False),
    ]


chats = Table(
    "chats",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("type", String(32), nullable=False),
    Column("title", Text),
    Column("timezone", String(64)),
    Column("language", String(16)),
    Column("mushaf_id", Integer, nullable=False, default=DEFAULT_MUSHAF_ID),
    Column("active", Boolean, nullable=False, default=True),
    *_timestamps(),
    # Departed groups (inactive, unchanged for the grace period) are looked for every few
    # minutes among up to a million chats.
    Index("ix_chats_active_updated_at", "active", "updated_at"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("telegram_user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("qf_sub", String(255), nullable=False),
    Column("display_name", Text),
    Column("access_token", Text, nullable=False),  # Fernet token, never plaintext
    Column("refresh_token", Text),  # Fernet token, never plaintext
    Column("key_id", String(16), nullable=False),  # which key encrypted the tokens
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("scopes", Text, nullable=False),  # space-separated, like OAuth's `scope`
    Column("last_mutation_at", BigInteger),  # QF `X-Mutation-At`, Unix ms
    *_timestamps(),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("state", String(255), primary_key=True),
    Column("telegram_user_id", BigInteger, nullable=False, index=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("code_verifier", Text, nullable=False),
    Column("nonce", Text, nullable=False),
    #: The user's language when they asked for the link: the callback page speaks it.
    Column("language", String(16)),
    Column("created_at", UTCDateTime(), nullable=False, index=True),
    Column("used_at", UTCDateTime()),
    #: After the callback: the one-time code of the t.me link that finishes linking in Telegram.
    Column("confirm_code", String(64), unique=True),
    #: The grant waiting for that confirmation: a Fernet token, never plaintext.
    Column("pending_grant", Text),
    Column("confirm_expires_at", UTCDateTime()),
    #: When the confirm code was redeemed (by anyone): it works once.
    Column("confirmed_at", UTCDateTime()),
)

#: One row: a Fernet token of a known constant, written under the key in use at first start.
#: A TOKEN_ENCRYPTION_KEY that cannot open it is the wrong key (see `storage.keycheck`).
key_check = Table(
    "key_check",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("token", Text, nullable=False),  # Fernet token of storage.keycheck.KEY_CHECK_TEXT
    Column("created_at", UTCDateTime(), nullable=False),
)

#: Grants the bot stopped holding and has yet to revoke at Quran.com (see
#: `storage.revocations`). Rows carry no user id: they outlive /forget on purpose.
revocations = Table(
    "revocations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    #: A Fernet token: of the token itself ("token"), or a sealed pending grant ("grant").
    Column("sealed", Text, nullable=False),
    Column("form", String(16), nullable=False),
    #: Why the grant was dropped (forget, logout, relink, expired, refused), for the operator.
    Column("reason", String(32), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False, index=True),
    Column("last_error", String(64)),
    Column("created_at", UTCDateTime(), nullable=False),
    sqlite_autoincrement=True,
)

reminders = Table(
    "reminders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "chat_id",
        BigInteger,
        ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(16), nullable=False),
    Column("user_id", BigInteger, index=True),
    Column("times", JSONText, nullable=False),  # ["07:30", "21:00"]
    Column("weekdays", JSONText, nullable=False),  # [0, ..., 6], 0 = Monday
    Column("timezone", String(64), nullable=False),
    Column("text", Text),
    Column("portion", Text),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("snoozed_until", UTCDateTime()),
    # A moving wird (bot.domain.wird): "juz:1:1" (unit, first, size); the index of the portion
    # shown on `wird_day` (local ISO date); None = no wird (a fixed `portion` or nothing).
    Column("wird", String(32)),
    Column("wird_index", Integer, nullable=False, default=0, server_default="0"),
    Column("wird_day", String(10)),
    # Admin-enabled "who hasn't read yet" nudge, and the weekly summary (on unless turned off);
    # the local date / ISO week last done, so each happens at most once.
    Column("nudge_enabled", Boolean, nullable=False, default=False, server_default=false()),
    Column("nudged_on", String(10)),
    Column("summary_enabled", Boolean, nullable=False, default=True, server_default=true()),
    Column("summary_week", String(10)),
    # When the reminder is next due (its next daily time or snoozed repeat, aware UTC), and when
    # its group follow-ups may next be due; NULL = nothing to do. A tick once a minute claims
    # what is due through these indexes instead of one in-memory timer per reminder.
    Column("next_due_at", UTCDateTime(), index=True),
    Column("follow_up_at", UTCDateTime(), index=True),
    *_timestamps(),
    # Ids are never reused: an old button or send log row must not reach a new reminder.
    sqlite_autoincrement=True,
)

reminder_sends = Table(
    "reminder_sends",
    metadata,
    Column(
        "reminder_id",
        Integer,
        ForeignKey("reminders.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("slot", String(64), nullable=False),
    Column("message_id", BigInteger),
    Column("sent_at", UTCDateTime(), nullable=False),
    # What the message showed: check-ins credit exactly this, whatever the portion is now.
    Column("portion", Text),
    Column("ranges", JSONText),  # ["1:1-2:141"], or NULL when it cannot be credited
    PrimaryKeyConstraint("reminder_id", "slot"),
)

check_ins = Table(
    "check_ins",
    metadata,
    Column(
        "reminder_id",
        Integer,
        ForeignKey("reminders.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("slot", String(64), nullable=False),
    Column("user_id", BigInteger, nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    # The member's first name at check-in (bounded), for "who has read" under the reminder.
    Column("name", String(64)),
    PrimaryKeyConstraint("reminder_id", "slot", "user_id"),
)

#: Members who asked (/quiet) never to be mentioned by a group's nudge.
group_quiet = Table(
    "group_quiet",
    metadata,
    Column("chat_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("chat_id", "user_id"),
)

note_drafts = Table(
    "note_drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("telegram_user_id", BigInteger, nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("ranges", JSONText, nullable=False),
    Column("body", Text, nullable=False),
    Column("save_to_qr", Boolean, nullable=False, default=False),
    Column("status", String(32), nullable=False),
    #: The QuranReflect post the note is about: {entityId, entityType, entityMetadata} or NULL.
    Column("attached_entity", JSONText, nullable=True),
    *_timestamps(),
    Index("ix_note_drafts_user_updated", "telegram_user_id", "updated_at"),
    sqlite_autoincrement=True,
)

reading_credits = Table(
    "reading_credits",
    metadata,
    Column("user_id", BigInteger, nullable=False),
    Column("key", String(255), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False, index=True),
    PrimaryKeyConstraint("user_id", "key"),
)

#: A group's collective khatm: one row per round (see `storage.khatm`). Only one round of a
#: chat is "open" at a time; `round` numbers them per chat and is unique with it, so two admins
#: starting at once cannot both open a board.
khatm_boards = Table(
    "khatm_boards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "chat_id",
        BigInteger,
        ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"),
        nullable=False,
    ),
    Column("round", Integer, nullable=False),
    #: "open", "done" (all 30 finished) or "closed" (an admin ended it).
    Column("status", String(16), nullable=False),
    Column("deadline", Date),
    Column("message_id", BigInteger),
    Column("started_by", BigInteger, index=True),
    Column("finished_at", UTCDateTime()),
    *_timestamps(),
    UniqueConstraint("chat_id", "round", name="uq_khatm_boards_chat_round"),
    # Ids are never reused: a button of a deleted board must not act on a new one.
    sqlite_autoincrement=True,
)

#: The 30 juz of a board, created with it. A juz is taken by a conditional UPDATE (`taker_id IS
#: NULL`), so two presses can never both take it.
khatm_parts = Table(
    "khatm_parts",
    metadata,
    Column(
        "board_id",
        Integer,
        ForeignKey("khatm_boards.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("juz", Integer, nullable=False),
    Column("taker_id", BigInteger, index=True),
    Column("taker_name", String(64)),
    Column("taken_at", UTCDateTime()),
    Column("finished_at", UTCDateTime()),
    PrimaryKeyConstraint("board_id", "juz"),
)

# python-telegram-bot persistence. Conversation keys are JSON lists (PTB uses tuples).
ptb_conversations = Table(
    "ptb_conversations",
    metadata,
    Column("name", String(255), nullable=False),
    Column("key", String(255), nullable=False),
    Column("state", JSONText),
    PrimaryKeyConstraint("name", "key"),
)

ptb_user_data = Table(
    "ptb_user_data",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("data", JSONText, nullable=False),
)

ptb_chat_data = Table(
    "ptb_chat_data",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("data", JSONText, nullable=False),
)

#: bot_data and callback_data, one row each, when switched on.
ptb_bot_store = Table(
    "ptb_bot_store",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("data", JSONText, nullable=False),
)

# The durable inbox (storage/inbox.py): every accepted Telegram update until its handlers finish.
inbox = Table(
    "inbox",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    #: What serialises the update: "chat:<id>", "user:<id>" or "update:<id>".
    Column("chat_key", String(40), nullable=False),
    Column("payload", JSONText, nullable=False),
    #: How often it was replayed (started again after a crash or a deploy cut it off).
    Column("attempts", Integer, nullable=False, default=0),
    Column("accepted_at", UTCDateTime(), nullable=False),
    #: Null while unfinished; set when the handlers finished (or when the update was shed).
    Column("done_at", UTCDateTime()),
    #: "handled" or "shed" (over the per-chat bound); null while unfinished.
    Column("outcome", String(16)),
    Index("ix_inbox_pending", "done_at", "chat_key", "update_id"),
)

# What each update already sent to Telegram, so a replay answers from here instead of twice.
inbox_sends = Table(
    "inbox_sends",
    metadata,
    Column("update_id", BigInteger, nullable=False),
    #: The n-th Bot API call the update made (handlers call in the same order every time).
    Column("seq", Integer, nullable=False),
    Column("method", String(64), nullable=False),
    Column("result", JSONText, nullable=False),
    Column("sent_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("update_id", "seq", name="pk_inbox_sends"),
)
