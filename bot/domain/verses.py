"""Verse ranges: the `VerseRange` value, its arithmetic and its API keys.

A range is a valid, non-empty run of verses, possibly across chapters. The Quran Foundation API
writes one as `"2:255-2:257"` (one verse is `"2:255-2:255"`); messages show it compactly as
`2:255–257` or `Al-Baqarah 255–257`. Reading what people type lives in
`bot.domain.verse_parsing`; `VerseRangeError` is shared by both, so a bad range reads the same
wherever it was caught.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.chapters import (
    CHAPTER_COUNT,
    JUZ_COUNT,
    VERSE_COUNTS,
    chapter_name,
    juz_bounds,
    verse_at,
    verse_ordinal,
)
from bot.i18n import Translator, get_translator

QURAN_URL = "https://quran.com"


class VerseRangeError(ValueError):
    """Input that is not a valid list of verse ranges.

    `code` is stable for handlers and tests; `params` feed the localized message from
    `describe`. Codes: empty, syntax (text), unknown_surah (name, suggestion),
    chapter_out_of_range (chapter), verse_out_of_range (chapter, verse, verse_count),
    juz_out_of_range (juz), reversed (start, end), too_many (limit).
    """

    def __init__(self, code: str, **params: int | str | None) -> None:
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params: dict[str, int | str | None] = params

    def describe(self, t: Translator) -> str:
        """A message for the user, HTML-escaped, in the translator's language."""
        p = self.params
        if self.code == "empty":
            return t.gettext("Send at least one verse, for example 2:255 or 2:255-257.")
        if self.code == "unknown_surah":
            name = html.escape(str(p.get("name", "")))
            suggestion = p.get("suggestion")
            if isinstance(suggestion, int):
                return t.gettext(
                    "I don't know a surah called “{name}”. Did you mean {suggestion}?",
                    name=name,
                    suggestion=html.escape(chapter_name(suggestion, t.language)),
                )
            return t.gettext("I don't know a surah called “{name}”.", name=name)
        if self.code == "chapter_out_of_range":
            return t.gettext(
                "There is no surah {chapter}: surahs are numbered 1 to 114.",
                chapter=t.number(_int(p.get("chapter"))),
            )
        if self.code == "verse_out_of_range" and p.get("verse") == 0:
            # "Surah 2 has 286 verses" would read as if 0 were too big; the slip is that
            # verses are counted from 1.
            return t.gettext(
                "Verses are numbered from 1, so the first verse is {key}.",
                key=t.isolate(t.number(f"{_int(p.get('chapter'))}:1")),
            )
        if self.code == "verse_out_of_range":
            count = _int(p.get("verse_count"))
            return t.ngettext(
                "Surah {chapter} has {n} verse.",
                "Surah {chapter} has {n} verses.",
                count,
                chapter=t.number(_int(p.get("chapter"))),
            )
        if self.code == "juz_out_of_range":
            return t.gettext(
                "There is no juz {juz}: the Quran has 30.", juz=t.number(_int(p.get("juz")))
            )
        if self.code == "reversed":
            return t.gettext(
                "{start} comes after {end}: put the earlier verse first.",
                start=t.isolate(t.number(str(p.get("start")))),
                end=t.isolate(t.number(str(p.get("end")))),
            )
        if self.code == "too_many":
            return t.gettext(
                "That is more than {limit} ranges; send fewer at a time.",
                limit=t.number(_int(p.get("limit"))),
            )
        return t.gettext(
            "I couldn't read “{text}” as verses. Try 2:255, 2:255-257, 2:280-3:5 or "
            "Al-Baqarah 255.",
            text=html.escape(str(p.get("text", ""))),
        )


def _int(value: int | str | None) -> int:
    return value if isinstance(value, int) else 0


