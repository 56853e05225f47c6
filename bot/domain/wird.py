"""A group's wird: the portion a group reads together, moving through the mushaf day by day.

`/reminders portion juz 1` starts a *moving* wird: juz 1 on the first reminder day, juz 2 on
the next, …; `pages 1-20` gives pages 1–20, 21–40, …; `juz 1-2` two juz a day; a surah (`Al-Mulk`,
`surah 67`) one surah a day from there; a verse range (`2:1-2:141`) the same number of verses
each day from where the last one stopped. `fixed …` keeps a portion that repeats (Al-Kahf on
Fridays), and text that reads as none of these (`Al-Kahf and Al-Mulk`) is kept as it is.

Position. A wird advances **per reminder day sent**, not per calendar day: the index of the
portion moves on the first time a reminder goes out on a new local date, and stays on the
same portion for the other times of that day. A group that got no reminder for a few days
(reminders switched off, weekend-only days, the bot down) carries on where it stopped, as
members expect: nobody was told to read the portions of the silent days, so skipping them
would leave holes in the group's khatm. `advance_position` is that rule; the position is
stored with the reminder, so it survives restarts.

End of the Quran. The last portion of a round ends at the last unit (juz 30, page 604, An-Nas);
the next portion starts the next round at the beginning, whatever the first round started
with. `Portion.completes_round` lets the message congratulate the group.

Hizbs are credited with their boundaries (`bot.domain.hizbs`), pages with the 604-page Madani
page map (`bot.domain.pages`): a group's "pages 1-20" is a share of the standard 604-page khatm
whatever layout each member reads, so the check-in credits that mushaf's verses.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.domain.chapters import CHAPTER_COUNT, JUZ_COUNT, TOTAL_VERSES, chapter_name
from bot.domain.hizbs import HIZB_COUNT, hizb_bounds
from bot.domain.pages import MADANI_PAGES
from bot.domain.verse_parsing import parse_verse_ranges
from bot.domain.verses import VerseRange, VerseRangeError

WirdUnit = Literal["juz", "hizb", "page", "surah", "verse"]

#: How many of each unit the (604-page Madani) mushaf has.
UNIT_TOTALS: dict[WirdUnit, int] = {
    "juz": JUZ_COUNT,
    "hizb": HIZB_COUNT,
    "page": 604,
    "surah": CHAPTER_COUNT,
    "verse": TOTAL_VERSES,
}

_UNIT_WORDS: dict[str, WirdUnit] = {
    **dict.fromkeys(("juz", "juzz", "juza", "para", "جزء", "الجزء", "اجزاء", "أجزاء"), "juz"),
    **dict.fromkeys(("hizb", "hizbs", "حزب", "الحزب", "احزاب", "أحزاب"), "hizb"),
    **dict.fromkeys(("page", "pages", "p", "صفحة", "صفحه", "صفحات", "الصفحات"), "page"),
    **dict.fromkeys(("surah", "sura", "surat", "سورة", "سوره"), "surah"),
}
FIXED_WORDS = frozenset({"fixed", "repeat", "same", "ثابت", "ثابتة", "تكرار"})
_NUMBERS = re.compile(r"^(\d+)(?:\s*[-–—]\s*(\d+))?$")


@dataclass(frozen=True, slots=True)
class Wird:
    """A moving wird: `size` units a day, starting at unit number `first` (1-based)."""

    unit: WirdUnit
    first: int
    size: int

    def __post_init__(self) -> None:
        total = UNIT_TOTALS[self.unit]
        if not 1 <= self.first <= total or not 1 <= self.size <= total:
            raise ValueError(f"wird out of range: {self}")

    @property
    def spec(self) -> str:
        """How it is stored: "juz:1:1" (unit, first, size)."""
        return f"{self.unit}:{self.first}:{self.size}"

    @classmethod
    def from_spec(cls, spec: str) -> Wird | None:
        """The stored form back; None for anything unreadable (never crash a delivery)."""
        unit, _, rest = spec.partition(":")
        first, _, size = rest.partition(":")
        if unit not in UNIT_TOTALS or not first.isdigit() or not size.isdigit():
            return None
        try:
            return cls(unit, int(first), int(size))
        except ValueError:
            return None

    def portion(self, index: int) -> Portion:
        """The portion of reminder day `index` (0 = the first day of the wird).

        The first round runs from `first` to the end; every later round from unit 1.
        """
        total = UNIT_TOTALS[self.unit]
        start0 = self.first - 1
        first_round = -(-(total - start0) // self.size)
        if index < first_round:
            round_number, start = 1, start0 + index * self.size
        else:
            per_round = -(-total // self.size)
            later = index - first_round
            round_number = 2 + later // per_round
            start = (later % per_round) * self.size
        end = min(start + self.size, total)
        return Portion(self.unit, start + 1, end, round_number)


@dataclass(frozen=True, slots=True)
class Portion:
    """Units `start`..`end` (1-based, inclusive) of one day, in round `round_number`."""

    unit: WirdUnit
    start: int
    end: int
    round_number: int

    @property
    def completes_round(self) -> bool:
        return self.end == UNIT_TOTALS[self.unit]

    def text(self, language: str = "en") -> str:
        """The portion as the message shows it: "juz 2", "pages 21–40", "Al-Mulk", "2:1–141"."""
        arabic = language == "ar"
        span = str(self.start) if self.start == self.end else f"{self.start}–{self.end}"
        match self.unit:
            case "juz":
                return f"الجزء {span}" if arabic else f"juz {span}"
            case "hizb":
                return f"الحزب {span}" if arabic else f"hizb {span}"
            case "page":
                if self.start == self.end:
                    return f"الصفحة {span}" if arabic else f"page {span}"
                return f"الصفحات {span}" if arabic else f"pages {span}"
            case "surah":
                names = [chapter_name(self.start, language)]
                if self.end != self.start:
                    names.append(chapter_name(self.end, language))
                return " – ".join(names)
            case _:
                return VerseRange.from_ordinals(self.start, self.end).display(language)

    def verse_ranges(self) -> list[str] | None:
        """API verse ranges to credit; None while pages have no map (see the module)."""
        return unit_verse_ranges(self.unit, self.start, self.end)


def unit_verse_ranges(unit: WirdUnit, start: int, end: int) -> list[str] | None:
    """Units `start`..`end` as API verse ranges (pages in the Madani layout, see the module);
    None for a unit that has no verses."""
    match unit:
        case "juz":
            first, last = VerseRange.juz(start), VerseRange.juz(end)
            return [VerseRange(first.start_chapter, first.start_verse,
                               last.end_chapter, last.end_verse).key]
        case "hizb":
            (c1, v1), _ = hizb_bounds(start)
            _, (c2, v2) = hizb_bounds(end)
            return [VerseRange(c1, v1, c2, v2).key]
        case "surah":
            first, last = VerseRange.whole_chapter(start), VerseRange.whole_chapter(end)
            return [VerseRange(first.start_chapter, first.start_verse,
                               last.end_chapter, last.end_verse).key]
        case "verse":
            return [VerseRange.from_ordinals(start, end).key]
        case "page":
            return [MADANI_PAGES.verses(start, end).key]
        case _:
            return None


def advance_position(index: int, last_day: date | None, day: date) -> tuple[int, date]:
    """Which portion a reminder on local `day` shows, given the portion `index` shown on
    `last_day`: the same on the same day (a second time that day, a retried send), the next
    one on a later day however many days passed (per reminder day sent: see the module), the
    first one when nothing was sent yet. A late catch-up of an earlier day changes nothing."""
    if last_day is None:
        return 0, day
    if day > last_day:
        return index + 1, day
    return index, last_day


def portion_on(wird: Wird, index: int, last_day: date | None, day: date) -> Portion:
    """What the wird shows on `day` without sending anything (the panel's today/tomorrow)."""
    return wird.portion(advance_position(index, last_day, day)[0])


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    digits = "".join(
        str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in decomposed
        if not unicodedata.combining(ch)
    )
    return " ".join(digits.split())


def names_unit(text: str) -> bool:
    """The text starts with "juz", "pages", "hizb" (or their Arabic): a wird was meant, so a
    number out of range is a mistake to point out, not a free-text portion to keep."""
    word = _fold(text).partition(" ")[0]
    return _UNIT_WORDS.get(word, "surah") != "surah"


def parse_wird(text: str) -> Wird | None:
    """A moving wird from what an admin typed; None when it reads as none (then it is a fixed
    portion). `juz 1`, `juz 1-2`, `pages 1-20`, `page 5`, `hizb 3`, `surah 18`, `Al-Mulk`,
    `2:1-2:141`, and the Arabic `الجزء ١`, `صفحات ١-٢٠`, `سورة الملك`."""
    folded = _fold(text)
    word, _, rest = folded.partition(" ")
    unit = _UNIT_WORDS.get(word)
    if unit is not None and unit != "surah":
        match = _NUMBERS.match(rest.strip())
        if match is None:
            return None
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first:
            return None
        try:
            return Wird(unit, first, last - first + 1)
        except ValueError:
            return None
    try:
        ranges = parse_verse_ranges(text)
    except VerseRangeError:
        return None
    if len(ranges) != 1:
        return None
    found = ranges[0]
    last_verse = VerseRange.whole_chapter(found.end_chapter).end_verse
    if found.start_verse == 1 and found.end_verse == last_verse:
        return Wird("surah", found.start_chapter, found.end_chapter - found.start_chapter + 1)
    return Wird("verse", found.start_ordinal, found.verse_count)
