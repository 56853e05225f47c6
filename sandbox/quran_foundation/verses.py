"""Verse keys and ranges as the User API writes them ("2:255", "1:1-1:7"), over verse indices.

Indices count verses from the start of the Quran (0 is 1:1), so ranges become integer spans and
sets; anything that is not a verse answers 422 as the server does.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from typing import Final

from bot.domain.chapters import VERSE_COUNTS
from sandbox.quran_foundation.errors import ApiError

_CUMULATIVE: Final = tuple(itertools.accumulate(VERSE_COUNTS, initial=0))
_VERSE_KEY = re.compile(r"^(\d+):(\d+)$")
_VERSE_RANGE = re.compile(r"^(\d+):(\d+)-(\d+):(\d+)$")


def verse_index(chapter: int, verse: int) -> int:
    if not 1 <= chapter <= len(VERSE_COUNTS) or not 1 <= verse <= VERSE_COUNTS[chapter - 1]:
        raise ApiError(422, f"{chapter}:{verse} is not a verse of the Quran")
    return _CUMULATIVE[chapter - 1] + verse - 1


def verse_key(index: int) -> str:
    chapter = bisect.bisect_right(_CUMULATIVE, index)
    return f"{chapter}:{index - _CUMULATIVE[chapter - 1] + 1}"


def parse_key(text: str) -> int:
    found = _VERSE_KEY.match(text)
    if found is None:
        raise ApiError(422, f"{text!r} is not a verse key")
    return verse_index(int(found[1]), int(found[2]))


def parse_range(text: str) -> tuple[int, int]:
    found = _VERSE_RANGE.match(text.strip())
    if found is None:
        raise ApiError(422, f"{text!r} is not a verse range")
    start = verse_index(int(found[1]), int(found[2]))
    end = verse_index(int(found[3]), int(found[4]))
    if start > end:
        raise ApiError(422, f"{text!r} ends before it starts")
    return start, end


def parse_ranges(texts: Iterable[str]) -> list[tuple[int, int]]:
    """Ranges as activity days accept them: each item may join several with commas."""
    return [parse_range(part) for text in texts for part in text.split(",") if part.strip()]


def format_range(start: int, end: int) -> str:
    return f"{verse_key(start)}-{verse_key(end)}"


def format_ranges(indices: Iterable[int]) -> list[str]:
    ordered = sorted(set(indices))
    runs: list[str] = []
    run_start = previous = None
    for index in ordered:
        if previous is not None and index == previous + 1:
            previous = index
            continue
        if run_start is not None and previous is not None:
            runs.append(format_range(run_start, previous))
        run_start = previous = index
    if run_start is not None and previous is not None:
        runs.append(format_range(run_start, previous))
    return runs


def verses_in(ranges: Iterable[tuple[int, int]]) -> set[int]:
    return {index for start, end in ranges for index in range(start, end + 1)}
