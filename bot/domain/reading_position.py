"""Where a reader stopped, and where "continue reading" picks up (Quran.com's reading sessions).

A reading session records the *last verse read* (the spec: "the latest visible/read Ayah"); the
reader continues from the verse after it, into the next surah after a surah's last verse, and
from the start again after the Quran's last verse (a completed khatm starts over).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.chapters import CHAPTER_COUNT, VERSE_COUNTS
from bot.domain.verses import QURAN_URL, VerseRange


@dataclass(frozen=True)
class VersePosition:
    chapter: int
    verse: int

    @property
    def key(self) -> str:
        return f"{self.chapter}:{self.verse}"

    @property
    def reading_url(self) -> str:
        """Quran.com's reading view of the surah, scrolled to this verse."""
        return f"{QURAN_URL}/{self.chapter}?startingVerse={self.verse}"


def stopped_at(ranges: Sequence[VerseRange]) -> VersePosition | None:
    """The last verse of what was read (the end of the last range given); None for time only."""
    if not ranges:
        return None
    last = ranges[-1]
    return VersePosition(last.end_chapter, last.end_verse)


def continue_from(chapter: int | None, verse: int | None) -> VersePosition | None:
    """The verse after `chapter:verse`, or None when QF's position is not a real verse."""
    if chapter is None or verse is None or not 1 <= chapter <= CHAPTER_COUNT:
        return None
    if not 1 <= verse <= VERSE_COUNTS[chapter - 1]:
        return None
    if verse < VERSE_COUNTS[chapter - 1]:
        return VersePosition(chapter, verse + 1)
    if chapter < CHAPTER_COUNT:
        return VersePosition(chapter + 1, 1)
    return VersePosition(1, 1)
