"""Where each of the 60 hizbs begins (two to a juz), for group wirds that move by hizb.

Source: the Tanzil Quran metadata (quran-data.js, "HizbQaurter": every fourth quarter-hizb
starts a hizb), Copyright (C) 2008-2009 Tanzil.info, licensed under Creative Commons
Attribution 3.0 (https://tanzil.net/docs/quran_metadata). Every odd hizb starts where its juz
starts in `bot.domain.chapters` (a test checks it).
"""

from __future__ import annotations

from bot.domain.chapters import CHAPTER_COUNT, VERSE_COUNTS

HIZB_COUNT = 60

#: (chapter, verse) of the first verse of hizb 1..60.
HIZB_STARTS: tuple[tuple[int, int], ...] = (
    (1, 1), (2, 75), (2, 142), (2, 203), (2, 253), (3, 15),
    (3, 93), (3, 171), (4, 24), (4, 88), (4, 148), (5, 27),
    (5, 82), (6, 36), (6, 111), (7, 1), (7, 88), (7, 171),
    (8, 41), (9, 34), (9, 93), (10, 26), (11, 6), (11, 84),
    (12, 53), (13, 19), (15, 1), (16, 51), (17, 1), (17, 99),
    (18, 75), (20, 1), (21, 1), (22, 1), (23, 1), (24, 21),
    (25, 21), (26, 111), (27, 56), (28, 51), (29, 46), (31, 22),
    (33, 31), (34, 24), (36, 28), (37, 145), (39, 32), (40, 41),
    (41, 47), (43, 24), (46, 1), (48, 18), (51, 31), (55, 1),
    (58, 1), (62, 1), (67, 1), (72, 1), (78, 1), (87, 1),
)


def hizb_bounds(hizb: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """First and last (chapter, verse) of hizb `hizb` (1..60)."""
    if not 1 <= hizb <= HIZB_COUNT:
        raise ValueError(f"there is no hizb {hizb}")
    first = HIZB_STARTS[hizb - 1]
    if hizb == HIZB_COUNT:
        return first, (CHAPTER_COUNT, VERSE_COUNTS[-1])
    chapter, verse = HIZB_STARTS[hizb]
    if verse > 1:
        return first, (chapter, verse - 1)
    return first, (chapter - 1, VERSE_COUNTS[chapter - 2])
