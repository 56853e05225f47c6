"""Immutable records handed out by the repositories.

They are plain frozen dataclasses so handlers can pass them around freely without holding a
database connection or being able to write through them by accident. Every datetime is aware
and in UTC, whichever backend produced it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, Final, Literal

Clock = Callable[[], datetime]

ReminderKind = Literal["group", "private"]
ConsumeStatus = Literal["ok", "unknown", "used", "expired"]

#: The column default for a chat's mushaf. Storage imports nothing from the bot, so the value is
#: repeated here; tests/test_architecture.py checks it equals `bot.domain.mushafs.DEFAULT_MUSHAF_ID`
#: (which says why it is this mushaf).
DEFAULT_MUSHAF_ID = 2


class Unset(Enum):
    UNSET = "UNSET"


#: Default of optional update arguments, so that passing `None` can mean "clear this value".
UNSET: Final = Unset.UNSET


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat's settings; a private chat's row doubles as that user's own settings."""

    chat_id: int
    type: str
    title: str | None
    timezone: str | None
    language: str | None
    mushaf_id: int
    active: bool


@dataclass(frozen=True, slots=True)
class Account:
    """A Telegram user's linked Quran.com account, tokens already decrypted."""

    telegram_user_id: int
    qf_sub: str
    display_name: str | None
    access_token: str
    refresh_token: str | None
    expires_at: datetime
    scopes: tuple[str, ...]
    last_mutation_at: int | None

    def __repr__(self) -> str:
        # Accounts end up in logs and tracebacks; the tokens must not.
        return (
            f"Account(telegram_user_id={self.telegram_user_id!r}, qf_sub={self.qf_sub!r}, "
            f"expires_at={self.expires_at!r}, scopes={self.scopes!r}, tokens=<hidden>)"
        )


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    state: str
    telegram_user_id: int
    chat_id: int
    code_verifier: str
    nonce: str
    created_at: datetime
    used_at: datetime | None
    language: str | None = None

    def __repr__(self) -> str:
        return (
            f"LoginAttempt(telegram_user_id={self.telegram_user_id!r}, chat_id={self.chat_id!r}, "
            f"created_at={self.created_at!r}, used_at={self.used_at!r}, secrets=<hidden>)"
        )


@dataclass(frozen=True, slots=True)
class PendingGrant:
    """A Quran.com grant the OAuth callback obtained, held until its Telegram user confirms.

    The browser that finished sign-in may belong to anyone (a forwarded login link), so the
    grant is not linked until the Telegram user who asked for the link opens the confirm link.
    """

    qf_sub: str
    display_name: str | None
    access_token: str
    refresh_token: str | None
    expires_at: datetime
    scopes: tuple[str, ...]

    def __repr__(self) -> str:
        return (
            f"PendingGrant(qf_sub={self.qf_sub!r}, expires_at={self.expires_at!r}, "
            f"scopes={self.scopes!r}, tokens=<hidden>)"
        )


@dataclass(frozen=True, slots=True)
class ConsumeResult:
    """Outcome of redeeming an OAuth `state`; `attempt` is None only for "unknown"."""

    status: ConsumeStatus
    attempt: LoginAttempt | None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True, slots=True)
class TakeGrantResult:
    """Outcome of redeeming a confirm code.

    `grant` is set when the code was "ok", and also when it had "expired" with its grant still
    held, so the caller can end that grant at Quran.com instead of leaving it alive.
    """

    status: ConsumeStatus
    attempt: LoginAttempt | None
    grant: PendingGrant | None


@dataclass(frozen=True, slots=True)
class Reminder:
    id: int
    chat_id: int
    user_id: int | None
    times: tuple[str, ...]
    weekdays: tuple[int, ...]
    timezone: str
    text: str | None
    portion: str | None
    enabled: bool
    snoozed_until: datetime | None
    #: "private": one user's reminder in their private chat; "group": a chat-wide reminder
    #: (`user_id` is then whoever set it up, or None).
    kind: ReminderKind = "group"
    #: A moving wird ("juz:1:1", see `bot.domain.wird`), the index of the portion shown on
    #: `wird_day` (the local date of the last reminder day sent), or None.
    wird: str | None = None
    wird_index: int = 0
    wird_day: date | None = None
    #: The admin-enabled nudge of members who have not read yet, and the weekly summary.
    nudge_enabled: bool = False
    nudged_on: date | None = None
    summary_enabled: bool = True
    summary_week: str | None = None
    #: When it is next due and when its group follow-ups may be (None: not planned); while a
    #: tick holds the reminder, `next_due_at` is that claim's lease.
    next_due_at: datetime | None = None
    follow_up_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SentReminder:
    """One message sent for a reminder's slot, and the portion it showed."""

    reminder_id: int
    slot: str
    message_id: int | None
    portion: str | None
    ranges: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class CheckIn:
    user_id: int
    name: str | None
    slot: str


@dataclass(frozen=True, slots=True)
class NoteDraft:
    id: int
    telegram_user_id: int
    chat_id: int
    ranges: tuple[str, ...]
    body: str
    save_to_qr: bool
    status: str
    updated_at: datetime
    #: The QuranReflect post the note is about (QF's `attachedEntity` shape), or None.
    attached_entity: dict[str, Any] | None = None
