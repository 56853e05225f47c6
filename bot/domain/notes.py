"""Note bodies without I/O: length rules (6-10,000 characters) and collecting typed parts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: `body.minLength` / `body.maxLength` of the note create, update and publish bodies.
NOTE_MIN_LENGTH = 6
NOTE_MAX_LENGTH = 10_000
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
