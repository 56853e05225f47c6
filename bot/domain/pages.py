"""Reading logged in pages: which verses a page of a mushaf holds, and what `/read page 5`,
`/read pages 21-22`, `/read 2 pages` and their Arabic forms ask to credit.

Quran.com's activity days take verse ranges and count the pages itself (by the mushaf sent
with them), so a page is credited as the verses printed on it. Only layouts whose page breaks
we hold can do that: the 604-page Madani layouts all share the King Fahd Complex page breaks
(vendored from Tanzil in `bot.domain.page_starts_madani`). The IndoPak layouts break pages
elsewhere and have no map yet, so for them page logging says so instead of guessing.

"2 pages" continues from the last verse credited (kept by the caller): a page begun by an
earlier /read counts as the first of the two, so the reader ends at a page's end.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from bot.domain.chapters import TOTAL_VERSES, verse_ordinal
from bot.domain.goals import GoalInputError, parse_duration_seconds
from bot.domain.mushafs import mushaf_name
from bot.domain.page_starts_madani import MADANI_PAGE_STARTS
from bot.domain.reading import ReadInputError, ReadRequest
from bot.domain.verses import VerseRange
from bot.i18n import Translator

#: Mushafs printed with the King Fahd Complex Madani page breaks (see `bot.domain.mushafs`):
#: QCF V2 and V1, Uthmani Hafs, KFGQPC Hafs, and the two tajweed layouts.
_MADANI_LAYOUTS = frozenset({1, 2, 4, 5, 11, 19})


@dataclass(frozen=True)
class PageMap:
    """Where each page of one layout starts, as verse positions 1..6236."""

    starts: tuple[int, ...]

    @classmethod
    def from_verses(cls, starts: tuple[tuple[int, int], ...]) -> PageMap:
        return cls(tuple(verse_ordinal(chapter, verse) for chapter, verse in starts))

    @property
    def page_count(self) -> int:
        return len(self.starts)

    def page_of(self, ordinal: int) -> int:
        """The page (1-based) the verse at `ordinal` is printed on."""
        return bisect_right(self.starts, ordinal)

    def first_ordinal(self, page: int) -> int:
        return self.starts[page - 1]

    def last_ordinal(self, page: int) -> int:
        return self.starts[page] - 1 if page < self.page_count else TOTAL_VERSES

    def verses(self, first: int, last: int) -> VerseRange:
        """The verses on pages `first`..`last` (valid page numbers, first <= last)."""
        return VerseRange.from_ordinals(self.first_ordinal(first), self.last_ordinal(last))


#: The 604-page Madani layout: the default mushaf's, and the one a group's page wird counts in.
MADANI_PAGES = PageMap.from_verses(MADANI_PAGE_STARTS)


def page_map(mushaf_id: int) -> PageMap | None:
    """The page map of a mushaf, or None when its page breaks aren't known here yet."""
    return MADANI_PAGES if mushaf_id in _MADANI_LAYOUTS else None


# ---------------------------------------------------------------------------------------------
# What was typed

_DASH = r"(?:[-‐‑‒–—―−]|\bto\b|إلى|الى|حتى)"
_PAGE_WORD = r"(?:pages?|pgs?|p\.?|(?:ال)?صفح(?:ة|ه|ات))"
#: `page 5`, `pages 21-22`, `صفحة ٥`, `الصفحات 21 إلى 22`, optionally with a time after
#: (`page 10min` is one page read in ten minutes, not page 10).
_SPAN = re.compile(
    rf"^{_PAGE_WORD}\s*(?P<first>\d+)(?!\w)(?:\s*{_DASH}\s*(?P<last>\d+))?(?P<rest>.*)$",
    re.IGNORECASE,
)
#: `2 pages`, `1 page`, `٣ صفحات`, `11 صفحة`.
_COUNT = re.compile(
    r"^(?P<count>\d+)\s*(?:pages?|pgs?|صفحات|صفحة|صفحه)(?P<rest>(?:\s.*)?)$", re.IGNORECASE
)
#: Counts said in words: `a page`, `صفحتين` (two pages), `صفحة واحدة` (one page).
_WORD_COUNTS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^(?:(?:a|one)\s+)?page(?P<rest>(?:\s.*)?)$", re.IGNORECASE), 1),
    (re.compile(r"^(?:صفحتين|صفحتان|صفحتي)(?P<rest>(?:\s.*)?)$"), 2),
    (re.compile(r"^(?:صفحة|صفحه)(?:\s+واحدة)?(?P<rest>(?:\s.*)?)$"), 1),
)


@dataclass(frozen=True)
class PageRequest:
    """Pages asked for: a span (`first`..`last`) or a `count` continuing from the last verse
    credited; `seconds` typed after them (None: estimated from the verses)."""

    first: int | None = None
    last: int | None = None
    count: int | None = None
    seconds: int | None = None


