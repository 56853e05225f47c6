"""Answers typed at the /goal wizard's steps, without I/O.

Each step asks one question (how many minutes, which verses, every day or for how long, which
kind of goal, which mushaf), so its answer can be read more loosely than a whole /goal
one-liner: a bare `15` at the time step means minutes. Anything that is a whole goal is read by
`bot.domain.goals.parse_goal_command`, which these parsers fall back on.
"""

from __future__ import annotations

import re
import unicodedata

from bot.domain.goals import (
    DAY_SECONDS,
    DAYS_PER_MONTH,
    MAX_DURATION_DAYS,
    GoalInputError,
    GoalSpec,
    GoalType,
    ascii_digits,
    parse_duration_seconds,
    parse_goal_command,
)
from bot.domain.mushafs import MUSHAF_IDS, MUSHAFS, mushaf_name, page_count
from bot.domain.verse_parsing import parse_verse_ranges
from bot.domain.verses import VerseRangeError, merge_ranges
from bot.i18n import Translator

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
