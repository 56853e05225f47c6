"""The one typed object that carries the bot's dependencies, and how handlers reach it.

Dependencies live in `application.bot_data["deps"]` rather than module globals so that tests,
demo mode and several Applications in one process (the restart tests) never share state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.app.config import Settings

if TYPE_CHECKING:
    from bot.qf import QuranFoundationClient
    from storage import (
        AccountRepository,
        ChatRepository,
        Database,
        DraftRepository,
        LoginAttemptRepository,
        ReadingCreditRepository,
        ReminderRepository,
        RevocationQueue,
        TokenCipher,
    )

DEPS_KEY = "deps"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    settings: Settings
    database: Database
    chats: ChatRepository
    accounts: AccountRepository
    logins: LoginAttemptRepository
    reminders: ReminderRepository
    drafts: DraftRepository
    credits: ReadingCreditRepository
    #: Grants the bot dropped and still has to revoke at Quran.com (see services.revocations).
    revocations: RevocationQueue
    qf: QuranFoundationClient
    #: Encrypts OAuth tokens at rest: linked accounts and grants waiting for confirmation.
    cipher: TokenCipher
    #: Aware UTC "now"; tests and the reminder scheduler replace it with a controllable clock.
    clock: Callable[[], datetime] = utc_now
    #: Filled in at start from getMe; the OAuth callback page links back to t.me/<username>.
    bot_username: str = ""
    extras: dict[str, Any] = field(default_factory=dict)


class HasBotData(Protocol):
    """A PTB Application or callback context, seen without importing telegram here."""

    @property
    def bot_data(self) -> Any: ...


def deps_of(context: HasBotData) -> Deps:
    """The Deps of the Application serving this callback."""
    bot_data = context.bot_data
    deps = bot_data.get(DEPS_KEY)
    if not isinstance(deps, Deps):
        raise RuntimeError("bot_data has no Deps: build the Application with bot.app.application")
    return deps
