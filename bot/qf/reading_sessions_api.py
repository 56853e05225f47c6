"""Where the reader stopped: Quran.com's "continue reading" position (`/v1/reading-sessions`).

Reading sessions are location history, not progress (that is activity days): every contract
declares `POST /v1/reading-sessions` with `{chapterNumber, verseNumber}` (the latest verse read)
and, on today's pre-live, the client's clock (`clientCreatedAt`/`clientUpdatedAt`). The
position is a nicety next to the credit, so callers treat its failures as "not recorded".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.qf.user_api import UserApi
from bot.qf.wire import list_data, parse_model


class ReadingPosition(BaseModel):
    """One reading session: the verse the reader got to, and when."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    id: str
    updated_at: dt.datetime = Field(alias="updatedAt")
    chapter: int | None = Field(default=None, alias="chapterNumber")
    verse: int | None = Field(default=None, alias="verseNumber")

    @property
    def verse_key(self) -> str | None:
        """`18:10`, or None for a session without a position."""
        if self.chapter is None or self.verse is None:
            return None
        return f"{self.chapter}:{self.verse}"


class ReadingSessionsApi(UserApi):
    """The `/v1/reading-sessions` operations of one user."""

    async def record_reading_position(self, chapter: int, verse: int) -> None:
        """Move Quran.com's "continue reading" to `chapter:verse` (the last verse read).

        Not retried after an ambiguous failure by the transport (writes never are); repeating
        it would be harmless, but the caller has already moved on.
        """
        wire: dict[str, Any] = {"chapterNumber": chapter, "verseNumber": verse}
        wire |= self._client.contract.client_timestamps(self._client.clock(), created=True)
        await self._write("POST", "/v1/reading-sessions", json=wire)

    async def latest_reading_position(self) -> ReadingPosition | None:
        """The most recent reading session that has a verse, or None."""
        payload = await self._get("/v1/reading-sessions", {"first": 1})
        for item in list_data(payload):
            position = parse_model(ReadingPosition, item)
            if position.verse_key is not None:
                return position
        return None
