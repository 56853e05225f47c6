"""Logging reading without I/O: parsing /read, idempotency keys for credits, offer tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from babel.lists import format_list

from bot.domain.chapters import CHAPTER_COUNT, JUZ_COUNT
from bot.domain.goals import (
    DAY_SECONDS,
    GoalInputError,
    parse_duration_seconds,
)
from bot.domain.verse_parsing import parse_verse_ranges, split_leading_ranges
from bot.domain.verses import VerseRange, VerseRangeError, merge_ranges, readable_ranges
from bot.i18n import Translator

#: Quick-credit amounts offered for time goals on /today, in minutes.
QUICK_MINUTES: tuple[int, ...] = (5, 10, 15)
#: Keys longer than this are hashed; the column holds 255 characters.
_MAX_PLAIN_KEY = 120


def command_credit_key(chat_id: int, message_id: int) -> str:
    """/read messages: one credit per Telegram message, whatever happens to the update."""
    return f"read:msg:{chat_id}:{message_id}"


def plan_credit_key(day: date, ranges: Sequence[str]) -> str:
    """"I read it" on today's plan: the same remaining ranges are credited once per day."""
    joined = ",".join(sorted(ranges))
    if len(joined) > _MAX_PLAIN_KEY:
        joined = "h" + hashlib.sha256(joined.encode()).hexdigest()[:40]
    return f"read:plan:{day.isoformat()}:{joined}"


def page_credit_key(day: date, first: int, last: int) -> str:
    """Page buttons on /today: the same pages are credited once per day."""
    return f"read:pages:{day.isoformat()}:{first}-{last}"


def quick_time_key(token: str, seconds: int) -> str:
    """"+10 min" buttons: once per rendered keyboard (`token`) and amount."""
    return f"read:time:{token}:{seconds}"


#: What `new_offer_token` returns: 8 lowercase hex digits.
OFFER_TOKEN_PATTERN = r"[0-9a-f]{8}"  # noqa: S105 (a shape, not a secret)


def new_offer_token() -> str:
    """A short random id for one offer made with buttons (one rendering of the quick-credit
    buttons, one Undo): pressing an older offer's button can then be told apart."""
    return secrets.token_hex(4)


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


def plan_ranges(keys: Sequence[str] | None) -> list[VerseRange]:
    """API range keys as ranges (a plan's key may list several, comma-separated); a key this
    bot cannot read is skipped rather than shown raw."""
    return readable_ranges(part for key in keys or () for part in key.split(","))


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
