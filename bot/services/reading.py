"""Reading on Quran.com: crediting what people read exactly once, and the numbers they see
after it (today's progress, the streak, the last weeks of activity).

QF has no idempotency keys and `POST /v1/activity-days` adds to the day's totals, so a retried
request, a double-tapped button or a redelivered update could credit the same reading twice.
Every credit first claims a key in `storage.ReadingCreditRepository`; the claim is released only
when the upstream call *definitely* failed. After an ambiguous timeout the claim stays and the
user is told it may already be credited.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.credit_checks import (
    CreditConcern,
    RecentCredit,
    concern_about,
    remember_credit,
)
from bot.domain.pages import page_map
from bot.domain.reading import (
    ReadRequest,
    command_credit_key,
    page_credit_key,
    plan_credit_key,
    plan_ranges,
    quick_time_key,
)
from bot.domain.verses import VerseRange
from bot.qf import (
    ActivityDay,
    QFConnectionError,
    QFError,
    QFTimeout,
    UserSession,
)
from bot.services.goals import CurrentGoal, current_goal, goal_day
from bot.services.reader import Reader
from storage import ReadingCreditRepository

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Crediting reading once


class CreditOutcome(StrEnum):
    CREDITED = "credited"
    #: The key was claimed before: this reading was credited (or is being credited) already.
    DUPLICATE = "duplicate"
    #: No answer in time after the request may have arrived: it may or may not be credited.
    UNCERTAIN = "uncertain"
    #: Definitely not credited; the claim was released so the user can try again.
    FAILED = "failed"


@dataclass(frozen=True)
class CreditResult:
    outcome: CreditOutcome
    seconds: int = 0
    error: QFError | None = None


async def credit_once(
    credits: ReadingCreditRepository,
    session: UserSession,
    user_id: int,
    key: str,
    *,
    ranges: Sequence[str],
    seconds: int | None,
    mushaf_id: int,
) -> CreditResult:
    """Credit `ranges` (and `seconds`, estimated from the ranges when None) at most once per key.

    The claim is released only for failures that prove nothing was recorded (an error answer,
    a connection that never reached QF, or a failed estimate before anything was sent).
    """
    if not await credits.claim(user_id, key):
        return CreditResult(CreditOutcome.DUPLICATE)
    try:
        if seconds is None:
            seconds = await session.estimate_reading_time(ranges) if ranges else 0
        seconds = max(int(seconds), 1)
        await session.add_activity_day(ranges, seconds, mushaf_id)
    except (QFTimeout, QFConnectionError) as error:
        if error.ambiguous:
            logger.warning("reading credit %s: no answer, keeping the claim", key)
            return CreditResult(CreditOutcome.UNCERTAIN, error=error)
        await credits.release(user_id, key)
        return CreditResult(CreditOutcome.FAILED, error=error)
    except QFError as error:
        await credits.release(user_id, key)
        return CreditResult(CreditOutcome.FAILED, error=error)
    return CreditResult(CreditOutcome.CREDITED, seconds=seconds)


# ---------------------------------------------------------------------------------------------
# The ways reading is credited: a /read message, "I read it" on today's plan, "+10 min"


async def credit_read(
    reader: Reader, request: ReadRequest, *, chat_id: int, message_id: int
) -> CreditResult:
    """What one /read message asked for, once per message whichever way it was asked (typed,
    retried, or a meaning picked for a bare number)."""
    return await credit_once(
        reader.deps.credits,
        reader.session,
        reader.user_id,
        command_credit_key(chat_id, message_id),
        ranges=[item.key for item in request.ranges],
        seconds=request.seconds,
        mushaf_id=reader.mushaf_id,
    )


#: user_data key of the /read credits of the last minutes (see `bot.domain.credit_checks`);
#: persisted, so a repeat is caught after a restart and from another device too.
RECENT_KEY = "read_recent"


def _recent(user_data: Mapping[str, Any] | None) -> list[RecentCredit]:
    stored = (user_data or {}).get(RECENT_KEY)
    if not isinstance(stored, list):
        return []
    return [credit for item in stored if (credit := RecentCredit.from_data(item)) is not None]


def read_concern(
    reader: Reader, request: ReadRequest, user_data: Mapping[str, Any] | None,
    *, chat_id: int, message_id: int,
) -> CreditConcern | None:
    """Whether to ask before crediting this /read: a repeat of one credited in the last few
    minutes, or far beyond a day's reading. Credits cannot be taken back, so asking is cheap."""
    return concern_about(
        request, command_credit_key(chat_id, message_id), _recent(user_data), reader.deps.clock()
    )


def note_read_credited(
    reader: Reader, request: ReadRequest, user_data: MutableMapping[str, Any] | None,
    *, chat_id: int, message_id: int,
) -> None:
    """Remember a credited /read for a while, so that sending it again is asked about."""
    if user_data is None:
        return
    recent = remember_credit(
        _recent(user_data), request, command_credit_key(chat_id, message_id),
        reader.deps.clock(),
    )
    user_data[RECENT_KEY] = [credit.to_data() for credit in recent]


def plan_version(keys: Sequence[str]) -> str:
    """A short fingerprint of the remaining ranges a "✅ I read it" showed: pressed after they
    changed (another goal, reading logged elsewhere), it credits nothing and shows the plan as
    it is now, so it never credits verses the person was not shown."""
    return hashlib.sha256(",".join(keys).encode("utf-8")).hexdigest()[:8]


class PlanCheck(StrEnum):
    """Whether today's plan still matched the "I read it" that was pressed."""

    CREDITED = "credited"
    #: The plan still asks for something, but not what the button showed.
    CHANGED = "changed"
    #: The button was offered on another day's plan (or there is no plan now).
    OTHER_DAY = "other_day"
    #: Today's plan asks for nothing more.
    NOTHING_LEFT = "nothing_left"


