"""Notes as Quran.com returns them: ordering, and finding a copy saved by an ambiguous create."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.qf.models import Note


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
