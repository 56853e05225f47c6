"""Reading progress without Telegram: today's plan as text, crediting reading once, goal records.

Three things the /goal, /today, /read and /progress handlers share live here:

- **Crediting once.** QF has no idempotency keys and `POST /v1/activity-days` adds to the day's
  totals, so a retried request, a double-tapped button or a redelivered update could credit the
  same reading twice. Every credit first claims a key in `storage.ReadingCreditRepository`; the
  claim is released only when the upstream call *definitely* failed. After an ambiguous timeout
  the claim stays and the user is told it may already be credited.
- **The goal record.** QF has no list-goals endpoint, and the 2026-03-29 contract's today's plan
  has no `goalId`, so the id from create (with what the goal was) is kept in the user's persisted
  `user_data` as a `StoredGoal`. `goalId` (the goal) and the plan's `id` (today's activity-day
  record) are never swapped.
- **Saying it back.** Today's plan, streaks and credits as short HTML lines for messages.
"""

from __future__ import annotations

import hashlib
import html
import logging
import math
import re
import secrets
import unicodedata
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.goals import (
    DAY_SECONDS,
    DAYS_PER_MONTH,
    MAX_DURATION_DAYS,
    GoalInputError,
    GoalSpec,
    GoalType,
    describe_goal,
    format_duration,
    parse_duration_seconds,
    parse_goal_command,
    progress_bar,
)
from bot.i18n import Translator
from bot.mushafs import page_count
from bot.qf import (
    GoalInput,
    NotFound,
    QFConnectionError,
    QFError,
    QFTimeout,
    TodaysPlan,
    UserSession,
)
from bot.qf import GoalType as WireGoalType
from bot.verses import (
    VerseRange,
    VerseRangeError,
    format_ranges,
    merge_ranges,
    parse_verse_ranges,
)
from storage import ReadingCreditRepository

logger = logging.getLogger(__name__)

#: `user_data` key of the goal this bot created or last changed (survives restarts: persisted).
GOAL_KEY = "goal"
#: Quick-credit amounts offered for time goals on /today, in minutes.
QUICK_MINUTES: tuple[int, ...] = (5, 10, 15)
#: Keys longer than this are hashed; the column holds 255 characters.
_MAX_PLAIN_KEY = 120


# ---------------------------------------------------------------------------------------------
# Days


def local_today(now: datetime, timezone: str | None) -> date:
    """The user's calendar day at `now` (UTC when no timezone is known)."""
    zone = ZoneInfo(timezone) if timezone else ZoneInfo("UTC")
    return now.astimezone(zone).date()


def format_day(day: date, t: Translator) -> str:
    """"Sunday 29 March" in the translator's language."""
    return str(format_date(day, format="EEEE d MMMM", locale=t.language))


def format_short_day(day: date, t: Translator) -> str:
    """"Sun 29 Mar" for lists such as the first week of a goal."""
    return str(format_date(day, format="EEE d MMM", locale=t.language))


def compact_day(day: date) -> str:
    """`20260329`: a date inside callback data."""
    return day.strftime("%Y%m%d")


