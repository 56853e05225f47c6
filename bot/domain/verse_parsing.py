"""Verse ranges as people type them: `2:255-257`, `Al-Baqarah 255`, `البقرة ٢٥٥`, `juz 30`.

Parsing runs in two steps: a syntactic pass over the tokens (`bot.domain.verse_tokens`) that
finds the longest run that reads as ranges (which is also what `split_leading_ranges` needs for
one-liners such as `/note 2:255-257 my reflection`), then validation against the chapter table
into `VerseRange`s. Validation errors are raised even from a one-liner: `/note 2:300 …` must not
quietly become a note without verses. Everything here is pure so handlers, the note wizard and
/read share one reading of the input and one set of error messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.chapters import find_chapter, suggest_chapter
from bot.domain.verse_tokens import (
    AND_WORDS,
    JUZ_WORDS,
    PREFIX_WORDS,
    RANGE_WORDS,
    UNIT_WORDS,
    VERSE_WORDS,
    Kind,
    Token,
    tokenize,
)
from bot.domain.verses import VerseRange, VerseRangeError

#: More ranges than this in one message is almost certainly a paste accident.
MAX_RANGES = 50
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
#: What joins a reference to the text after it ("2:255: text", "2:255 - text", "2:255, text"):
#: one of these, or a run of dashes, followed by a space or the end of the text.
_JOINERS = frozenset(".:;,،؛")
_JOINER_DASHES = frozenset("-‐‑‒–—―−")


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
    def __init__(self, tokens: Sequence[Token], *, strict: bool) -> None:
        self.tokens = tokens
        #: Free-text mode: bare numbers and bare names do not start a range.
        self.strict = strict

    def token(self, index: int) -> Token | None:
        return self.tokens[index] if index < len(self.tokens) else None

    def is_kind(self, index: int, kind: Kind) -> bool:
        token = self.token(index)
        return token is not None and token.kind is kind

    def is_key_colon(self, index: int) -> bool:
        """The `:` of `2:255`. A `.` or `/` only counts written tight (`2.255`): with a space
        around it, `2:255 .5` is punctuation before text, not verse 5 of some surah."""
        token = self.token(index)
        if token is None or token.kind is not Kind.COLON:
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
        if token is None or token.kind is not Kind.NUMBER or token.glued:
            return False
        if verse or self.strict:
            return True
        following = self.token(index + 1)
        return not (
            following is not None
            and following.kind is Kind.WORD
            and following.key in UNIT_WORDS
        )

    def is_separator(self, index: int) -> bool:
        token = self.token(index)
        return token is not None and not token.detached and (
            token.kind is Kind.COMMA
            or (token.kind is Kind.WORD and token.key in AND_WORDS)
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
            dash.kind is Kind.DASH or (dash.kind is Kind.WORD and dash.key in RANGE_WORDS)
        ):
            parsed_end = self.endpoint(after + 1, start=start)
            if parsed_end is not None:
                end, after = parsed_end
        return _Item(start, end), after

    def endpoint(self, index: int, *, start: _Endpoint | None) -> tuple[_Endpoint, int] | None:
        token = self.token(index)
        if token is None:
            return None
        if token.kind is Kind.NUMBER:
            return self.numeric_endpoint(index, start=start, prefixed=False)
        if token.kind is not Kind.WORD:
            return None
        key = token.key
        if key in JUZ_WORDS and self.usable_number(index + 1):
            return _Endpoint(juz=self.tokens[index + 1].value), index + 2
        if key in PREFIX_WORDS and self.is_kind(index + 1, Kind.NUMBER):
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
            and following.kind is Kind.WORD
            and following.key in VERSE_WORDS
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
        words: list[Token] = []
        cursor = index
        while len(words) < 5 and self.is_kind(cursor, Kind.WORD):
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
                and following.kind is Kind.WORD
                and following.key in VERSE_WORDS
                and self.usable_number(after + 1, verse=True)
            ):
                return _Endpoint(chapter=chapter, verse=self.tokens[after + 1].value), after + 2
            if self.usable_number(after):
                return _Endpoint(chapter=chapter, verse=self.tokens[after].value), after + 1
            explicit = words[0].key in PREFIX_WORDS and count > 1
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


def _diagnose(tokens: Sequence[Token], stop: int, text: str) -> VerseRangeError:
    """Why the input stops reading as ranges at token `stop`, as the most helpful error."""
    index = stop
    while index < len(tokens) and tokens[index].kind in (Kind.COMMA, Kind.DASH):
        index += 1
    at_item_start = stop == 0 or index > stop
    words: list[Token] = []
    while index < len(tokens) and tokens[index].kind is Kind.WORD and len(words) < 4:
        words.append(tokens[index])
        index += 1
    meaningful = [word for word in words if word.key not in PREFIX_WORDS]
    if at_item_start and meaningful and all(word.key not in UNIT_WORDS for word in meaningful):
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
    tokens = tokenize(text)
    if not any(token.kind in (Kind.NUMBER, Kind.WORD, Kind.OTHER) for token in tokens):
        raise VerseRangeError("empty")
    parse = _Parser(tokens, strict=False).parse()
    # Trailing punctuation is forgiven: "2:255." or "2:255, 3:5,".
    trailing = {token.kind for token in tokens[parse.stop :]}
    if not parse.items or not trailing <= {Kind.COMMA, Kind.COLON}:
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
    tokens = tokenize(text)
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
