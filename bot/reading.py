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

from babel.lists import format_list

from bot.chapters import CHAPTER_COUNT, JUZ_COUNT
from bot.goals import (
    DAY_SECONDS,
    DAYS_PER_MONTH,
    MAX_DURATION_DAYS,
    GoalInputError,
    GoalSpec,
    GoalType,
    ascii_digits,
    describe_goal,
    format_duration,
    parse_duration_seconds,
    parse_goal_command,
    progress_bar,
)
from bot.i18n import Translator
from bot.mushafs import MUSHAF_IDS, MUSHAFS, mushaf_name, page_count
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
    readable_ranges,
    split_leading_ranges,
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


def format_day(day: date, t: Translator) -> str:
    """"Sunday 29 March" in the translator's language and digits."""
    return t.day(day, "EEEE d MMMM")


def format_short_day(day: date, t: Translator) -> str:
    """"Sun 29 Mar" for lists such as the first week of a goal, in the language's digits."""
    return t.day(day, "EEE d MMM")


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
# What /read was told

#: Signs a negative time starts with ("-5min"): the hyphen and the look-alikes people type.
_MINUS_SIGNS = frozenset("-‐‑‒–—―−")
#: What separates ranges in one /read ("2:1-7, 3:1-5", "mulk and 10").
_RANGE_SEPARATORS = re.compile(r"[,،;؛٬&]|\s(?:and|و)\s", re.IGNORECASE)
#: A number at the start of a piece of text, in any script's digits (`\d` is Unicode-aware).
_LEADING_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class ReadRequest:
    """What to credit: merged ranges and the seconds typed (None: estimate from the ranges)."""

    ranges: list[VerseRange]
    seconds: int | None


class ReadChoice(StrEnum):
    """What a bare number after /read turns out to mean (compact: it rides in callback data)."""

    SURAH = "s"
    JUZ = "j"
    MINUTES = "m"


@dataclass(frozen=True)
class BareNumber:
    """A number after /read with nothing saying what it counts: `/read 10` may be Surah 10,
    juz 10 or 10 minutes, and guessing would credit a whole surah to someone who read for ten
    minutes. `alone` when the number (and perhaps a time) is all that was typed, so picking one
    meaning says everything."""

    number: int
    seconds: int | None
    alone: bool

    def choices(self) -> list[ReadChoice]:
        found: list[ReadChoice] = []
        if 1 <= self.number <= CHAPTER_COUNT:
            found.append(ReadChoice.SURAH)
        if 1 <= self.number <= JUZ_COUNT:
            found.append(ReadChoice.JUZ)
        if self.seconds is None and 1 <= self.number * 60 <= DAY_SECONDS:
            found.append(ReadChoice.MINUTES)
        return found

    def describe_choice(self, choice: ReadChoice, t: Translator) -> str:
        number = t.number(self.number)
        if choice is ReadChoice.SURAH:
            return t.gettext("Surah {number}", number=number)
        if choice is ReadChoice.JUZ:
            return t.gettext("juz {number}", number=number)
        # In the user's own number ("67 minutes", not "1 hour and 7 minutes"): it is what they
        # typed, said back with its unit.
        return t.ngettext("{n} minute", "{n} minutes", self.number)

    def question(self, t: Translator) -> str:
        """"Did you mean Surah 10, juz 10, or 10 minutes? …" (assumes choices() is not empty)."""
        options = [self.describe_choice(choice, t) for choice in self.choices()]
        return t.gettext(
            "Did you mean {options}? I haven't credited anything yet.",
            options=format_list(options, style="or", locale=t.language),
        )

    def request(self, choice: ReadChoice) -> ReadRequest:
        """What to credit once the user said what the number meant. Raises ValueError for a
        meaning the number cannot have (a stale or forged button)."""
        if choice not in self.choices():
            raise ValueError(f"{self.number} cannot mean {choice}")
        if choice is ReadChoice.SURAH:
            return ReadRequest([VerseRange.whole_chapter(self.number)], self.seconds)
        if choice is ReadChoice.JUZ:
            return ReadRequest([VerseRange.juz(self.number)], self.seconds)
        return ReadRequest([], self.number * 60)


