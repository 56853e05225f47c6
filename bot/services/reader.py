"""Who is reading: the sender's Quran.com session, with their day and their mushaf.

Goals and reading act for the person who sent the command or pressed the button, never for the
chat it happened in. Both need the same three things before any Quran.com call: a linked
account, a timezone (today's plan and streaks are counted in the user's own day), and the mushaf
whose pages they count in. `reader_for` checks them once per update and says which is missing,
so the Telegram side only has to word the reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.mushafs import DEFAULT_MUSHAF_ID
from bot.domain.reminders import local_today
from bot.qf import UserSession
from bot.services.deps import Deps


@dataclass(frozen=True)
class Reader:
    """The sender's Quran.com session with what every goal and reading call needs."""

    deps: Deps
    user_id: int
    session: UserSession
    timezone: str
    mushaf_id: int

    def today(self) -> date:
        """The reader's calendar day now."""
        return local_today(self.deps.clock(), self.timezone)


class MissingSetup(StrEnum):
    """What has to be done before goals and reading can work."""

    #: No Quran.com account is linked to this Telegram user.
    ACCOUNT = "account"
    #: No timezone is known for the user (nor for the chat they wrote in).
    TIMEZONE = "timezone"


async def own_mushaf(deps: Deps, user_id: int) -> int:
    """The mushaf from the user's own (private chat) settings."""
    settings = await deps.chats.get(user_id)
    return settings.mushaf_id if settings is not None else DEFAULT_MUSHAF_ID


async def reader_for(
    deps: Deps, user_id: int, *, timezone: str | None
) -> Reader | MissingSetup:
    """The user's session in `timezone` (theirs, else the chat's), or what is missing."""
    if await deps.accounts.get(user_id) is None:
        return MissingSetup.ACCOUNT
    if not timezone:
        return MissingSetup.TIMEZONE
    session = deps.qf.for_user(user_id, timezone=timezone)
    return Reader(deps, user_id, session, timezone, await own_mushaf(deps, user_id))


async def choose_mushaf(reader: Reader, mushaf_id: int) -> Reader:
    """Remember the mushaf in the user's own settings at once: the next goal and /today's page
    counts use it too. Returns the reader counting in it."""
    await reader.deps.chats.update(reader.user_id, mushaf_id=mushaf_id)
    return Reader(reader.deps, reader.user_id, reader.session, reader.timezone, mushaf_id)