@dataclass(frozen=True)
class RestOfPlan:
    """What "I read it" did: the ranges it credited and how the credit went."""

    check: PlanCheck
    ranges: list[VerseRange] = field(default_factory=list)
    result: CreditResult | None = None


async def credit_rest_of_plan(
    reader: Reader, offered_day: date, shown: str, user_data: Mapping[str, Any] | None
) -> RestOfPlan:
    """"I read it": credit what today's plan still asks for, read fresh now, only if it is
    what the button showed (`shown`, see `plan_version`), once per day and set of ranges.
    Raises QFError reading the plan."""
    current = await current_goal(reader, user_data)
    plan = current.plan if current else None
    if plan is None or plan.date is None or offered_day != plan.date:
        return RestOfPlan(PlanCheck.OTHER_DAY)
    remaining = plan_ranges(plan.remaining_daily_target_ranges)
    if not remaining:
        return RestOfPlan(PlanCheck.NOTHING_LEFT)
    keys = [item.key for item in remaining]
    if plan_version(keys) != shown:
        return RestOfPlan(PlanCheck.CHANGED)
    result = await credit_once(
        reader.deps.credits, reader.session, reader.user_id, plan_credit_key(plan.date, keys),
        ranges=keys, seconds=None, mushaf_id=reader.mushaf_id,
    )
    return RestOfPlan(PlanCheck.CREDITED, remaining, result)


async def credit_quick_time(reader: Reader, token: str, seconds: int) -> CreditResult:
    """"+10 min" for time goals, once per rendered keyboard (`token`) and amount.

    Activity days take `ranges` as a required array with no minimum length in every contract,
    so time read without verses is sent with `ranges: []`, the shape QF records as manually
    added seconds (`manuallyAddedSeconds`).
    """
    return await credit_once(
        reader.deps.credits, reader.session, reader.user_id, quick_time_key(token, seconds),
        ranges=[], seconds=seconds, mushaf_id=reader.mushaf_id,
    )


async def credit_pages(reader: Reader, day: date, first: int, last: int) -> CreditResult:
    """A page button on /today: exactly the pages it showed, once per day and pages.
    Raises ValueError when the reader's mushaf has no page map (or the pages are not in it)."""
    pages = page_map(reader.mushaf_id)
    if pages is None or not 1 <= first <= last <= pages.page_count:
        raise ValueError(f"pages {first}-{last} can't be credited in mushaf {reader.mushaf_id}")
    verses = pages.verses(first, last)
    return await credit_once(
        reader.deps.credits, reader.session, reader.user_id, page_credit_key(day, first, last),
        ranges=[verses.key], seconds=None, mushaf_id=reader.mushaf_id,
    )


# ---------------------------------------------------------------------------------------------
# Where the reader stopped: "/read 2 pages" carries on from the last verse credited here.

#: `user_data` key (persisted) of the last verse credited, "chapter:verse".
LAST_READ_KEY = "read_last_verse"


def last_read(user_data: Mapping[str, Any] | None) -> tuple[int, int] | None:
    """The last verse this user credited through the bot, None before the first."""
    stored = (user_data or {}).get(LAST_READ_KEY)
    if not isinstance(stored, str):
        return None
    try:
        verse = VerseRange.from_key(stored)
    except ValueError:
        return None
    return verse.start_chapter, verse.start_verse


def remember_last_read(
    user_data: MutableMapping[str, Any] | None, ranges: Sequence[VerseRange]
) -> None:
    """After a credit: the furthest verse it covered is where the next "2 pages" starts."""
    if user_data is None or not ranges:
        return
    furthest = max(ranges, key=lambda item: item.end_ordinal)
    user_data[LAST_READ_KEY] = furthest.end_key


# ---------------------------------------------------------------------------------------------
# Where the reader stands


@dataclass(frozen=True)
class AfterCredit:
    """Today's progress (None without a plan) and the streak, said after a credit."""

    progress: float | None
    streak_days: int


async def standing_after_credit(
    reader: Reader, user_data: Mapping[str, Any] | None
) -> AfterCredit | None:
    """Progress and streak after a credit; None (not an error) if QF can't tell right now."""
    try:
        # Side by side: the user waits for one round trip after the credit, not two.
        current, streak = await asyncio.gather(
            current_goal(reader, user_data), reader.session.current_streak_days()
        )
    except QFError as error:
        logger.info("progress after a credit unavailable: %s", error)
        return None
    plan = current.plan if current is not None else None
    return AfterCredit((plan.progress or 0.0) if plan is not None else None, streak)


async def streak_or_none(reader: Reader) -> int | None:
    """The current streak, or None when QF can't tell right now (it is only a nicety)."""
    try:
        return await reader.session.current_streak_days()
    except QFError:
        return None


@dataclass(frozen=True)
class Progress:
    """What /progress shows: the streak, the goal and its plan, and the days of activity."""

    streak_days: int
    current: CurrentGoal | None
    today: date
    days: list[ActivityDay]


async def load_progress(
    reader: Reader, user_data: Mapping[str, Any] | None, *, span_days: int
) -> Progress:
    """The streak, the current goal and the `span_days` days of activity up to today (the
    plan's day when there is one: Quran.com's own). Raises QFError."""
    streak, current = await asyncio.gather(
        reader.session.current_streak_days(), current_goal(reader, user_data)
    )
    today = goal_day(reader, current)
    days = await reader.session.list_activity_days(today - timedelta(days=span_days - 1), today)
    return Progress(streak, current, today, days)