class ReadInputError(ValueError):
    """/read input that credits nothing; `describe` says why, `code` is for tests.

    Codes: verses (`cause` a VerseRangeError), time (`cause` a GoalInputError), negative_time,
    time_too_long, missing_unit (number), ambiguous_number (see AmbiguousNumber).
    """

    def __init__(
        self,
        code: str,
        *,
        cause: VerseRangeError | GoalInputError | None = None,
        number: str = "",
    ) -> None:
        super().__init__(code)
        self.code = code
        self.cause = cause
        self.number = number

    def describe(self, t: Translator) -> str:
        if self.code == "negative_time":
            return t.gettext(
                "The time can't be negative: send how long you read, for example 15min."
            )
        if self.code == "time_too_long":
            return t.gettext(
                "That's more than a day: send how long you read this time, for example 45min."
            )
        if self.code == "missing_unit":
            number = t.number(self.number)
            return t.gettext(
                "{number} what? Write the time with its unit, for example {number}min.",
                number=number,
            )
        if isinstance(self.cause, VerseRangeError):
            return self.cause.describe(t)
        if isinstance(self.cause, GoalInputError):
            return self.cause.describe(t)
        return t.gettext("I couldn't read that. Send the verses, the time, or both.")


class AmbiguousNumber(ReadInputError):
    """A bare number that could mean more than one thing: ask, credit nothing."""

    def __init__(self, bare: BareNumber) -> None:
        super().__init__("ambiguous_number")
        self.bare = bare

    def describe(self, t: Translator) -> str:
        return self.bare.question(t)


def parse_read_command(text: str) -> ReadRequest:
    """`2:1-2:40`, `2:1-2:40 15min`, `Al-Mulk`, `surah 10`, `juz 30`, `15min` → what to credit.

    A bare number (`10`, `١٠`, `10 15min`) raises AmbiguousNumber: without a colon, a name or
    "surah"/"juz" nothing says whether it is a surah, a juz or minutes. Everything else that
    credits nothing raises ReadInputError.
    """
    try:
        strict_ranges, strict_rest = split_leading_ranges(text, strict=True)
    except VerseRangeError as error:
        raise ReadInputError("verses", cause=error) from error
    try:
        ranges, rest = split_leading_ranges(text, strict=False)
    except VerseRangeError as error:
        # `/read 200` fails as a surah, but may well be 200 minutes.
        bare = _bare_number(strict_rest, None, has_ranges=bool(strict_ranges))
        if bare is not None and bare.choices():
            raise AmbiguousNumber(bare) from error
        raise ReadInputError("verses", cause=error) from error
    bare = _bare_number(strict_rest, rest, has_ranges=bool(strict_ranges))
    if bare is not None and bare.choices():
        raise AmbiguousNumber(bare)
    return ReadRequest(merge_ranges(ranges), _read_seconds(text, rest, has_ranges=bool(ranges)))


def _read_seconds(text: str, rest: str, *, has_ranges: bool) -> int | None:
    if not rest:
        return None
    if _is_negative(text, rest):
        raise ReadInputError("negative_time")
    if rest.isdecimal():
        raise ReadInputError("missing_unit", number=str(int(rest)))
    try:
        return parse_duration_seconds(rest)
    except GoalInputError as error:
        if error.code == "time_too_long":
            raise ReadInputError("time_too_long") from error
        if not has_ranges and error.code == "time_syntax":
            # Neither verses nor a time: the verse parser explains typos in names best.
            try:
                parse_verse_ranges(text)
            except VerseRangeError as range_error:
                raise ReadInputError("verses", cause=range_error) from range_error
        raise ReadInputError("time", cause=error) from error


def _is_negative(text: str, rest: str) -> bool:
    """"-5min" alone, or "2:1-7 -5min" (the range parser drops the joiner before the rest; a
    minus glued to the number and set apart from the verses is a sign, not a joiner)."""
    if rest[:1] in _MINUS_SIGNS and rest[1:2].isdecimal():
        return True
    body = text.rstrip()
    if not rest[:1].isdecimal() or not body.endswith(rest):
        return False
    before = body[: len(body) - len(rest)]
    return before[-1:] in _MINUS_SIGNS and (len(before) == 1 or before[-2].isspace())


def _bare_number(
    strict_rest: str, loose_rest: str | None, *, has_ranges: bool
) -> BareNumber | None:
    """The first number that only the lenient parse took as a surah, if any.

    The strict parse stops at anything that could be an ordinary word or number; what the
    lenient parse read beyond it (`loose_rest` is what it left; None when it failed) is either
    surah names (`Al-Mulk`: fine) or bare numbers (ambiguous).
    """
    if loose_rest is not None and strict_rest.endswith(loose_rest):
        taken = strict_rest[: len(strict_rest) - len(loose_rest)]
    else:
        taken = strict_rest
    for index, segment in enumerate(_RANGE_SEPARATORS.split(taken)):
        number = _leading_bare_number(segment.strip())
        if number is None:
            continue
        after = strict_rest.strip()[len(number):].strip() if index == 0 else "x"
        seconds = _duration_or_none(after) if after else None
        alone = not has_ranges and index == 0 and (not after or seconds is not None)
        return BareNumber(int(number), seconds if alone else None, alone)
    return None