@dataclass(frozen=True, order=True)
class VerseRange:
    """A valid, non-empty run of verses, possibly across chapters; ordered by position."""

    start_chapter: int
    start_verse: int
    end_chapter: int
    end_verse: int

    def __post_init__(self) -> None:
        for chapter, verse in (
            (self.start_chapter, self.start_verse),
            (self.end_chapter, self.end_verse),
        ):
            if not 1 <= chapter <= CHAPTER_COUNT:
                raise VerseRangeError("chapter_out_of_range", chapter=chapter)
            count = VERSE_COUNTS[chapter - 1]
            if not 1 <= verse <= count:
                raise VerseRangeError(
                    "verse_out_of_range", chapter=chapter, verse=verse, verse_count=count
                )
        if (self.start_chapter, self.start_verse) > (self.end_chapter, self.end_verse):
            raise VerseRangeError("reversed", start=self.start_key, end=self.end_key)

    @classmethod
    def single(cls, chapter: int, verse: int) -> VerseRange:
        return cls(chapter, verse, chapter, verse)

    @classmethod
    def whole_chapter(cls, chapter: int) -> VerseRange:
        if not 1 <= chapter <= CHAPTER_COUNT:
            raise VerseRangeError("chapter_out_of_range", chapter=chapter)
        return cls(chapter, 1, chapter, VERSE_COUNTS[chapter - 1])

    @classmethod
    def juz(cls, juz: int) -> VerseRange:
        if not 1 <= juz <= JUZ_COUNT:
            raise VerseRangeError("juz_out_of_range", juz=juz)
        (start_chapter, start_verse), (end_chapter, end_verse) = juz_bounds(juz)
        return cls(start_chapter, start_verse, end_chapter, end_verse)

    @classmethod
    def whole_quran(cls) -> VerseRange:
        return cls(1, 1, CHAPTER_COUNT, VERSE_COUNTS[-1])

    @classmethod
    def from_ordinals(cls, start: int, end: int) -> VerseRange:
        """From mushaf positions 1..6236 (see `bot.domain.chapters.verse_ordinal`)."""
        return cls(*verse_at(start), *verse_at(end))

    @classmethod
    def from_key(cls, key: str) -> VerseRange:
        """Read the API's own format, `"2:255-2:257"` or a lone `"2:255"`, strictly."""
        start, dash, end = key.strip().partition("-")
        try:
            start_chapter, start_verse = (int(part) for part in start.split(":"))
            end_chapter, end_verse = (
                (int(part) for part in end.split(":")) if dash else (start_chapter, start_verse)
            )
        except ValueError:
            raise VerseRangeError("syntax", text=key[:40]) from None
        return cls(start_chapter, start_verse, end_chapter, end_verse)

    @property
    def start_key(self) -> str:
        return f"{self.start_chapter}:{self.start_verse}"

    @property
    def end_key(self) -> str:
        return f"{self.end_chapter}:{self.end_verse}"

    @property
    def key(self) -> str:
        """The API's range format; a single verse is `"2:255-2:255"`."""
        return f"{self.start_key}-{self.end_key}"

    @property
    def start_ordinal(self) -> int:
        return verse_ordinal(self.start_chapter, self.start_verse)

    @property
    def end_ordinal(self) -> int:
        return verse_ordinal(self.end_chapter, self.end_verse)

    @property
    def verse_count(self) -> int:
        return self.end_ordinal - self.start_ordinal + 1

    @property
    def is_single_verse(self) -> bool:
        return self.verse_count == 1

    @property
    def is_whole_chapter(self) -> bool:
        return (
            self.start_chapter == self.end_chapter
            and self.start_verse == 1
            and self.end_verse == VERSE_COUNTS[self.end_chapter - 1]
        )

    @property
    def is_whole_quran(self) -> bool:
        return self.verse_count == sum(VERSE_COUNTS)

    @property
    def quran_url(self) -> str:
        """Where Quran.com shows this range; a range across chapters opens at its first verse."""
        if self.is_whole_chapter:
            return f"{QURAN_URL}/{self.start_chapter}"
        if self.start_chapter != self.end_chapter:
            return f"{QURAN_URL}/{self.start_chapter}?startingVerse={self.start_verse}"
        if self.is_single_verse:
            return f"{QURAN_URL}/{self.start_chapter}/{self.start_verse}"
        return f"{QURAN_URL}/{self.start_chapter}/{self.start_verse}-{self.end_verse}"

    def display(self, language: str = "en", *, names: bool = False) -> str:
        """Compact form for messages: `2:255–257`, `2:280–3:5`, or `Al-Baqarah 255–257`.

        Digits follow the language (Arabic-Indic in Arabic); wrap the result with
        `Translator.isolate` inside right-to-left sentences.
        """
        number = get_translator(language).number
        if names:
            start_name = chapter_name(self.start_chapter, language)
            if self.is_whole_chapter:
                return start_name
            if self.start_chapter == self.end_chapter:
                if self.is_single_verse:
                    return f"{start_name} {number(self.start_verse)}"
                return f"{start_name} {number(self.start_verse)}–{number(self.end_verse)}"
            end_name = chapter_name(self.end_chapter, language)
            return (
                f"{start_name} {number(self.start_verse)} – {end_name} {number(self.end_verse)}"
            )
        if self.is_single_verse:
            return number(self.start_key)
        if self.start_chapter == self.end_chapter:
            return number(f"{self.start_key}–{self.end_verse}")
        return number(f"{self.start_key}–{self.end_key}")


def format_ranges(
    ranges: Iterable[VerseRange], language: str = "en", *, names: bool = False
) -> str:
    """Several ranges for a message, comma-separated the way the language writes lists."""
    separator = "، " if get_translator(language).language == "ar" else ", "
    return separator.join(item.display(language, names=names) for item in ranges)


def readable_ranges(keys: Iterable[str]) -> list[VerseRange]:
    """The API's `"2:255-2:257"` keys as ranges, skipping any this bot cannot read.

    Notes and plans written on Quran.com or by another client may carry keys in shapes we do
    not expect; showing the rest is better than failing the whole message.
    """
    ranges: list[VerseRange] = []
    for key in keys:
        try:
            ranges.append(VerseRange.from_key(key))
        except VerseRangeError:
            continue
    return ranges


def range_keys(ranges: Iterable[VerseRange]) -> list[str]:
    """The API's `ranges` array."""
    return [item.key for item in ranges]


def merge_ranges(ranges: Iterable[VerseRange]) -> list[VerseRange]:
    """Sorted, with overlapping and touching ranges joined: reading is credited once per verse."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((item.start_ordinal, item.end_ordinal) for item in ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return [VerseRange.from_ordinals(start, end) for start, end in merged]
