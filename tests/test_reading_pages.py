"""Reading logged in pages: the vendored Madani page map, what `/read page 5`, `/read pages
21-22`, `/read 2 pages` and their Arabic forms credit, and /today's page buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from harness_support import linked_bot

from bot.domain.chapters import JUZ_COUNT, JUZ_STARTS, verse_ordinal
from bot.domain.mushafs import DEFAULT_MUSHAF_ID, MUSHAFS
from bot.domain.page_starts_madani import MADANI_PAGE_STARTS
from bot.domain.pages import (
    PageInputError,
    PageRequest,
    credit_for_pages,
    page_map,
    parse_page_command,
)
from sandbox.harness import BotHarness
from sandbox.telegram import FakeUser

ACTIVITY = r"^/v1/activity-days$"
ARABIC_USER = FakeUser(3001, "Bilal", username="bilal", language_code="ar")

JSONDict = dict[str, Any]


# --- the vendored map -----------------------------------------------------------------------


def test_madani_map_has_604_pages_from_al_fatiha_to_al_ikhlas() -> None:
    assert len(MADANI_PAGE_STARTS) == 604
    assert MADANI_PAGE_STARTS[0] == (1, 1)
    assert MADANI_PAGE_STARTS[1] == (2, 1)
    assert MADANI_PAGE_STARTS[603] == (112, 1)
    ordinals = [verse_ordinal(*start) for start in MADANI_PAGE_STARTS]
    assert ordinals == sorted(set(ordinals))


def test_every_juz_starts_on_its_page_of_the_madani_print() -> None:
    """Juz n starts on page 20(n-1)+2 (juz 1 on page 1); four juz start at the foot of the
    page before (3:93, 5:82, 9:93 are printed at the bottom of pages 62, 121, 201)."""
    pages = page_map(DEFAULT_MUSHAF_ID)
    assert pages is not None
    starts_mid_page = []
    for juz in range(1, JUZ_COUNT + 1):
        ordinal = verse_ordinal(*JUZ_STARTS[juz - 1])
        expected = 1 if juz == 1 else 20 * (juz - 1) + 2
        page = pages.page_of(ordinal)
        assert page in (expected, expected - 1), juz
        if pages.first_ordinal(page) != ordinal:
            starts_mid_page.append(juz)
    assert starts_mid_page == [4, 7, 11, 26]


def test_the_madani_layouts_share_the_map_and_indopak_has_none() -> None:
    for mushaf_id, mushaf in MUSHAFS.items():
        if "IndoPak" in mushaf.name:
            assert page_map(mushaf_id) is None
        else:
            pages = page_map(mushaf_id)
            assert pages is not None and pages.page_count == mushaf.page_count


# --- what was typed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("page 5", PageRequest(first=5, last=5)),
        ("Page 5 10min", PageRequest(first=5, last=5, seconds=600)),
        ("pages 21-22", PageRequest(first=21, last=22)),
        ("pages 21 to 22", PageRequest(first=21, last=22)),
        ("2 pages", PageRequest(count=2)),
        ("1 page", PageRequest(count=1)),
        ("a page", PageRequest(count=1)),
        ("صفحة 5", PageRequest(first=5, last=5)),
        ("صفحة ٥", PageRequest(first=5, last=5)),
        ("الصفحات 21-22", PageRequest(first=21, last=22)),
        ("الصفحات ٢١-٢٢", PageRequest(first=21, last=22)),
        ("صفحات ٢١ إلى ٢٢", PageRequest(first=21, last=22)),
        ("صفحتين", PageRequest(count=2)),
        ("٣ صفحات", PageRequest(count=3)),
        ("صفحة واحدة", PageRequest(count=1)),
        ("page", PageRequest(count=1)),
        ("page 10min", PageRequest(count=1, seconds=600)),
        ("page 10 min", PageRequest(count=1, seconds=600)),
        ("page 5 1h", PageRequest(first=5, last=5, seconds=3600)),
        ("صفحة 10 دقائق", PageRequest(count=1, seconds=600)),
    ],
)
def test_page_forms_in_english_and_arabic(text: str, expected: PageRequest) -> None:
    assert parse_page_command(text) == expected


@pytest.mark.parametrize("text", ["2:1-5", "surah 2", "Al-Mulk", "15min", "10", "juz 30"])
def test_other_reading_is_not_taken_for_pages(text: str) -> None:
    assert parse_page_command(text) is None


def test_pages_become_the_verses_printed_on_them() -> None:
    credit = credit_for_pages(PageRequest(first=21, last=22), DEFAULT_MUSHAF_ID, None)
    assert [item.key for item in credit.request.ranges] == ["2:135-2:145"]
    last = credit_for_pages(PageRequest(first=604, last=604), DEFAULT_MUSHAF_ID, None)
    assert [item.key for item in last.request.ranges] == ["112:1-114:6"]


def test_a_count_carries_on_from_the_last_verse_and_ends_at_a_page_end() -> None:
    after_page_2 = credit_for_pages(PageRequest(count=2), DEFAULT_MUSHAF_ID, (2, 5))
    assert (after_page_2.first, after_page_2.last) == (3, 4)
    assert [item.key for item in after_page_2.request.ranges] == ["2:6-2:24"]
    mid_page = credit_for_pages(PageRequest(count=1), DEFAULT_MUSHAF_ID, (2, 10))
    assert [item.key for item in mid_page.request.ranges] == ["2:11-2:16"]
    after_khatm = credit_for_pages(PageRequest(count=1), DEFAULT_MUSHAF_ID, (114, 6))
    assert [item.key for item in after_khatm.request.ranges] == ["1:1-1:7"]


@pytest.mark.parametrize(
    ("asked", "mushaf_id", "last", "code"),
    [
        (PageRequest(first=605, last=605), DEFAULT_MUSHAF_ID, None, "page_out_of_range"),
        (PageRequest(first=0, last=0), DEFAULT_MUSHAF_ID, None, "page_out_of_range"),
        (PageRequest(first=22, last=21), DEFAULT_MUSHAF_ID, None, "reversed_pages"),
        (PageRequest(count=2), DEFAULT_MUSHAF_ID, None, "no_position"),
        (PageRequest(first=5, last=5), 7, None, "no_page_map"),
    ],
)
def test_pages_that_cannot_be_credited_say_why(
    asked: PageRequest, mushaf_id: int, last: tuple[int, int] | None, code: str
) -> None:
    with pytest.raises(PageInputError) as caught:
        credit_for_pages(asked, mushaf_id, last)
    assert caught.value.code == code


# --- /read in pages, as a user sends it ------------------------------------------------------


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with linked_bot(tmp_path) as harness:
        yield harness


def credited_ranges(bot: BotHarness) -> list[list[str]]:
    return [r.json["ranges"] for r in bot.fake_qf.api_requests("POST", ACTIVITY)]


def text_of(message: JSONDict) -> str:
    return str(message.get("text") or "")


async def test_read_page_5_credits_the_verses_of_page_5(bot: BotHarness) -> None:
    (reply,) = await bot.send("/read page 5")
    assert credited_ranges(bot) == [["2:25-2:29"]]
    assert "✅ Credited page 5: 2:25" in text_of(reply)


async def test_read_pages_21_22_then_2_pages_carries_on(bot: BotHarness) -> None:
    (first,) = await bot.send("/read pages 21-22")
    assert "pages 21–22" in text_of(first)
    (second,) = await bot.send("/read 2 pages")
    assert credited_ranges(bot) == [["2:135-2:145"], ["2:146-2:163"]]
    assert "pages 23–24" in text_of(second)


async def test_read_verses_then_a_page_starts_after_them(bot: BotHarness) -> None:
    await bot.send("/read 2:1-2:5")
    await bot.send("/read 1 page")
    assert credited_ranges(bot) == [["2:1-2:5"], ["2:6-2:16"]]


async def test_pages_without_a_known_position_ask_for_page_numbers(bot: BotHarness) -> None:
    (reply,) = await bot.send("/read 2 pages")
    assert "I don't know where you stopped yet" in text_of(reply)
    assert credited_ranges(bot) == []


async def test_page_beyond_the_mushaf_is_refused(bot: BotHarness) -> None:
    (reply,) = await bot.send("/read page 700")
    assert "There is no page 700: your mushaf has pages 1 to 604." in text_of(reply)
    assert credited_ranges(bot) == []


async def test_indopak_reader_is_told_page_logging_is_not_available(bot: BotHarness) -> None:
    assert bot.deps is not None
    await bot.deps.chats.update(bot.user.id, mushaf_id=7)
    (reply,) = await bot.send("/read page 5")
    assert "Logging by page isn't available yet for your mushaf (IndoPak, 16 lines)" in (
        text_of(reply)
    )
    assert credited_ranges(bot) == []


async def test_arabic_page_forms_credit_the_right_verses(tmp_path: Path) -> None:
    async with linked_bot(tmp_path) as bot:
        await bot.link_account(ARABIC_USER)
        await bot.set_timezone("Africa/Cairo", chat_id=ARABIC_USER.id)
        (first,) = await bot.send("/read الصفحات ٢١-٢٢", user=ARABIC_USER)
        (second,) = await bot.send("/read صفحتين", user=ARABIC_USER)
        (third,) = await bot.send("/read صفحة ٥", user=ARABIC_USER)
        assert credited_ranges(bot) == [["2:135-2:145"], ["2:146-2:163"], ["2:25-2:29"]]
        assert "الصفحات ٢١–٢٢" in text_of(first)
        assert "الصفحات ٢٣–٢٤" in text_of(second)
        assert "الصفحة ٥" in text_of(third)


# --- a goal in pages ------------------------------------------------------------------------


async def test_page_goal_today_offers_the_next_pages_and_credits_them(bot: BotHarness) -> None:
    await bot.send("/goal 3 pages")
    await bot.send("/read page 21")
    (today,) = await bot.send("/today")
    labels = [label for label, _ in bot.world.buttons(today)]
    # What is left of the target (Quran.com counts the pages read), on from page 21.
    offered = next(label for label in labels if label.startswith("📖 I read pages 22–"))
    assert "📖 Only page 22" in labels
    assert "Today's target: 3 pages" in text_of(today)
    assert "/read 2 pages" in text_of(today)
    data = next(data for label, data in bot.world.buttons(today) if label == offered)
    await bot.press(offered)
    await bot.press_data(str(data))  # the same press again (a double tap) credits nothing
    ranges = credited_ranges(bot)
    assert len(ranges) == 2 and ranges[1][0].startswith("2:142-")


async def test_page_goal_today_starts_at_page_1_for_a_new_reader(bot: BotHarness) -> None:
    await bot.send("/goal 1 page")
    (today,) = await bot.send("/today")
    assert "Today's target: 1 page" in text_of(today)
    (credited,) = await bot.press("📖 I read page 1")
    assert "✅ Credited page 1: 1:1–7" in text_of(credited)
    assert credited_ranges(bot) == [["1:1-1:7"]]
    (reply,) = await bot.send("/read 1 page")
    assert "page 2" in text_of(reply)
    assert credited_ranges(bot)[-1] == ["2:1-2:5"]


async def test_arabic_page_goal_today_offers_page_buttons(tmp_path: Path) -> None:
    async with linked_bot(tmp_path) as bot:
        await bot.link_account(ARABIC_USER)
        await bot.set_timezone("Africa/Cairo", chat_id=ARABIC_USER.id)
        await bot.send("/goal صفحتين", user=ARABIC_USER)
        (today,) = await bot.send("/today", user=ARABIC_USER)
        labels = [label for label, _ in bot.world.buttons(today)]
        assert "📖 قرأت الصفحات ١–٢" in labels
        assert any(label.endswith("📖 الصفحة ١ فقط") for label in labels)
        assert "/read صفحتين" in text_of(today)
        (credited,) = await bot.press("📖 قرأت الصفحات ١–٢", user=ARABIC_USER)
        assert "الصفحات ١–٢" in text_of(credited)
        assert credited_ranges(bot) == [["1:1-2:5"]]


async def test_a_page_button_after_switching_to_indopak_changes_nothing(
    bot: BotHarness,
) -> None:
    await bot.send("/goal 2 pages")
    (today,) = await bot.send("/today")
    assert bot.deps is not None
    await bot.deps.chats.update(bot.user.id, mushaf_id=7)
    await bot.press("📖 I read pages 1–2", message=today)
    assert credited_ranges(bot) == []
    answers = [c for c in bot.world.calls if c.method == "answerCallbackQuery"]
    assert "Your mushaf changed since this was shown." in str(answers[-1].params)