def _leading_bare_number(segment: str) -> str | None:
    match = _LEADING_NUMBER.match(segment)
    if match is None or segment[match.end() : match.end() + 1].isalpha():
        return None
    if _duration_or_none(segment) is not None:
        return None  # "10 min" is a time
    try:
        if split_leading_ranges(segment, strict=True)[0]:
            return None  # "2:255", "2 ayah 255"
    except VerseRangeError:
        return None  # an invalid key ("2:0") is explained by the parse that follows
    return match.group()


def _duration_or_none(text: str) -> int | None:
    try:
        return parse_duration_seconds(text)
    except GoalInputError:
        return None


# ---------------------------------------------------------------------------------------------
# Saying it back


def _pages_number(pages: float, t: Translator) -> str:
    rounded = round(pages, 1)
    text = str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"
    return t.number(text)


def plan_ranges(keys: Sequence[str] | None) -> list[VerseRange]:
    """API range keys as ranges (a plan's key may list several, comma-separated); a key this
    bot cannot read is skipped rather than shown raw."""
    return readable_ranges(part for key in keys or () for part in key.split(","))


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


def parse_day_count(text: str) -> int:
    """`30`, `30 days`, `6 weeks`, `٣٠ يوما` → days. Raises GoalInputError."""
    folded = " ".join(ascii_digits(text).casefold().split())
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
    plain = ascii_digits(text).strip()
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
    plain = ascii_digits(text).strip()
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


def _fold_answer(text: str) -> str:
    """Lower case, ASCII digits, no Arabic diacritics or punctuation, single spaces."""
    text = unicodedata.normalize("NFKC", ascii_digits(text)).casefold()
    kept = "".join(
        ch if ch.isalnum() or ch.isspace() else " "
        for ch in text
        if not unicodedata.combining(ch)
    )
    return " ".join(kept.split())


_DAILY_ANSWERS = frozenset({
    "every day", "everyday", "daily", "each day", "every day with no end date", "no end",
    "يوميا", "كل يوم", "يومي",
})


def parse_schedule_answer(text: str) -> int | None:
    """A typed answer to "every day, or for a number of days?": None for every day, else the
    days (`30`, `6 weeks`). Raises GoalInputError ("syntax" when it is neither)."""
    if _fold_answer(text) in _DAILY_ANSWERS:
        return None
    return parse_day_count(text)


_KIND_WORDS: dict[GoalType, frozenset[str]] = {
    GoalType.QURAN_TIME: frozenset({
        "time", "minutes", "time each day", "وقت", "الوقت", "دقائق",
    }),
    GoalType.QURAN_PAGES: frozenset({
        "pages", "pages each day", "صفحات", "الصفحات",
    }),
    GoalType.QURAN_RANGE: frozenset({
        "verses", "range", "a stretch of verses", "stretch of verses", "ayat", "آيات", "ايات",
        "الآيات",
    }),
}


def parse_kind_answer(text: str) -> GoalType | None:
    """The goal-type step's typed answer ("time", "pages", "verses"), if it names one."""
    folded = _fold_answer(text)
    return next((kind for kind, words in _KIND_WORDS.items() if folded in words), None)


def parse_mushaf_answer(text: str, t: Translator) -> int | None:
    """The mushaf step's typed answer: its place in the list (`7`), its id, or enough of its
    name to tell it apart (`uthmani`, `indopak 16`). None when it names no single mushaf."""
    folded = _fold_answer(text)
    if folded.isdigit():
        number = int(folded)
        if number in MUSHAFS:
            return number
        if 1 <= number <= len(MUSHAF_IDS):
            return MUSHAF_IDS[number - 1]
        return None
    words = folded.split()
    if not words:
        return None
    matches = []
    for mushaf_id in MUSHAF_IDS:
        names = {_fold_answer(MUSHAFS[mushaf_id].name), _fold_answer(mushaf_name(mushaf_id, t))}
        if folded in names:
            return mushaf_id
        if any(all(word in name.split() for word in words) for name in names):
            matches.append(mushaf_id)
    return matches[0] if len(matches) == 1 else None
