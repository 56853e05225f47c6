"""QuranReflect reflections as the bot speaks of them: which verses a reflections list is about,
and the post links people paste (`https://quranreflect.com/posts/48151`).

The public feed filters by one reference in one chapter (chapter, first verse, last verse), so a
range that crosses chapters is narrowed to the part in its first chapter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.domain.chapters import VERSE_COUNTS
from bot.domain.verses import VerseRange

#: A post id on a button or in a link; QuranReflect's ids are positive integers.
MAX_POST_ID: Final = 2**53 - 1

#: QuranReflect's own language ids (not the Content API's), for the bot's languages: the feed
#: lists posts in the reader's language first without leaving the others out.
QURANREFLECT_LANGUAGE_IDS: Final = {"ar": 1, "en": 2}

_POST_LINK: Final = re.compile(
    r"(?:https?://)?(?:www\.)?quranreflect\.com/posts/(\d{1,16})(?![\d])", re.IGNORECASE
)


def post_url(post_id: int) -> str:
    return f"https://quranreflect.com/posts/{post_id}"


def find_post_link(text: str) -> int | None:
    """The id of the first QuranReflect post link in `text`, if any."""
    found = _POST_LINK.search(text or "")
    if found is None:
        return None
    post_id = int(found.group(1))
    return post_id if 1 <= post_id <= MAX_POST_ID else None


def split_leading_post_link(text: str) -> tuple[int | None, str]:
    """`"https://quranreflect.com/posts/48151 my thoughts"` → `(48151, "my thoughts")`.

    Only a link at the start counts: a link inside a note's text is part of the text.
    """
    stripped = (text or "").lstrip()
    found = _POST_LINK.match(stripped)
    if found is None:
        return None, text
    post_id = int(found.group(1))
    if not 1 <= post_id <= MAX_POST_ID:
        return None, text
    return post_id, stripped[found.end():].strip()


@dataclass(frozen=True)
class ReflectionVerses:
    """Verses `start`..`end` of one chapter: what a reflections list is filtered by."""

    chapter: int
    start: int
    end: int

    def __post_init__(self) -> None:
        # Checked here so a forged button can never build a query outside the Quran.
        if not 1 <= self.chapter <= len(VERSE_COUNTS):
            raise ValueError("chapter out of range")
        if not 1 <= self.start <= self.end <= VERSE_COUNTS[self.chapter - 1]:
            raise ValueError("verses out of range")

    @classmethod
    def of(cls, verses: VerseRange) -> ReflectionVerses:
        chapter = verses.start_chapter
        end = verses.end_verse if verses.end_chapter == chapter else VERSE_COUNTS[chapter - 1]
        return cls(chapter, verses.start_verse, end)

    @property
    def key(self) -> str:
        """`2:255` or `2:255-257`, as people write it."""
        if self.start == self.end:
            return f"{self.chapter}:{self.start}"
        return f"{self.chapter}:{self.start}-{self.end}"

    @property
    def range_key(self) -> str:
        """The notes API's range shape, `2:255-2:257`."""
        return f"{self.chapter}:{self.start}-{self.chapter}:{self.end}"

    @property
    def first_verse_key(self) -> str:
        return f"{self.chapter}:{self.start}"