def parse_compact_day(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# The goal record kept in user_data


@dataclass(frozen=True)
class StoredGoal:
    """A goal as this bot set it: the id QF returned, what it was, and the day it started."""

    id: str | None
    spec: GoalSpec
    mushaf_id: int
    start: date | None = None

    def to_data(self) -> dict[str, Any]:
        """JSON-compatible, for the persisted `user_data`."""
        return {
            "id": self.id,
            "type": self.spec.type.value,
            "amount": self.spec.amount,
            "duration": self.spec.duration_days,
            "mushaf": self.mushaf_id,
            "start": self.start.isoformat() if self.start else None,
        }

    @classmethod
    def from_data(cls, data: Any) -> StoredGoal | None:
        """Tolerant of anything an older version stored: unreadable records count as none."""
        if not isinstance(data, Mapping):
            return None
        try:
            goal_type = GoalType(str(data["type"]))
            amount = data["amount"]
            if goal_type is GoalType.QURAN_RANGE:
                amount = VerseRange.from_key(str(amount)).key
            elif not isinstance(amount, int) or isinstance(amount, bool):
                return None
            duration = data.get("duration")
            if duration is not None and (not isinstance(duration, int) or duration < 1):
                return None
            start_text = data.get("start")
            start = date.fromisoformat(start_text) if isinstance(start_text, str) else None
            goal_id = data.get("id")
            return cls(
                id=str(goal_id) if goal_id else None,
                spec=GoalSpec(goal_type, amount, duration),
                mushaf_id=int(data["mushaf"]),
                start=start,
            )
        except (KeyError, ValueError, TypeError, VerseRangeError):
            return None

    def days_left(self, today: date) -> int | None:
        """Days still to go, today included, for a goal with an end; None for daily goals."""
        if self.spec.duration_days is None or self.start is None:
            return None
        elapsed = (today - self.start).days
        return max(self.spec.duration_days - max(elapsed, 0), 0)


def stored_goal(user_data: Mapping[str, Any] | None) -> StoredGoal | None:
    if not user_data:
        return None
    return StoredGoal.from_data(user_data.get(GOAL_KEY))


def remember_goal(user_data: MutableMapping[str, Any], goal: StoredGoal | None) -> None:
    if goal is None:
        user_data.pop(GOAL_KEY, None)
    else:
        user_data[GOAL_KEY] = goal.to_data()


@dataclass(frozen=True)
class CurrentGoal:
    """The user's goal as far as the bot can tell: its id for PUT/DELETE (never the plan's
    activity-day `id`), our record of it when we made it, and today's plan."""

    goal_id: str | None
    known: StoredGoal | None
    plan: TodaysPlan | None = None

    @property
    def can_change(self) -> bool:
        return self.goal_id is not None


async def find_current_goal(
    session: UserSession, mushaf_id: int, stored: StoredGoal | None
) -> CurrentGoal | None:
    """The active goal from today's plan (trying the three Quran types), or None.

    Production plans carry `goalId`; the 2026-03-29 contract's do not, and then the id we kept
    from create is used if our record has the same type.
    """
    plan = await session.find_todays_plan(mushaf_id)
    if plan is None:
        return None
    known: StoredGoal | None = None
    if stored is not None:
        same_goal = (
            stored.id == plan.goal_id
            if plan.goal_id
            else plan.goal_type is not None and stored.spec.type.value == plan.goal_type.value
        )
        known = stored if same_goal else None
    goal_id = plan.goal_id or (known.id if known else None)
    return CurrentGoal(goal_id=goal_id, known=known, plan=plan)


def goal_input(spec: GoalSpec) -> GoalInput:
    return GoalInput(
        type=WireGoalType(spec.type.value), amount=spec.api_amount, duration=spec.duration_days
    )


async def apply_goal(
    session: UserSession,
    spec: GoalSpec,
    mushaf_id: int,
    current: CurrentGoal | None,
    *,
    today: date | None,
) -> StoredGoal:
    """Make `spec` the user's goal, replacing `current` rather than adding a second one.

    PUT changes a goal in place, but it cannot take a goal's end date away (`duration` must be
    ≥ 1 and leaving it out keeps the old one). So turning a goal that has (or may have) an end
    into an open-ended daily goal deletes the old goal and creates the new one. A delete that
    finds nothing (already gone) is fine: retrying after a failed create is then safe.
    """
    body = goal_input(spec)
    if current is None or current.goal_id is None:
        goal_id = await session.create_goal(body, mushaf_id)
        return StoredGoal(goal_id, spec, mushaf_id, today)
    previous_open_ended = current.known is not None and current.known.spec.duration_days is None
    if spec.duration_days is not None or previous_open_ended:
        await session.update_goal(current.goal_id, body, mushaf_id)
        # A PUT with a duration restarts the count of days; a daily goal has none to count.
        return StoredGoal(current.goal_id, spec, mushaf_id, today)
    try:
        await session.delete_goal(current.goal_id)
    except NotFound:
        logger.info("goal to replace was already gone; creating the new one")
    goal_id = await session.create_goal(body, mushaf_id)
    return StoredGoal(goal_id, spec, mushaf_id, today)


def plan_goal_type(plan: TodaysPlan) -> GoalType | None:
    kind = plan.goal_type.value if plan.goal_type else plan.type
    try:
        return GoalType(str(kind))
    except ValueError:
        return None


def describe_current_goal(current: CurrentGoal, t: Translator) -> str:
    """Our own description when we made the goal, else what today's plan reveals."""
    if current.known is not None:
        return describe_goal(current.known.spec, t)
    plan = current.plan
    kind = plan_goal_type(plan) if plan else None
    if plan is not None and kind is GoalType.QURAN_TIME and plan.daily_target_seconds:
        return t.gettext(
            "{amount} a day", amount=format_duration(int(plan.daily_target_seconds), t)
        )
    if plan is not None and kind is GoalType.QURAN_PAGES and plan.daily_target_pages:
        pages = _pages_number(plan.daily_target_pages, t)
        return t.gettext("{pages} pages a day", pages=pages)
    if kind is GoalType.QURAN_RANGE:
        return t.gettext("A verse-range goal set on Quran.com")
    return t.gettext("A goal set on Quran.com")


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


def command_credit_key(chat_id: int, message_id: int) -> str:
    """/read messages: one credit per Telegram message, whatever happens to the update."""
    return f"read:msg:{chat_id}:{message_id}"


def plan_credit_key(day: date, ranges: Sequence[str]) -> str:
    """"I read it" on today's plan: the same remaining ranges are credited once per day."""
    joined = ",".join(sorted(ranges))
    if len(joined) > _MAX_PLAIN_KEY:
        joined = "h" + hashlib.sha256(joined.encode()).hexdigest()[:40]
    return f"read:plan:{day.isoformat()}:{joined}"


def quick_time_key(token: str, seconds: int) -> str:
    """"+10 min" buttons: once per rendered keyboard (`token`) and amount."""
    return f"read:time:{token}:{seconds}"


def new_offer_token() -> str:
    """A short random id for one rendering of the quick-credit buttons (fits callback data)."""
    return secrets.token_hex(4)


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
# Saying it back


def _pages_number(pages: float, t: Translator) -> str:
    rounded = round(pages, 1)
    text = str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"
    return t.number(text)


def plan_ranges(keys: Sequence[str] | None) -> list[VerseRange]:
    """API range keys as ranges; a key this bot cannot read is skipped rather than shown raw."""
    ranges: list[VerseRange] = []
    for key in keys or ():
        for part in key.split(","):
            try:
                ranges.append(VerseRange.from_key(part))
            except VerseRangeError:
                logger.info("skipping an unreadable range key from today's plan")
    return ranges


def linked_ranges(ranges: Sequence[VerseRange], t: Translator) -> str:
    """Ranges as links to Quran.com, e.g. `<a href="https://quran.com/2/1-40">2:1–40</a>`."""
    links = [
        f'<a href="{html.escape(item.quran_url)}">'
        f"{t.isolate(html.escape(item.display(t.language)))}</a>"
        for item in ranges
    ]
    return ("، " if t.language == "ar" else ", ").join(links)


def rough_duration(seconds: int, t: Translator) -> str:
    """Reading time to the minute ("21 minutes"); seconds only for under a minute."""
    if seconds >= 60:
        seconds = round(seconds / 60) * 60
    return format_duration(seconds, t)


def streak_line(days: int, t: Translator) -> str:
    if days <= 0:
        return t.gettext("🔥 No streak yet: read today to start one.")
    return t.ngettext("🔥 Streak: {n} day", "🔥 Streak: {n} days", days)


def credit_summary(ranges: Sequence[VerseRange], seconds: int, t: Translator) -> str:
    """"2:1–40 (4 minutes)" or just "15 minutes" for time without verses."""
    duration = rough_duration(seconds, t)
    if not ranges:
        return duration
    return t.gettext(
        "{ranges} ({duration})",
        ranges=t.isolate(html.escape(format_ranges(ranges, t.language))),
        duration=duration,
    )


def _target_line(plan: TodaysPlan, kind: GoalType | None, t: Translator) -> str | None:
    if kind is GoalType.QURAN_TIME and plan.daily_target_seconds:
        return t.gettext(
            "Today's target: {amount}", amount=format_duration(int(plan.daily_target_seconds), t)
        )
    if kind is GoalType.QURAN_PAGES and plan.daily_target_pages:
        return t.gettext(
            "Today's target: {pages} pages", pages=_pages_number(plan.daily_target_pages, t)
        )
    targets = plan_ranges(plan.daily_target_ranges)
    if targets:
        return t.gettext("Today's target: {ranges}", ranges=linked_ranges(targets, t))
    return None


def _read_line(plan: TodaysPlan, t: Translator) -> str:
    seconds = int(plan.seconds_read or 0)
    verses = int(plan.verses_read or 0)
    if seconds <= 0 and verses <= 0:
        return t.gettext("Nothing read yet today.")
    parts = [rough_duration(seconds, t)] if seconds > 0 else []
    if verses > 0:
        parts.append(t.ngettext("{n} verse", "{n} verses", verses))
    if plan.pages_read:
        parts.append(
            t.gettext("{pages} pages", pages=_pages_number(float(plan.pages_read), t))
        )
    return t.gettext("Read so far: {summary}", summary=" · ".join(parts))


def _remaining_line(plan: TodaysPlan, kind: GoalType | None, t: Translator) -> str | None:
    remaining = plan_ranges(plan.remaining_daily_target_ranges)
    if remaining:
        return t.gettext("Still to read: {ranges}", ranges=linked_ranges(remaining, t))
    if kind is GoalType.QURAN_TIME and plan.daily_target_seconds:
        left = int(plan.daily_target_seconds) - int(plan.seconds_read or 0)
        if left > 0:
            return t.gettext("Still to read: {amount}", amount=rough_duration(left, t))
    if kind is GoalType.QURAN_PAGES and plan.daily_target_pages:
        left_pages = float(plan.daily_target_pages) - float(plan.pages_read or 0)
        if left_pages > 0:
            return t.gettext(
                "Still to read: about {pages} pages",
                pages=_pages_number(math.ceil(left_pages * 10) / 10, t),
            )
    return None


def plan_is_done(plan: TodaysPlan) -> bool:
    return (plan.progress or 0.0) >= 1.0


def format_today(
    plan: TodaysPlan,
    t: Translator,
    *,
    goal_text: str,
    day: date | None,
    days_left: int | None = None,
) -> str:
    """/today: heading, goal, progress bar, what was read, the target and what is left."""
    heading = t.gettext("<b>Today's plan</b>")
    if day is not None:
        heading = t.gettext("<b>Today's plan</b> · {day}", day=format_day(day, t))
    kind = plan_goal_type(plan)
    lines = [
        heading,
        t.gettext("🎯 {goal}", goal=goal_text),
        progress_bar(plan.progress or 0.0, t=t),
        _read_line(plan, t),
    ]
    target = _target_line(plan, kind, t)
    if target:
        lines.append(target)
    if plan_is_done(plan):
        lines.append(t.gettext("✅ Today's goal is done. May Allah accept it from you."))
    else:
        remaining = _remaining_line(plan, kind, t)
        if remaining:
            lines.append(remaining)
    if days_left is not None:
        lines.append(t.ngettext("⏳ {n} day left", "⏳ {n} days left", days_left))
    return "\n".join(lines)


@dataclass(frozen=True)
class MonthSummary:
    """The last days of activity in numbers, for the text beside the chart."""

    reading_days: int
    seconds: int


def summarise_activity(seconds_by_day: Mapping[date, int]) -> MonthSummary:
    return MonthSummary(
        reading_days=sum(1 for seconds in seconds_by_day.values() if seconds > 0),
        seconds=sum(max(seconds, 0) for seconds in seconds_by_day.values()),
    )


def format_progress(
    t: Translator,
    *,
    streak_days: int,
    goal_text: str | None,
    plan: TodaysPlan | None,
    days_left: int | None,
    month: MonthSummary,
    span_days: int,
) -> str:
    """/progress: streak, goal and today's share of it, days left, and the period in numbers."""
    lines = [t.gettext("<b>Your progress</b>"), streak_line(streak_days, t)]
    if goal_text is None:
        lines.append(t.gettext("🎯 No goal yet: set one with /goal."))
    else:
        lines.append(t.gettext("🎯 {goal}", goal=goal_text))
        if plan is not None:
            lines.append(
                t.gettext("Today: {bar}", bar=progress_bar(plan.progress or 0.0, t=t))
            )
        if days_left is not None:
            lines.append(t.ngettext("⏳ {n} day left", "⏳ {n} days left", days_left))
    if month.reading_days:
        lines.append(
            t.ngettext(
                "Last {days} days: read on {n} day, {time} in all.",
                "Last {days} days: read on {n} days, {time} in all.",
                month.reading_days,
                days=t.number(span_days),
                time=rough_duration(month.seconds, t),
            )
        )
    else:
        lines.append(
            t.gettext("No reading logged in the last {days} days.", days=t.number(span_days))
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Goal wizard answers (typed steps)

_DAY_COUNT = re.compile(
    r"^(\d+)\s*(d|days?|w|weeks?|months?|يوم|يوما|أيام|ايام|أسبوع|اسبوع|أسابيع|شهر|أشهر|شهور)?$"
)
_DAYS_PER_UNIT = {"w": 7, "week": 7, "weeks": 7, "أسبوع": 7, "اسبوع": 7, "أسابيع": 7,
                  "month": DAYS_PER_MONTH, "months": DAYS_PER_MONTH, "شهر": DAYS_PER_MONTH,
                  "أشهر": DAYS_PER_MONTH, "شهور": DAYS_PER_MONTH}


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def parse_day_count(text: str) -> int:
    """`30`, `30 days`, `6 weeks`, `٣٠ يوما` → days. Raises GoalInputError."""
    folded = " ".join(_ascii_digits(text).casefold().split())
    match = _DAY_COUNT.match(folded)
    if match is None:
        raise GoalInputError("syntax", text=text.strip()[:40])
    days = int(match.group(1)) * _DAYS_PER_UNIT.get(match.group(2) or "", 1)
    if days <= 0:
        raise GoalInputError("duration_zero")
    if days > MAX_DURATION_DAYS:
        raise GoalInputError("duration_too_long", limit=MAX_DURATION_DAYS)
    return days


def parse_minutes_answer(text: str) -> int:
    """The time step's answer in seconds: a bare number means minutes (`15`), else any
    duration /goal understands (`15min`, `1h30`). Raises GoalInputError."""
    plain = _ascii_digits(text).strip()
    if plain.isdigit():
        seconds = int(plain) * 60
        if seconds <= 0:
            raise GoalInputError("time_zero")
        if seconds > DAY_SECONDS:
            raise GoalInputError("time_too_long")
        return seconds
    return parse_duration_seconds(text)


def parse_pages_answer(text: str, mushaf_id: int) -> int:
    """The pages step's answer (`20`, `20 pages`, `1 juz`), valid for the mushaf."""
    plain = _ascii_digits(text).strip()
    if plain.isdigit():
        pages = int(plain)
        if pages <= 0:
            raise GoalInputError("pages_zero")
        if pages > page_count(mushaf_id):
            raise GoalInputError("pages_too_many", pages=pages, page_count=page_count(mushaf_id))
        return pages
    spec = parse_goal_command(text, mushaf_id=mushaf_id)
    if spec.type is not GoalType.QURAN_PAGES:
        raise GoalInputError("syntax", text=text.strip()[:40])
    return int(spec.amount)


def parse_range_answer(text: str) -> GoalSpec:
    """The verses step's answer: one range (`2:1-2:286`, `Al-Mulk`, `juz 30`, `khatm`),
    optionally with its days (`2:1-2:286 in 30 days`). Raises GoalInputError."""
    try:
        spec = parse_goal_command(text)
    except GoalInputError as error:
        if error.code in ("range", "range_multiple", "duration_zero", "duration_too_long"):
            raise
        spec = None
    if spec is not None and spec.type is GoalType.QURAN_RANGE:
        return spec
    try:
        ranges = merge_ranges(parse_verse_ranges(text))
    except VerseRangeError as error:
        raise GoalInputError("range", cause=error) from error
    if len(ranges) != 1:
        raise GoalInputError("range_multiple")
    return GoalSpec(GoalType.QURAN_RANGE, ranges[0].key)
