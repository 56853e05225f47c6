"""When a /read deserves a question before it is credited.

Quran.com cannot take reading back: activity days can be added to but not deleted through the
API, so a mistaken credit is permanent. Two mistakes are easy to make and cheap to catch:
sending the same /read twice (a double send, a copy pasted from yesterday's message), and a
range far beyond a day's reading (`/read 1:1-114:6`, meant as "I'm reading the Quran", credits
more than ten hours). Both are asked about instead of credited; anything else is credited at
once, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.chapters import JUZ_COUNT
from bot.domain.reading import ReadRequest
from bot.domain.verses import VerseRange

#: The same reading credited again within this long is most likely a repeat by mistake.
REPEAT_WINDOW = timedelta(minutes=10)
#: More than this much typed time is far beyond a day's reading.
LARGE_SECONDS = 3 * 3600
#: More than this many juz in one /read. Counted in juz rather than verses, since verses differ
#: greatly in length (Al-Baqarah's 286 verses are 2.5 juz; the last juz has 564 verses).
LARGE_JUZ = 3.0
#: How many recent credits are remembered per person (the window is short).
MAX_REMEMBERED = 10


class CreditConcern(StrEnum):
    """Why a /read is asked about before it is credited."""

    #: The same reading was credited a few minutes ago by another message.
    REPEAT = "repeat"
    #: Far beyond a day's reading.
    LARGE = "large"


def reading_fingerprint(request: ReadRequest) -> str:
    """What was read, independent of how it was typed ("mulk" and "67:1-67:30" are the same)."""
    ranges = ",".join(item.key for item in request.ranges)
    return f"{ranges}|{request.seconds if request.seconds is not None else ''}"


@dataclass(frozen=True)
class RecentCredit:
    """A /read credited lately: what it was, which message asked for it, and when."""

    reading: str
    message: str
    at: datetime

    def to_data(self) -> dict[str, str]:
        return {"reading": self.reading, "message": self.message, "at": self.at.isoformat()}

    @classmethod
    def from_data(cls, data: Any) -> RecentCredit | None:
        """Tolerant: anything unreadable counts as not remembered."""
        if not isinstance(data, Mapping):
            return None
        try:
            at = datetime.fromisoformat(str(data["at"]))
            return cls(str(data["reading"]), str(data["message"]), at)
        except (KeyError, ValueError):
            return None


def concern_about(
    request: ReadRequest, message: str, recent: Sequence[RecentCredit], now: datetime
) -> CreditConcern | None:
    """Whether to ask before crediting `request` (sent as `message`), given what was credited
    lately. A message is never a repeat of itself: a redelivered update is caught by its
    credit key and said to be credited already."""
    fingerprint = reading_fingerprint(request)
    for credit in recent:
        if (credit.reading == fingerprint and credit.message != message
                and timedelta(0) <= now - credit.at <= REPEAT_WINDOW):
            return CreditConcern.REPEAT
    if juz_read(request.ranges) > LARGE_JUZ or (request.seconds or 0) > LARGE_SECONDS:
        return CreditConcern.LARGE
    return None


def _juz_ordinals() -> list[tuple[int, int]]:
    spans = []
    for juz in range(1, JUZ_COUNT + 1):
        verses = VerseRange.juz(juz)
        spans.append((verses.start_ordinal, verses.end_ordinal))
    return spans


_JUZ_ORDINALS = tuple(_juz_ordinals())


def juz_read(ranges: Sequence[VerseRange]) -> float:
    """How many juz `ranges` make, each juz counted by the share of its verses read: a
    measure of length that does not depend on how long a surah's verses are."""
    total = 0.0
    for item in ranges:
        for start, end in _JUZ_ORDINALS:
            overlap = min(end, item.end_ordinal) - max(start, item.start_ordinal) + 1
            if overlap > 0:
                total += overlap / (end - start + 1)
    return total


def remember_credit(
    recent: Sequence[RecentCredit], request: ReadRequest, message: str, now: datetime
) -> list[RecentCredit]:
    """`recent` with this credit added and those past the window dropped."""
    kept = [credit for credit in recent if timedelta(0) <= now - credit.at <= REPEAT_WINDOW]
    kept.append(RecentCredit(reading_fingerprint(request), message, now))
    return kept[-MAX_REMEMBERED:]
