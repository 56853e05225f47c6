"""Persistence for Quran Companion: SQLAlchemy 2 Core (async) on SQLite or PostgreSQL.

Repositories are the only code that touches SQL. See docs/architecture.md ("storage").
"""

from storage.accounts import AccountRepository
from storage.chats import ChatRepository
from storage.credits import ReadingCreditRepository
from storage.crypto import TokenCipher, TokenDecryptionError
from storage.database import Database
from storage.drafts import DraftRepository
from storage.forget import erase_departed_groups, forget_user
from storage.keycheck import WrongEncryptionKey, verify_encryption_key
from storage.khatm import KhatmBoard, KhatmPart, KhatmRepository
from storage.logins import LoginAttemptRepository
from storage.models import (
    DEFAULT_MUSHAF_ID,
    UNSET,
    Account,
    ChatSettings,
    CheckIn,
    Clock,
    ConsumeResult,
    LoginAttempt,
    NoteDraft,
    PendingGrant,
    Reminder,
    ReminderKind,
    SentReminder,
    TakeGrantResult,
    Unset,
    utc_now,
)
from storage.persistence import DatabasePersistence
from storage.reminders import ReminderRepository
from storage.revocations import QueuedRevocation, RevocationQueue

__all__ = [
    "DEFAULT_MUSHAF_ID",
    "UNSET",
    "Account",
    "AccountRepository",
    "ChatRepository",
    "ChatSettings",
    "CheckIn",
    "Clock",
    "ConsumeResult",
    "Database",
    "DatabasePersistence",
    "DraftRepository",
    "KhatmBoard",
    "KhatmPart",
    "KhatmRepository",
    "LoginAttempt",
    "LoginAttemptRepository",
    "NoteDraft",
    "PendingGrant",
    "QueuedRevocation",
    "ReadingCreditRepository",
    "Reminder",
    "ReminderKind",
    "ReminderRepository",
    "RevocationQueue",
    "SentReminder",
    "TakeGrantResult",
    "TokenCipher",
    "TokenDecryptionError",
    "Unset",
    "WrongEncryptionKey",
    "erase_departed_groups",
    "forget_user",
    "utc_now",
    "verify_encryption_key",
]