def parse_page_command(text: str) -> PageRequest | None:
    """The pages a /read asks for, or None when it doesn't speak of pages (verses, names,
    times: `parse_read_command` reads those). Raises ReadInputError for a time after the
    pages that isn't one."""
    text = text.strip()
    match = _SPAN.match(text)
    if match is not None:
        first = int(match["first"])
        if not match["last"] and match["rest"].strip():
            # `page 10 min`: one page read in ten minutes, not page 10 (see `page 10min`).
            whole = _duration_or_none(match["first"] + match["rest"])
            if whole is not None:
                return PageRequest(count=1, seconds=whole)
        last = int(match["last"]) if match["last"] else first
        return PageRequest(first=first, last=last, seconds=_seconds(match["rest"]))
    match = _COUNT.match(text)
    if match is not None:
        return PageRequest(count=int(match["count"]), seconds=_seconds(match["rest"]))
    for pattern, count in _WORD_COUNTS:
        match = pattern.match(text)
        if match is not None:
            return PageRequest(count=count, seconds=_seconds(match["rest"]))
    return None


def _duration_or_none(text: str) -> int | None:
    try:
        return parse_duration_seconds(text)
    except GoalInputError:
        return None


def _seconds(rest: str) -> int | None:
    rest = rest.strip()
    if not rest:
        return None
    try:
        return parse_duration_seconds(rest)
    except GoalInputError as error:
        if error.code == "time_too_long":
            raise ReadInputError("time_too_long") from error
        raise ReadInputError("time", cause=error) from error


# ---------------------------------------------------------------------------------------------
# From pages to verses


class PageInputError(ReadInputError):
    """Pages that can't be credited. Codes: no_page_map (the mushaf has none yet),
    page_out_of_range, reversed_pages, no_position (a count with nothing credited before)."""

    def __init__(
        self, code: str, *, mushaf_id: int = 0, page: int = 0, page_count: int = 0
    ) -> None:
        super().__init__(code)
        self.mushaf_id = mushaf_id
        self.page = page
        self.page_count = page_count

    def describe(self, t: Translator) -> str:
        if self.code == "no_page_map":
            return t.gettext(
                "Logging by page isn't available yet for your mushaf ({mushaf}): I don't "
                "have its page breaks. Send the verses instead, e.g. "
                "<code>/read 2:1-2:40</code>, or pick a Madani mushaf in /settings.",
                mushaf=mushaf_name(self.mushaf_id, t),
            )
        if self.code == "page_out_of_range":
            return t.gettext(
                "There is no page {page}: your mushaf has pages 1 to {count}.",
                page=t.number(self.page), count=t.number(self.page_count),
            )
        if self.code == "reversed_pages":
            return t.gettext(
                "Write the first page before the last, e.g. <code>/read pages 21-22</code>."
            )
        if self.code == "no_position":
            return t.gettext(
                "I don't know where you stopped yet, so I can't tell which pages those are. "
                "Send the page numbers once, e.g. <code>/read pages 21-22</code>; after that "
                "<code>/read 2 pages</code> carries on from there."
            )
        return super().describe(t)


@dataclass(frozen=True)
class PageCredit:
    """What pages turned into: the pages and the request to credit."""

    first: int
    last: int
    request: ReadRequest


def credit_for_pages(
    asked: PageRequest, mushaf_id: int, last_read: tuple[int, int] | None
) -> PageCredit:
    """The verses `asked` covers in the mushaf. `last_read` is the last verse credited before
    (for a count); after 114:6 a count starts again at page 1. Raises PageInputError."""
    pages = page_map(mushaf_id)
    if pages is None:
        raise PageInputError("no_page_map", mushaf_id=mushaf_id)
    if asked.count is not None:
        if last_read is None:
            raise PageInputError("no_position")
        if not 1 <= asked.count <= pages.page_count:
            raise PageInputError(
                "page_out_of_range", page=asked.count, page_count=pages.page_count
            )
        start = verse_ordinal(*last_read) % TOTAL_VERSES + 1
        first = pages.page_of(start)
        last = min(first + asked.count - 1, pages.page_count)
        verses = VerseRange.from_ordinals(start, pages.last_ordinal(last))
        return PageCredit(first, last, ReadRequest([verses], asked.seconds))
    first, last = asked.first or 0, asked.last or 0
    for page in (first, last):
        if not 1 <= page <= pages.page_count:
            raise PageInputError("page_out_of_range", page=page, page_count=pages.page_count)
    if first > last:
        raise PageInputError("reversed_pages")
    return PageCredit(first, last, ReadRequest([pages.verses(first, last)], asked.seconds))


def next_pages(mushaf_id: int, last_read: tuple[int, int] | None, count: int) -> tuple[int, int]:
    """The pages a reader continuing from `last_read` reads next (`count` of them, not past
    the end; from page 1 with nothing credited yet). Assumes the mushaf has a page map."""
    pages = page_map(mushaf_id)
    if pages is None:
        raise ValueError(f"mushaf {mushaf_id} has no page map")
    start = verse_ordinal(*last_read) % TOTAL_VERSES + 1 if last_read else 1
    first = pages.page_of(start)
    return first, min(first + max(count, 1) - 1, pages.page_count)
