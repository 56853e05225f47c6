"""Keeping Quran.com's "continue reading" in step with what is credited here.

A credited reading also moves the user's reading session to the last verse read, so Quran.com
(and /today) can pick up where they stopped. The position is a nicety next to the credit: it
runs beside the follow-up reads (progress, streak) rather than after them, and a failure there
(no `reading_session` scope on an old link, QF briefly away) is logged and never spoils the
credit's reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import TypeVar

from bot.domain.reading_position import VersePosition, continue_from, stopped_at
from bot.domain.verses import VerseRange
from bot.qf import QFError
from bot.services.reader import Reader

logger = logging.getLogger(__name__)

T = TypeVar("T")


async def record_position(reader: Reader, ranges: Sequence[VerseRange]) -> VersePosition | None:
    """Move the reading session to the end of `ranges`; the position, or None if not recorded."""
    position = stopped_at(ranges)
    if position is None:
        return None
    try:
        await reader.session.record_reading_position(position.chapter, position.verse)
    except QFError as error:
        logger.info("reading position not recorded: %s %s", error.status, error.code)
        return None
    return position


async def beside_position(
    reader: Reader, ranges: Sequence[VerseRange], follow_up: Awaitable[T]
) -> T:
    """`follow_up` (what the reply needs after a credit) with the position recorded at the
    same time: one round trip's wait, not two. Only `follow_up`'s result is returned."""
    result, _ = await asyncio.gather(follow_up, record_position(reader, ranges))
    return result


async def continue_point(reader: Reader) -> VersePosition | None:
    """Where "continue reading" picks up (the verse after the latest session's), or None when
    there is no session or QF can't tell right now."""
    try:
        latest = await reader.session.latest_reading_position()
    except QFError as error:
        logger.info("reading position unavailable: %s %s", error.status, error.code)
        return None
    if latest is None:
        return None
    return continue_from(latest.chapter, latest.verse)
