"""The mushafs (page layouts) Quran Foundation knows, by the `mushafId` its API takes.

Page goals and "pages read" only make sense for one layout: 20 pages of the 16-line IndoPak
mushaf cover more text than 20 pages of the Madani one. The ids, and the page counts, are the
ones Quran.com's own client uses (`Mushaf` enum and `PAGES_MUSHAF_MAP` in quran.com-frontend-next);
layouts that map lists no count for (QCF Tajweed V4) fall back to its default of 604, because
they follow the Madani page breaks.

Default: Quran.com's reader starts new visitors on the "Madani V1" font (`QuranFont.MadaniV1`
in its default settings), which its `getMushafId` turns into mushaf 2 (QCF V1), and that is the
id it sends when such a user creates a goal. Using the same id means a goal made here counts
pages exactly as one made on Quran.com with the default settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_, Translator


@dataclass(frozen=True)
class Mushaf:
    id: int
    #: English name, marked for translation; show it with `mushaf_name`.
    name: str
    page_count: int


MUSHAFS: dict[int, Mushaf] = {
    mushaf.id: mushaf
    for mushaf in (
        Mushaf(1, N_("Madani, King Fahd Complex print of 1421 AH (QCF V2)"), 604),
        Mushaf(2, N_("Madani, King Fahd Complex print of 1405 AH (QCF V1)"), 604),
        Mushaf(3, N_("IndoPak"), 604),
        Mushaf(4, N_("Uthmani Hafs"), 604),
        Mushaf(5, N_("KFGQPC Hafs"), 604),
        Mushaf(6, N_("IndoPak, 15 lines"), 610),
        Mushaf(7, N_("IndoPak, 16 lines"), 548),
        Mushaf(11, N_("Tajweed, colour-coded"), 604),
        Mushaf(19, N_("Tajweed, QCF V4"), 604),
    )
}
#: Ids in the order a settings menu offers them.
MUSHAF_IDS: tuple[int, ...] = tuple(MUSHAFS)
DEFAULT_MUSHAF_ID = 2
#: Quran.com's page count for any layout it has no entry for.
FALLBACK_PAGE_COUNT = 604
JUZ_COUNT = 30


def is_valid_mushaf(mushaf_id: int) -> bool:
    return mushaf_id in MUSHAFS


def page_count(mushaf_id: int) -> int:
    """Pages in the layout; an id Quran Foundation adds later counts as 604, as on Quran.com."""
    mushaf = MUSHAFS.get(mushaf_id)
    return mushaf.page_count if mushaf else FALLBACK_PAGE_COUNT


def pages_per_juz(mushaf_id: int) -> int:
    """Pages that make up one juz on average (20 for the 604-page layouts, 18 for 16-line IndoPak).

    Juz boundaries fall on page boundaries in these prints, so the average is the real length
    of almost every juz.
    """
    return round(page_count(mushaf_id) / JUZ_COUNT)


def mushaf_name(mushaf_id: int, t: Translator) -> str:
    mushaf = MUSHAFS.get(mushaf_id)
    if mushaf is None:
        return t.gettext("Mushaf {id}", id=t.number(mushaf_id))
    return t.gettext(mushaf.name)
