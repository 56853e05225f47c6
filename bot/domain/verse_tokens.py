"""What people type as verse references, cut into tokens (the lexer of `verse_parsing`).

A token knows its kind (number, colon, dash, comma, word, anything else), where it stands in the
text, and the two facts the parser cannot see from the kind alone: a number glued to letters
("15min") and a token detached from the one before by a quote, bracket or line break. The
keyword vocabularies below (surah, verse, juz, "to", units of time, "and") are compared by each
word's folded key, so spelling variants and Arabic forms match alike.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum, auto

from bot.domain.chapters import name_key

#: Numbers longer than this cannot be verses or chapters; they are capped instead of converted.
_MAX_DIGITS = 6
_TOO_BIG = 10**_MAX_DIGITS


class Kind(Enum):
    NUMBER = auto()
    COLON = auto()
    DASH = auto()
    COMMA = auto()
    WORD = auto()
    OTHER = auto()


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
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
#: Wrappers that close one opened before: right after a token they end it (`(2:255), …`).
_CLOSING = frozenset(")]}»>”“\"")  # “ closes German „quotes“


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


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
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


def _token_at(text: str, i: int, *, detached: bool) -> Token:
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
        return Token(Kind.NUMBER, text[i:j], i, j, value, glued, detached)
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
        return Token(Kind.WORD, word, i, j, detached=detached, key=name_key(word))
    if ch in _COLONS:
        kind = Kind.COLON
    elif ch in _DASHES:
        kind = Kind.DASH
    elif ch in _COMMAS:
        kind = Kind.COMMA
    else:
        kind = Kind.OTHER
    return Token(kind, ch, i, i + 1, detached=detached)


def _keys(*words: str) -> frozenset[str]:
    return frozenset(name_key(word) for word in words)


PREFIX_WORDS = _keys("surah", "sura", "surat", "soorah", "chapter", "سورة", "سوره", "السورة")


VERSE_WORDS = _keys(
    "verse", "verses", "ayah", "ayat", "ayahs", "ayaat", "aya", "v", "vv", "vs",
    "آية", "آيات", "الآية", "الآيات", "اية",
)


JUZ_WORDS = _keys("juz", "juz'", "juzz", "jus", "para", "parah", "paara", "sipara", "جزء", "الجزء")


RANGE_WORDS = _keys("to", "till", "until", "through", "thru", "الى", "إلى", "حتى")


#: Words that make the number before them an amount ("mulk 10 min" is not verse 10).
UNIT_WORDS = _keys(
    "s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minute", "minutes",
    "h", "hr", "hrs", "hour", "hours", "p", "pg", "pgs", "page", "pages", "d", "day", "days",
    "w", "wk", "week", "weeks", "x", "times", "juz", "para",
    "ثانية", "ثواني", "ثوان", "دقيقة", "دقائق", "دقيقه", "ساعة", "ساعات", "صفحة", "صفحات",
    "يوم", "أيام", "ايام", "يوما", "أسبوع", "اسبوع", "أسابيع", "مرة", "مرات", "جزء",
)


AND_WORDS = _keys("and", "و")
