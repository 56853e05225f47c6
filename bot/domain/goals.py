"""Reading goals without I/O: goal specs, presets, and parsing /goal's one-liners.

The answers typed at the wizard's single steps are read by `bot.domain.goal_answers`, which
builds on the parsers here.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.mushafs import (
    DEFAULT_MUSHAF_ID,
    page_count,
    pages_per_juz,
)
from bot.domain.verse_parsing import parse_verse_ranges
from bot.domain.verses import VerseRange, VerseRangeError, merge_ranges
from bot.i18n import N_, Translator

DAY_SECONDS = 24 * 60 * 60
MAX_DURATION_DAYS = 3650
DEFAULT_KHATM_DAYS = 30
#: Months in goal durations ("in 2 months") count as 30 days, like Quran.com's 30-day khatm.
DAYS_PER_MONTH = 30


class GoalType(StrEnum):
    QURAN_TIME = "QURAN_TIME"
    QURAN_PAGES = "QURAN_PAGES"
    QURAN_RANGE = "QURAN_RANGE"


@dataclass(frozen=True)
class GoalSpec:
    """One goal. `amount` is seconds (time), pages (pages) or a "c:v-c:v" key (range);
    `duration_days` None means an open-ended daily goal, a number "finish within N days"."""

    type: GoalType
    amount: int | str
    duration_days: int | None = None

    @property
    def api_amount(self) -> int | str:
        """`amount` exactly as `POST /v1/goals` takes it."""
        if self.type is GoalType.QURAN_RANGE:
            return VerseRange.from_key(str(self.amount)).key
        return int(self.amount)

    @property
    def is_daily(self) -> bool:
        return self.duration_days is None

    @property
    def verse_range(self) -> VerseRange | None:
        if self.type is not GoalType.QURAN_RANGE:
            return None
        return VerseRange.from_key(str(self.amount))


class GoalInputError(ValueError):
    """/goal input that does not make a goal. `code` for handlers and tests, `describe` for users.

    Codes: empty, syntax (text), missing_unit (number), time_syntax (text), time_twice,
    time_zero, time_too_long, pages_zero, pages_too_many (pages, page_count), duration_zero,
    duration_too_long (limit), range_multiple, range (`cause` holds the VerseRangeError),
    weekly (a goal for one day of the week).
    """

    def __init__(
        self, code: str, *, cause: VerseRangeError | None = None, **params: int | str
    ) -> None:
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params: dict[str, int | str] = params
        self.cause = cause

    def describe(self, t: Translator) -> str:
        p = self.params
        if self.code == "range" and self.cause is not None:
            return self.cause.describe(t)
        if self.code == "empty":
            return t.gettext(
                "Tell me the goal, for example 15min, 2 pages, 1 juz, khatm in 30 days or mulk."
            )
        if self.code == "missing_unit":
            number = t.number(p.get("number", ""))
            return t.gettext(
                "{number} what? Write for example {number} min or {number} pages.", number=number
            )
        if self.code == "time_syntax":
            return t.gettext(
                "I couldn't read “{text}” as a length of time. Try 15min, 1h or 1 hour 30 min.",
                text=html.escape(str(p.get("text", ""))),
            )
        if self.code == "time_twice":
            return t.gettext("Say the time once, for example 15min or 1h30.")
        if self.code == "time_zero":
            return t.gettext("The time has to be more than zero.")
        if self.code == "time_too_long":
            return t.gettext("A day has only 24 hours; choose less time per day.")
        if self.code == "pages_zero":
            return t.gettext("Choose at least one page.")
        if self.code == "pages_too_many":
            return t.gettext(
                "Your mushaf has {count} pages; choose at most that many a day.",
                count=t.number(p.get("page_count", "")),
            )
        if self.code == "weekly":
            return t.gettext(
                "Quran.com goals count every day, so a goal can't be for one day of the week. "
                "For Surah Al-Kahf on Fridays, set a Friday reminder, e.g. "
                "<code>/remind 10:00 fri</code>, and log it with <code>/read kahf</code>; or "
                "make it a daily goal with <code>/goal kahf</code>."
            )
        if self.code == "duration_zero":
            return t.gettext("The number of days has to be at least 1.")
        if self.code == "duration_too_long":
            return t.gettext(
                "Choose at most {limit} days (about ten years).",
                limit=t.number(p.get("limit", MAX_DURATION_DAYS)),
            )
        if self.code == "range_multiple":
            return t.gettext(
                "A goal covers one stretch of verses; send a single range such as 1:1-114:6."
            )
        return t.gettext(
            "I couldn't read “{text}” as a goal. Try 15min, 1 hour 30 min, 2 pages, 1 juz, "
            "khatm in 60 days, mulk or 2:1-2:286 in 30 days.",
            text=html.escape(str(p.get("text", ""))),
        )


@dataclass(frozen=True)
class GoalPreset:
    """A one-tap goal. `label` is English marked for translation: show `t.gettext(label)`."""

    key: str
    label: str
    spec: GoalSpec


def goal_presets(mushaf_id: int = DEFAULT_MUSHAF_ID) -> tuple[GoalPreset, ...]:
    """Quran.com's suggested goals.

    "One juz a day" is a page goal of one juz's worth of pages (20 in the 604-page mushafs):
    a daily *range* goal would repeat the same juz every day, and a page goal follows the user
    through the mushaf the way Quran.com's own page goals do.
    """
    return (
        GoalPreset("time10", N_("10 minutes a day"), GoalSpec(GoalType.QURAN_TIME, 600)),
        GoalPreset(
            "khatm30",
            N_("Khatm in 30 days"),
            GoalSpec(GoalType.QURAN_RANGE, VerseRange.whole_quran().key, DEFAULT_KHATM_DAYS),
        ),
        GoalPreset(
            "juz", N_("One juz a day"), GoalSpec(GoalType.QURAN_PAGES, pages_per_juz(mushaf_id))
        ),
        GoalPreset(
            "mulk",
            N_("Surah Al-Mulk every day"),
            GoalSpec(GoalType.QURAN_RANGE, VerseRange.whole_chapter(67).key),
        ),
    )


def preset_by_key(key: str, mushaf_id: int = DEFAULT_MUSHAF_ID) -> GoalPreset | None:
    return next((preset for preset in goal_presets(mushaf_id) if preset.key == key), None)


# ---------------------------------------------------------------------------------------------
# Parsing

_ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None, "٫": ".", "٬": ","}
)


def ascii_digits(text: str) -> str:
    """`٣٠` → `30`: any script's decimal digits as ASCII, so one pattern reads them all."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def _fold(text: str) -> str:
    """Lower case, ASCII digits, one spelling per Arabic letter, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = ascii_digits("".join(ch for ch in text if not unicodedata.combining(ch)))
    text = text.casefold().translate(_ARABIC_FOLD)
    return " ".join(text.split())


_SECONDS_PER_UNIT: dict[str, int] = {
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "ساعه", "ساعات", "س"), 3600),
    **dict.fromkeys(
        ("m", "min", "mins", "minute", "minutes", "دقيقه", "دقائق", "دقايق", "د"), 60
    ),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds", "ثانيه", "ثواني", "ثوان", "ث"), 1),
}
#: Phrases with no digits, rewritten into ones with digits before parsing.
_DURATION_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\b(?:an |one |1 )?hour and a half\b|ساعه\s*و\s*نصف", "90 min"),
        (r"ساعه\s*و\s*ربع", "75 min"),
        (r"\bhalf (?:an )?hour\b|(?:نصف|نص) ساعه", "30 min"),
        (r"\b(?:a )?quarter (?:of an )?hour\b|ربع ساعه", "15 min"),
        (r"\b(?:an|a|one) hour\b", "1 hour"),
        (r"\b(?:a|one) minute\b", "1 min"),
        (r"ساعتين|ساعتان", "2 ساعه"),
        (r"دقيقتين|دقيقتان", "2 دقيقه"),
        (r"(?<!\d)(?<!\d\s)ساعه", "1 ساعه"),
    )
)
_DURATION_PART = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*([^\W\d_]*)\s*(?:(?:and|و|&|,|،)\s*)?"
)


def _duration_seconds(text: str) -> int | None:
    """Seconds in a folded duration ("1 hour 30 min", "1h30", "90s"), else None. Raises
    GoalInputError("time_twice") for two durations in a row ("5min 10min")."""
    for pattern, replacement in _DURATION_PHRASES:
        text = pattern.sub(replacement, text)
    text = text.strip()
    if not text:
        return None
    total = 0.0
    position = 0
    previous_unit = 0
    while position < len(text):
        # Units only shrink within one duration ("1 hour 30 min", "1h30"); a unit that comes
        # again or grows ("5min 10min") starts a second duration, which is refused rather than
        # silently added up.
        match = _DURATION_PART.match(text, position)
        if match is None or match.end() == position:
            return None
        number = float(match.group(1).replace(",", "."))
        unit_word = match.group(2)
        if unit_word:
            unit = _SECONDS_PER_UNIT.get(unit_word)
            if unit is None:
                return None
            if previous_unit and unit >= previous_unit:
                raise GoalInputError("time_twice")
        elif previous_unit in (3600, 60):
            unit = previous_unit // 60  # "1h30" is 1 h 30 min, "2m30" is 2 min 30 s
        else:
            return None
        total += number * unit
        previous_unit = unit
        position = match.end()
    return math.ceil(total)


def parse_duration_seconds(text: str, *, maximum: int | None = DAY_SECONDS) -> int:
    """Seconds in `15min`, `15 min`, `1h`, `1 hour 30 min`, `1h30`, `90s`, `١٥ دقيقة`, `ساعة`.

    Shared by /goal and /read (`/read 2:1-2:40 15min`). Raises GoalInputError: time_syntax,
    time_twice, time_zero, or time_too_long above `maximum` (a day by default; None for no
    limit).
    """
    seconds = _duration_seconds(_fold(text))
    if seconds is None:
        raise GoalInputError("time_syntax", text=text.strip()[:40])
    if seconds <= 0:
        raise GoalInputError("time_zero")
    if maximum is not None and seconds > maximum:
        raise GoalInputError("time_too_long")
    return seconds


_DAILY_FILLERS = re.compile(
    r"\b(?:a|per|each|every)\s+day\b|/\s*day\b|\beveryday\b|\bdaily\b"
    r"|يوميا|في اليوم|كل يوم|باليوم"
)
_DAY_UNITS = {
    **dict.fromkeys(("d", "day", "days", "يوم", "يوما", "ايام"), 1),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks", "اسبوع", "اسابيع"), 7),
    **dict.fromkeys(("mo", "month", "months", "شهر", "اشهر", "شهور"), DAYS_PER_MONTH),
}
_DAYS_CLAUSE = re.compile(
    r"(?:^|\s+)(?:(?:in|for|over|within|during|خلال|في|لمده|مده)\s*)?"
    r"(\d+)\s*(" + "|".join(sorted(_DAY_UNITS, key=len, reverse=True)) + r")\s*$"
)
#: Spans said without a number ("khatm in a month", "ختمة في شهر", "في شهرين"), given one.
_SPAN_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\b(?:a|one)\s+(month|week)\b", r"1 \1"),
        (r"\bشهرين\b|\bشهران\b", "2 شهر"),
        (r"\bاسبوعين\b|\bاسبوعان\b", "2 اسبوع"),
        (r"(?<!\d)(?<!\d\s)\b(شهر|اسبوع)$", r"1 \1"),
    )
)
#: A day of the week ("every Friday", "كل جمعة"): Quran.com goals count every day.
_WEEKDAY_CLAUSE = re.compile(
    r"\b(?:every|each|on)\s+(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b"
    r"|(?:كل|يوم|ايام)\s+(?:ال)?(?:جمعه|سبت|احد|اثنين|ثلاثاء|اربعاء|خميس)"
)
#: Hizb goals: a hizb is half a juz, a quarter hizb (rub') an eighth ("ربع حزب يوميا").
_HIZB = re.compile(
    r"^(?:(?:a|one)\s+)?(?:(\d+)\s*)?(quarter\s+(?:of\s+a\s+)?|ربع\s*(?:ال)?)?"
    r"(?:hizb|hizbs|حزب|احزاب)$"
)
_KHATM = re.compile(r"^(?:khatm|khatam|khatma|khatmah|khitma|ختم|ختمه)(?:\s*(?:in\s*)?(\d+))?$")
_JUZ = re.compile(r"^(\d+)?\s*(?:juz'?|juzz|ajza|para|paras|parah|جزء|جز|اجزاء)$")
_PAGES = re.compile(r"^(\d+)\s*(?:p|pg|pgs|page|pages|صفحه|صفحات)$")
_ONE_PAGE = re.compile(r"^(?:(?:a|one)\s+)?page$|^صفحه$")
_TWO_PAGES = re.compile(r"^(?:صفحتين|صفحتان)$")


def juz_count(text: str) -> int | None:
    """How many juz `text` asks for (`1 juz`, `juz`, `2 para`, `٢ جزء`), else None. A goal
    given in juz is kept as juz, so its pages can follow a mushaf chosen later."""
    match = _JUZ.match(_DAILY_FILLERS.sub(" ", _fold(text)).strip())
    if match is None:
        return None
    return int(match.group(1) or 1)


def parse_goal_command(args: str, *, mushaf_id: int = DEFAULT_MUSHAF_ID) -> GoalSpec:
    """The goal in /goal's arguments; raises GoalInputError.

    Time: `15min`, `1 hour 30 min`, `1h30`. Pages: `2 pages`, `2p`, `1 juz` (a juz's worth of
    pages in `mushaf_id`). Ranges: `mulk`, `2:1-2:286 30d`, `1:1-114:6 in 30 days`,
    `khatm 30`, `khatm in 60 days` (whole Quran, 30 days by default). Any of them may end
    with `for N days` / `in N weeks`; "a day", "daily" are allowed and change nothing.
    """
    text = _DAILY_FILLERS.sub(" ", _fold(args)).strip()
    if not text:
        raise GoalInputError("empty")
    if _WEEKDAY_CLAUSE.search(text):
        raise GoalInputError("weekly")
    for pattern, replacement in _SPAN_PHRASES:
        text = pattern.sub(replacement, text)
    duration_days: int | None = None
    days = _DAYS_CLAUSE.search(text)
    if days is not None:
        duration_days = int(days.group(1)) * _DAY_UNITS[days.group(2)]
        text = text[: days.start()].strip()
    spec = _parse_head(text, args, duration_days, mushaf_id)
    if spec.duration_days is not None:
        if spec.duration_days <= 0:
            raise GoalInputError("duration_zero")
        if spec.duration_days > MAX_DURATION_DAYS:
            raise GoalInputError("duration_too_long", limit=MAX_DURATION_DAYS)
    return spec


def _parse_head(
    text: str, original: str, duration_days: int | None, mushaf_id: int
) -> GoalSpec:
    if not text:
        raise GoalInputError("syntax", text=original.strip()[:40])
    khatm = _KHATM.match(text)
    if khatm is not None:
        if khatm.group(1) is not None:
            duration_days = int(khatm.group(1))
        return GoalSpec(
            GoalType.QURAN_RANGE,
            VerseRange.whole_quran().key,
            DEFAULT_KHATM_DAYS if duration_days is None else duration_days,
        )
    hizb = _HIZB.match(text)
    if hizb is not None:
        # Quran.com counts whole pages: a quarter hizb (2½ pages in the Madani print) is 3.
        eighths = int(hizb.group(1) or 1) * (1 if hizb.group(2) else 4)
        return _pages_goal(math.ceil(eighths * pages_per_juz(mushaf_id) / 8), duration_days,
                           mushaf_id)
    juz = _JUZ.match(text)
    if juz is not None:
        pages = int(juz.group(1) or 1) * pages_per_juz(mushaf_id)
        return _pages_goal(pages, duration_days, mushaf_id)
    pages_match = _PAGES.match(text)
    if pages_match is not None:
        return _pages_goal(int(pages_match.group(1)), duration_days, mushaf_id)
    if _ONE_PAGE.match(text):
        return _pages_goal(1, duration_days, mushaf_id)
    if _TWO_PAGES.match(text):
        return _pages_goal(2, duration_days, mushaf_id)
    if text.isdigit():
        raise GoalInputError("missing_unit", number=int(text))
    seconds = _duration_seconds(text)
    if seconds is not None:
        if seconds <= 0:
            raise GoalInputError("time_zero")
        if seconds > DAY_SECONDS:
            raise GoalInputError("time_too_long")
        return GoalSpec(GoalType.QURAN_TIME, seconds, duration_days)
    return _range_goal(text, original, duration_days)


def _pages_goal(pages: int, duration_days: int | None, mushaf_id: int) -> GoalSpec:
    if pages <= 0:
        raise GoalInputError("pages_zero")
    available = page_count(mushaf_id)
    if pages > available:
        raise GoalInputError("pages_too_many", pages=pages, page_count=available)
    return GoalSpec(GoalType.QURAN_PAGES, pages, duration_days)


def _range_goal(text: str, original: str, duration_days: int | None) -> GoalSpec:
    try:
        ranges = parse_verse_ranges(text)
    except VerseRangeError as error:
        meant_a_range = ":" in text or error.params.get("suggestion") is not None
        if error.code in ("syntax", "unknown_surah", "empty") and not meant_a_range:
            raise GoalInputError("syntax", text=original.strip()[:40]) from error
        raise GoalInputError("range", cause=error) from error
    merged = merge_ranges(ranges)
    if len(merged) != 1:
        raise GoalInputError("range_multiple")
    return GoalSpec(GoalType.QURAN_RANGE, merged[0].key, duration_days)
