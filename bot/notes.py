"""Notes on verse ranges: the rules a note body follows and how notes are shown in Telegram.

A Quran.com note holds 6..10,000 characters (the `minLength`/`maxLength` of `body` in all three
User API specs) while one Telegram message holds at most 4,096. So a long note is *collected*
from several messages and *shown* in several messages. Both directions live here, free of
Telegram, so the wizard, the one-liner, /notes and the tests share one definition of "how long"
and "where to split".

Length is counted in Unicode code points: JSON Schema defines `maxLength` that way, and it is
what Python's `len` gives. (Quran.com's server counts emoji variation selectors as nothing, so
code points never undercount what it will accept; at worst a note that is just barely long
enough here could be a character short there, which its error then explains.)
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from babel.numbers import format_decimal

from bot.i18n import Translator
from bot.qf.models import Note
from bot.verses import format_ranges, readable_ranges

#: `body.minLength` / `body.maxLength` of the note create, update and publish bodies.
NOTE_MIN_LENGTH = 6
NOTE_MAX_LENGTH = 10_000
#: Telegram's limit for one message's text (after entity parsing).
TELEGRAM_MESSAGE_LIMIT = 4096
#: Room for a note's text in one message: below the limit, leaving space for a header line.
DISPLAY_CHUNK = 3800
#: Between two collected messages. Telegram clients split an over-long paste at a line break
#: (dropping it), so a newline restores the author's text exactly in the common case.
PART_SEPARATOR = "\n"

_WHITESPACE_RUN = re.compile(r"\s+")
_JOINERS = frozenset("\u200d\u200c\ufe0f\ufe0e")


def note_length(text: str) -> int:
    """The length the API checks against 6..10,000 (code points, as JSON Schema counts)."""
    return len(text)


def join_parts(parts: Iterable[str]) -> str:
    """Several collected messages as one note body."""
    return PART_SEPARATOR.join(part for part in parts if part)


@dataclass(frozen=True, slots=True)
class PartAdded:
    """The outcome of adding one message to a note being collected.

    When a part would take the note past the limit it is refused as a whole (`accepted` False):
    silently cutting someone's reflection mid-sentence would lose text, and the person still has
    the message on screen to shorten. `body` is then the unchanged body.
    """

    body: str
    accepted: bool
    #: Characters beyond NOTE_MAX_LENGTH the refused part would have caused (0 when accepted).
    over_by: int
    #: The longest next message that still fits (the separator before it counted).
    room: int


def room_after(body: str) -> int:
    """How long the next collected message may be without taking the note past the limit."""
    separator = len(PART_SEPARATOR) if body else 0
    return max(0, NOTE_MAX_LENGTH - note_length(body) - separator)


def add_part(body: str, part: str) -> PartAdded:
    """Append `part` to `body`, unless the note would then exceed NOTE_MAX_LENGTH."""
    candidate = join_parts((body, part))
    length = note_length(candidate)
    if length > NOTE_MAX_LENGTH:
        return PartAdded(body, False, length - NOTE_MAX_LENGTH, room_after(body))
    return PartAdded(candidate, True, 0, room_after(candidate))


def characters_missing(body: str) -> int:
    """How many more characters the note needs to reach NOTE_MIN_LENGTH (0 when enough).

    Surrounding whitespace does not count: "     ." is not a reflection.
    """
    return max(0, NOTE_MIN_LENGTH - note_length(body.strip()))


def characters_over(body: str) -> int:
    return max(0, note_length(body) - NOTE_MAX_LENGTH)


def is_valid_body(body: str) -> bool:
    return characters_missing(body) == 0 and characters_over(body) == 0


# ---------------------------------------------------------------------------------------------
# Showing a note in Telegram


def html_chunks(
    text: str, limit: int = DISPLAY_CHUNK, *, first_limit: int | None = None
) -> list[str]:
    """`text` as HTML-escaped pieces, each at most `limit` characters once escaped.

    The split happens on the raw text and each piece is escaped afterwards, so no piece can end
    inside `&amp;` or a tag. Pieces break at the last line break that leaves the piece at least
    half full, else at the last space, else (one enormous word) anywhere that does not separate
    a combining mark or joiner from its letter. `first_limit` leaves room for a header.
    """
    chunks: list[str] = []
    rest = text.strip()
    budget = first_limit if first_limit is not None else limit
    while rest:
        escaped = html.escape(rest)
        if len(escaped) <= budget:
            chunks.append(escaped)
            break
        cut = _cut_point(rest, budget)
        chunks.append(html.escape(rest[:cut].rstrip()))
        rest = rest[cut:].strip()
        budget = limit
    return [chunk for chunk in chunks if chunk]


def _cut_point(text: str, budget: int) -> int:
    """Where to end the next piece of `text` so that it fits `budget` once escaped."""
    fits = 0
    used = 0
    for index, character in enumerate(text):
        used += len(html.escape(character))
        if used > budget:
            break
        fits = index + 1
    fits = max(fits, 1)
    window = text[:fits]
    line_break = window.rfind("\n")
    if line_break >= fits // 2:
        return line_break + 1
    space = max(window.rfind(" "), window.rfind("\t"))
    if space >= fits // 2:
        return space + 1
    cut = fits
    while cut > 1 and (unicodedata.combining(text[cut]) or text[cut] in _JOINERS
                       or text[cut - 1] in _JOINERS):
        cut -= 1
    return cut


def preview(text: str, width: int = 90) -> str:
    """The start of a note on one line, for lists; plain text (escape it before sending)."""
    flat = _WHITESPACE_RUN.sub(" ", text).strip()
    if len(flat) <= width:
        return flat
    cut = flat.rfind(" ", 0, width)
    if cut < width // 2:
        cut = width
    return flat[:cut].rstrip(" ,;:.-") + "…"


def format_count(t: Translator, value: int) -> str:
    """`1,234` in English, `١٬٢٣٤` in Arabic."""
    system = "arab" if t.language == "ar" else "latn"
    return t.number(format_decimal(value, locale=t.language, numbering_system=system))


def format_day(t: Translator, day: date) -> str:
    """`Mar 12, 2026`-style dates for note headers, in the reader's language and digits."""
    return t.day(day, "d MMM y")


def describe_ranges(keys: Sequence[str], t: Translator) -> str:
    """`2:255–257, 3:5` for message text (plain; wrap in `t.isolate` inside RTL sentences)."""
    ranges = readable_ranges(keys)
    if ranges:
        return format_ranges(ranges, t.language)
    return t.join(keys)


def newest_first(groups: Iterable[Iterable[Note]]) -> list[Note]:
    """Notes from several lookups (one per range asked), each once, newest first."""
    seen: dict[str, Note] = {}
    for group in groups:
        for note in group:
            seen.setdefault(note.id, note)
    return sorted(seen.values(), key=lambda note: note.created_at, reverse=True)


def find_saved_copy(notes: Iterable[Note], body: str, ranges: Sequence[str]) -> Note | None:
    """A note already on Quran.com with exactly this body and these ranges.

    Before re-sending a draft whose last attempt may have reached the server (the answer was
    lost, or the bot restarted mid-request), this tells "saved after all" from "never arrived",
    so a retry cannot create a second copy.
    """
    wanted = sorted(ranges)
    matches = [
        note
        for note in notes
        if note.body == body and (not note.ranges or sorted(note.ranges) == wanted)
    ]
    return max(matches, key=lambda note: note.created_at, default=None)
