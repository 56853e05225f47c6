"""Verse ranges as users type them, and as the Quran Foundation API wants them.

Users write `2:255`, `2:255-257`, `٢:٢٥٥`, `Al-Baqarah 255`, `البقرة ٢٥٥`, `Surah Al-Mulk`,
`juz 30`, several of them separated by commas; the API wants `"2:255-2:257"` (one verse is
`"2:255-2:255"`). Everything here is pure so handlers, the note wizard and /read share one
reading of the input and one set of error messages.

Parsing runs in two steps: a syntactic pass that finds the longest run of tokens that reads as
ranges (which is also what `split_leading_ranges` needs for one-liners such as
`/note 2:255-257 my reflection`), then validation against the chapter table. Validation errors
are raised even from a one-liner: `/note 2:300 …` must not quietly become a note without verses.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum, auto

from bot.domain.chapters import (
    CHAPTER_COUNT,
    JUZ_COUNT,
    VERSE_COUNTS,
    chapter_name,
    find_chapter,
    juz_bounds,
    name_key,
    suggest_chapter,
    verse_at,
    verse_ordinal,
)
from bot.i18n import Translator, get_translator

QURAN_URL = "https://quran.com"
#: More ranges than this in one message is almost certainly a paste accident.
MAX_RANGES = 50
#: Numbers longer than this cannot be verses or chapters; they are capped instead of converted.
_MAX_DIGITS = 6
_TOO_BIG = 10**_MAX_DIGITS


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


# ---------------------------------------------------------------------------------------------
# Tokens


class _Kind(Enum):
    NUMBER = auto()
    COLON = auto()
    DASH = auto()
    COMMA = auto()
    WORD = auto()
    OTHER = auto()


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _Kind
    text: str
    start: int
    end: int
    value: int = 0
    #: Letters follow without a space ("15min"): such a number is an amount, never a verse.
    glued: bool = False
    #: A quote, bracket or line break stands between the previous token and this one (or the
    #: word opens with a quote mark): it starts new text (`2:255 "- a quote"`, a `- point` on
    #: the next line), so it never continues the reference as a dash or separator would.
    detached: bool = False
    #: For words, the folded form keywords are compared by (see `bot.domain.chapters.name_key`).
    key: str = ""


_COLONS = frozenset(":：∶/.")
_DASHES = frozenset("-‐‑‒–—―−~～")
_COMMAS = frozenset(",،;؛٬&")
_APOSTROPHES = frozenset("'’‘`´ʼʻʿʾ")
#: Wrappers people paste around references; they carry no meaning here.
_IGNORED = frozenset("()[]{}«»\"“”„<>")
#: Each opening wrapper and what may close it (a straight quote closes itself).
_CLOSERS: dict[str, frozenset[str]] = {
    "(": frozenset(")"),
    "[": frozenset("]"),
    "{": frozenset("}"),
    "«": frozenset("»"),
    "<": frozenset(">"),
    "“": frozenset("”"),
    "„": frozenset("“”"),
    '"': frozenset('"'),
}
_CLOSING = frozenset(")]}»>”“\"")  # “ closes German „quotes“
#: What joins a reference to the text after it ("2:255: text", "2:255 - text", "2:255, text"):
#: one of these, or a run of dashes, followed by a space or the end of the text.
_JOINERS = frozenset(".:;,،؛")
_JOINER_DASHES = frozenset("-‐‑‒–—―−")


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def _starts_word(text: str, index: int) -> bool:
    """A letter, or an apostrophe before one ("'Abasa")."""
    if index >= len(text):
        return False
    if _is_letter(text[index]):
        return True
    return text[index] in _APOSTROPHES and index + 1 < len(text) and _is_letter(text[index + 1])


def _detaches(gap: str) -> bool:
    """Whether the text between two tokens opens a quote or bracket or breaks the line.

    Closing wrappers right after the previous token (`(2:255), …`) close what came before;
    any wrapper after those, or after a space, starts something new.
    """
    return "\n" in gap or any(ch in _IGNORED for ch in gap.lstrip("".join(_CLOSING)))


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace() or ch in _IGNORED or unicodedata.category(ch) == "Cf":
            i += 1
            continue
        detached = bool(tokens) and _detaches(text[tokens[-1].end : i])
        tokens.append(_token_at(text, i, detached=detached))
        i = tokens[-1].end
    return tokens


def _token_at(text: str, i: int, *, detached: bool) -> _Token:
    """The token starting at `text[i]` (not a space or an ignored wrapper)."""
    length = len(text)
    ch = text[i]
    if ch.isdecimal():
        j = i
        while j < length and text[j].isdecimal():
            j += 1
        digits = text[i:j].lstrip("0") or "0"
        value = int(digits) if len(digits) <= _MAX_DIGITS else _TOO_BIG
        glued = j < length and _is_letter(text[j])
        return _Token(_Kind.NUMBER, text[i:j], i, j, value, glued, detached)
    if _starts_word(text, i):
        j = i + 1
        while j < length:
            current = text[j]
            if _is_letter(current) or current in _APOSTROPHES:
                j += 1
            elif (
                current in _DASHES
                and current not in "~～"
                and _is_letter(text[j - 1])
                and _starts_word(text, j + 1)
            ):
                j += 1  # the hyphen of "Al-Baqarah", "Al-'Alaq"
            else:
                break
        word = text[i:j]
        # "'to" or "‘and": a quote mark, not the apostrophe of a name.
        detached = detached or word[0] in _APOSTROPHES
        return _Token(_Kind.WORD, word, i, j, detached=detached, key=name_key(word))
    if ch in _COLONS:
        kind = _Kind.COLON
    elif ch in _DASHES:
        kind = _Kind.DASH
    elif ch in _COMMAS:
        kind = _Kind.COMMA
    else:
        kind = _Kind.OTHER
    return _Token(kind, ch, i, i + 1, detached=detached)


def _keys(*words: str) -> frozenset[str]:
    return frozenset(name_key(word) for word in words)


_PREFIX_WORDS = _keys("surah", "sura", "surat", "soorah", "chapter", "سورة", "سوره", "السورة")


_VERSE_WORDS = _keys(
    "verse", "verses", "ayah", "ayat", "ayahs", "ayaat", "aya", "v", "vv", "vs",
    "آية", "آيات", "الآية", "الآيات", "اية",
)


_JUZ_WORDS = _keys("juz", "juz'", "juzz", "jus", "para", "parah", "paara", "sipara", "جزء", "الجزء")


_RANGE_WORDS = _keys("to", "till", "until", "through", "thru", "الى", "إلى", "حتى")


#: Words that make the number before them an amount ("mulk 10 min" is not verse 10).
_UNIT_WORDS = _keys(
    "s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minute", "minutes",
    "h", "hr", "hrs", "hour", "hours", "p", "pg", "pgs", "page", "pages", "d", "day", "days",
    "w", "wk", "week", "weeks", "x", "times", "juz", "para",
    "ثانية", "ثواني", "ثوان", "دقيقة", "دقائق", "دقيقه", "ساعة", "ساعات", "صفحة", "صفحات",
    "يوم", "أيام", "ايام", "يوما", "أسبوع", "اسبوع", "أسابيع", "مرة", "مرات", "جزء",
)


_AND_WORDS = _keys("and", "و")


# ---------------------------------------------------------------------------------------------
# Syntax: tokens -> endpoints


@dataclass(frozen=True, slots=True)
class _Endpoint:
    chapter: int = 0  # 0 when this is a juz
    verse: int | None = None
    juz: int | None = None
    #: A lone number: a chapter at the start of an item; after a dash it follows the start.
    bare_number: bool = False
    #: Written as a name alone in a way that could be an ordinary word in free text.
    loose_name: bool = False


@dataclass(frozen=True, slots=True)
class _Item:
    start: _Endpoint
    end: _Endpoint | None


@dataclass
class _Parse:
    items: list[_Item]
    #: Index of the first token not consumed.
    stop: int


class _Parser:
    def __init__(self, tokens: Sequence[_Token], *, strict: bool) -> None:
        self.tokens = tokens
        #: Free-text mode: bare numbers and bare names do not start a range.
        self.strict = strict

    def token(self, index: int) -> _Token | None:
        return self.tokens[index] if index < len(self.tokens) else None

    def is_kind(self, index: int, kind: _Kind) -> bool:
        token = self.token(index)
        return token is not None and token.kind is kind

    def is_key_colon(self, index: int) -> bool:
        """The `:` of `2:255`. A `.` or `/` only counts written tight (`2.255`): with a space
        around it, `2:255 .5` is punctuation before text, not verse 5 of some surah."""
        token = self.token(index)
        if token is None or token.kind is not _Kind.COLON:
            return False
        if token.text in ":：∶":
            return True
        before, after = self.token(index - 1), self.token(index + 1)
        return (
            before is not None and before.end == token.start
            and after is not None and after.start == token.end
        )

    def usable_number(self, index: int, *, verse: bool = False) -> bool:
        """A number that may be a verse or chapter: not an amount such as "10min" or "10 min".

        A unit word only turns a number into an amount where an amount could stand: never for
        the verse of `2:255` (`/note 2:255 second thoughts`, `/note 1:2 hours of…`), and never
        in strict mode, whose rest is free text rather than a time.
        """
        token = self.token(index)
        if token is None or token.kind is not _Kind.NUMBER or token.glued:
            return False
        if verse or self.strict:
            return True
        following = self.token(index + 1)
        return not (
            following is not None
            and following.kind is _Kind.WORD
            and following.key in _UNIT_WORDS
        )

    def is_separator(self, index: int) -> bool:
        token = self.token(index)
        return token is not None and not token.detached and (
            token.kind is _Kind.COMMA
            or (token.kind is _Kind.WORD and token.key in _AND_WORDS)
        )

    def parse(self) -> _Parse:
        """The longest run of items from the first token; a separator is only taken before one."""
        items: list[_Item] = []
        index = 0
        parsed = self.item(index)
        while parsed is not None:
            item, index = parsed
            items.append(item)
            parsed = self.item(index + 1) if self.is_separator(index) else None
        return _Parse(items, index)

    def item(self, index: int) -> tuple[_Item, int] | None:
        parsed = self.endpoint(index, start=None)
        if parsed is None:
            return None
        start, after = parsed
        if self.strict and (start.bare_number or start.loose_name):
            return None
        end: _Endpoint | None = None
        dash = self.token(after)
        if dash is not None and not dash.detached and (
            dash.kind is _Kind.DASH or (dash.kind is _Kind.WORD and dash.key in _RANGE_WORDS)
        ):
            parsed_end = self.endpoint(after + 1, start=start)
            if parsed_end is not None:
                end, after = parsed_end
        return _Item(start, end), after

    def endpoint(self, index: int, *, start: _Endpoint | None) -> tuple[_Endpoint, int] | None:
        token = self.token(index)
        if token is None:
            return None
        if token.kind is _Kind.NUMBER:
            return self.numeric_endpoint(index, start=start, prefixed=False)
        if token.kind is not _Kind.WORD:
            return None
        key = token.key
        if key in _JUZ_WORDS and self.usable_number(index + 1):
            return _Endpoint(juz=self.tokens[index + 1].value), index + 2
        if key in _PREFIX_WORDS and self.is_kind(index + 1, _Kind.NUMBER):
            return self.numeric_endpoint(index + 1, start=start, prefixed=True)
        return self.named_endpoint(index)

    def numeric_endpoint(
        self, index: int, *, start: _Endpoint | None, prefixed: bool
    ) -> tuple[_Endpoint, int] | None:
        # After a dash a lone number continues a verse (`2:255-257 second thoughts`).
        continues_verse = start is not None and start.verse is not None and not prefixed
        if not self.usable_number(index, verse=continues_verse):
            return None
        number = self.tokens[index].value
        if self.is_key_colon(index + 1) and self.usable_number(index + 2, verse=True):
            return _Endpoint(chapter=number, verse=self.tokens[index + 2].value), index + 3
        following = self.token(index + 1)
        if (
            following is not None
            and following.kind is _Kind.WORD
            and following.key in _VERSE_WORDS
            and self.usable_number(index + 2, verse=True)
        ):
            return _Endpoint(chapter=number, verse=self.tokens[index + 2].value), index + 3
        if start is not None and not prefixed:
            # After a dash a lone number continues whatever the start was: `2:255-257` is a
            # verse, `juz 1-3` a juz, `2-3` a chapter.
            if start.juz is not None:
                return _Endpoint(juz=number), index + 1
            if start.verse is not None:
                return _Endpoint(chapter=start.chapter, verse=number), index + 1
        return _Endpoint(chapter=number, bare_number=not prefixed), index + 1

    def named_endpoint(self, index: int) -> tuple[_Endpoint, int] | None:
        words: list[_Token] = []
        cursor = index
        while len(words) < 5 and self.is_kind(cursor, _Kind.WORD):
            words.append(self.tokens[cursor])
            cursor += 1
        for count in range(len(words), 0, -1):
            name = " ".join(word.text for word in words[:count])
            chapter = find_chapter(name)
            if chapter is None:
                continue
            after = index + count
            if self.is_key_colon(after) and self.usable_number(after + 1, verse=True):
                return _Endpoint(chapter=chapter, verse=self.tokens[after + 1].value), after + 2
            following = self.token(after)
            if (
                following is not None
                and following.kind is _Kind.WORD
                and following.key in _VERSE_WORDS
                and self.usable_number(after + 1, verse=True)
            ):
                return _Endpoint(chapter=chapter, verse=self.tokens[after + 1].value), after + 2
            if self.usable_number(after):
                return _Endpoint(chapter=chapter, verse=self.tokens[after].value), after + 1
            explicit = words[0].key in _PREFIX_WORDS and count > 1
            return _Endpoint(chapter=chapter, loose_name=not explicit), after
        return None


# ---------------------------------------------------------------------------------------------
# Semantics: endpoints -> validated ranges


def _resolve(item: _Item) -> VerseRange:
    start, end = item.start, item.end
    if end is None:
        if start.juz is not None:
            return VerseRange.juz(start.juz)
        if start.verse is None:
            return VerseRange.whole_chapter(start.chapter)
        return VerseRange.single(start.chapter, start.verse)
    start_chapter, start_verse = _first_verse(start)
    end_chapter, end_verse = _last_verse(end)
    return VerseRange(start_chapter, start_verse, end_chapter, end_verse)


def _first_verse(endpoint: _Endpoint) -> tuple[int, int]:
    if endpoint.juz is not None:
        whole = VerseRange.juz(endpoint.juz)
        return whole.start_chapter, whole.start_verse
    if endpoint.verse is None:
        return VerseRange.whole_chapter(endpoint.chapter).start_chapter, 1
    return endpoint.chapter, endpoint.verse


def _last_verse(endpoint: _Endpoint) -> tuple[int, int]:
    if endpoint.juz is not None:
        whole = VerseRange.juz(endpoint.juz)
        return whole.end_chapter, whole.end_verse
    if endpoint.verse is None:
        whole = VerseRange.whole_chapter(endpoint.chapter)
        return whole.end_chapter, whole.end_verse
    return endpoint.chapter, endpoint.verse


def _resolve_all(items: Sequence[_Item]) -> list[VerseRange]:
    if len(items) > MAX_RANGES:
        raise VerseRangeError("too_many", limit=MAX_RANGES)
    return [_resolve(item) for item in items]


def _diagnose(tokens: Sequence[_Token], stop: int, text: str) -> VerseRangeError:
    """Why the input stops reading as ranges at token `stop`, as the most helpful error."""
    index = stop
    while index < len(tokens) and tokens[index].kind in (_Kind.COMMA, _Kind.DASH):
        index += 1
    at_item_start = stop == 0 or index > stop
    words: list[_Token] = []
    while index < len(tokens) and tokens[index].kind is _Kind.WORD and len(words) < 4:
        words.append(tokens[index])
        index += 1
    meaningful = [word for word in words if word.key not in _PREFIX_WORDS]
    if at_item_start and meaningful and all(word.key not in _UNIT_WORDS for word in meaningful):
        name = " ".join(word.text for word in meaningful)
        return VerseRangeError("unknown_surah", name=name[:60], suggestion=suggest_chapter(name))
    fragment = text[tokens[stop].start :].strip() if stop < len(tokens) else text.strip()
    return VerseRangeError("syntax", text=fragment[:40])


def parse_verse_ranges(text: str) -> list[VerseRange]:
    """Every range in `text`, in the order written; raises VerseRangeError for anything else.

    Accepts `2:255`, `2:255-257`, `2:255-2:257`, `2:280-3:5`, `2` (whole surah), `2-3`,
    `Al-Baqarah 255-257`, `baqarah:255`, `surah 2 ayah 255`, `Al-Mulk` (whole surah),
    `juz 30`, `juz 1-3`; Arabic-Indic and Persian digits, Arabic names, en/em dashes, "to";
    ranges separated by `,`, `،` or `;`.
    """
    tokens = _tokenize(text)
    if not any(token.kind in (_Kind.NUMBER, _Kind.WORD, _Kind.OTHER) for token in tokens):
        raise VerseRangeError("empty")
    parse = _Parser(tokens, strict=False).parse()
    # Trailing punctuation is forgiven: "2:255." or "2:255, 3:5,".
    trailing = {token.kind for token in tokens[parse.stop :]}
    if not parse.items or not trailing <= {_Kind.COMMA, _Kind.COLON}:
        raise _diagnose(tokens, parse.stop, text)
    return _resolve_all(parse.items)


def split_leading_ranges(text: str, *, strict: bool = True) -> tuple[list[VerseRange], str]:
    """The ranges at the start of a one-liner and the text after them.

    `/note 2:255-257 my reflection` gives ([2:255-2:257], "my reflection");
    `/read 2:1-2:40 15min` gives ([2:1-2:40], "15min"). With nothing that reads as ranges at
    the start the result is ([], text).

    `strict` (for free text such as note bodies) only takes references that cannot be ordinary
    words: a colon key, a name with a verse number, "Surah …" or "juz N". `/note 5 things` and
    `/note الحمد لله` stay text. Pass `strict=False` when the rest is short arguments (/read,
    /goal): then `2` and `Al-Mulk` alone count as whole surahs. Invalid verses are still errors.

    The rest is the text exactly as typed, minus only what joins it to the reference (see
    `_rest_after`): a note saved from it must read as the person wrote it. The verse of a key is
    never mistaken for an amount (`/note 2:255 second thoughts`); the lenient /read rest such
    as `15min` is parsed by its handler, not here.
    """
    tokens = _tokenize(text)
    parse = _Parser(tokens, strict=strict).parse()
    if not parse.items:
        return [], text.strip()
    ranges = _resolve_all(parse.items)
    return ranges, _rest_after(text, tokens[parse.stop - 1].end)


def _rest_after(text: str, key_end: int) -> str:
    """The text after a reference that ends at `key_end`, exactly as typed but for what joins
    it to the reference.

    Dropped: wrappers that close one opened around the reference (`(2:255) text`), then one
    joiner on the same line followed by a space (`2:255: text`, `2:255 - text`, `2:255, text`).
    Kept: everything else, including opening quotes and brackets (`2:255 "No fatigue…"`), and a
    dash that starts the next line (`2:255` then `- first point`).
    """
    position = key_end
    open_wrappers: list[str] = []
    for ch in text[:key_end]:
        if open_wrappers and ch in _CLOSERS[open_wrappers[-1]]:
            open_wrappers.pop()
        elif ch in _CLOSERS:
            open_wrappers.append(ch)
    while position < len(text) and open_wrappers and text[position] in _CLOSERS[open_wrappers[-1]]:
        open_wrappers.pop()
        position += 1
    line_end = position
    while line_end < len(text) and text[line_end].isspace() and text[line_end] != "\n":
        line_end += 1
    joiner_end = line_end
    if joiner_end < len(text) and text[joiner_end] in _JOINERS:
        joiner_end += 1
    else:
        while joiner_end < len(text) and text[joiner_end] in _JOINER_DASHES:
            joiner_end += 1
    if joiner_end > line_end and (joiner_end == len(text) or text[joiner_end].isspace()):
        position = joiner_end
    return text[position:].strip()


def normalise_verse_ranges(text: str) -> str:
    """User input as the API's comma-separated keys, e.g. "Al-Baqarah 255-257" -> "2:255-2:257"."""
    return ",".join(item.key for item in parse_verse_ranges(text))
