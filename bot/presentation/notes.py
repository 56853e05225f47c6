"""Notes shown in Telegram: splitting long bodies into message-sized HTML, previews, dates."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from datetime import date

from babel.numbers import format_decimal

from bot.domain.notes import _JOINERS, _WHITESPACE_RUN
from bot.domain.verses import format_ranges, readable_ranges
from bot.i18n import Translator

#: Telegram's limit for one message's text (after entity parsing).
TELEGRAM_MESSAGE_LIMIT = 4096
#: Room for a note's text in one message: below the limit, leaving space for a header line.
DISPLAY_CHUNK = 3800


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
