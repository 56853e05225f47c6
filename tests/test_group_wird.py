"""A group wird that moves on: juz 1, juz 2, … per reminder day sent, across silent days and
restarts, a new round after the end of the Quran; check-ins credit what their message showed."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest
from reminders_support import (
    ADMIN,
    GROUP_ID,
    MEMBER,
    NINE_CAIRO,
    OTHER_MEMBER,
    add_group,
    clock_at,
    create_group_reminder,
    press_check_in,
    reminder_messages,
    tick,
)
from storage_helpers import ManualClock

from bot.domain.chapters import TOTAL_VERSES, juz_bounds
from bot.domain.hizbs import HIZB_COUNT, hizb_bounds
from bot.domain.verses import VerseRange
from bot.domain.wird import Wird, advance_position, parse_wird
from bot.services.reminders import group_reminder
from handlers.reminders.readers_list import ReadersListEditor, readers_list_editor
from sandbox.harness import BotHarness
from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.telegram import FakeUser

DAY = timedelta(days=1)


def test_juz_pages_surah_and_verse_wirds_move_on() -> None:
    juz = parse_wird("juz 1")
    assert juz == Wird("juz", 1, 1)
    assert [juz.portion(i).text() for i in range(3)] == ["juz 1", "juz 2", "juz 3"]
    pages = parse_wird("pages 1-20")
    assert pages is not None
    assert [pages.portion(i).text() for i in range(2)] == ["pages 1–20", "pages 21–40"]
    assert pages.portion(30).text() == "pages 601–604"  # the short last portion
    assert pages.portion(30).completes_round
    assert pages.portion(31).text() == "pages 1–20" and pages.portion(31).round_number == 2
    surah = parse_wird("Al-Mulk")
    assert surah is not None and surah.portion(1).text() == "Al-Qalam"
    verses = parse_wird("2:1-2:141")
    assert verses is not None and verses.portion(1).verse_ranges() == ["2:142-2:282"]
    assert parse_wird("الجزء ٣") == Wird("juz", 3, 1)
    assert parse_wird("صفحات ١-٢٠") == Wird("page", 1, 20)
    assert parse_wird("juz 31") is None
    assert parse_wird("Al-Kahf and Al-Mulk") is None


def test_juz_30_is_credited_as_78_1_to_114_6() -> None:
    assert Wird("juz", 30, 1).portion(0).verse_ranges() == ["78:1-114:6"]
    assert Wird("hizb", 1, 1).portion(1).verse_ranges() == ["2:75-2:141"]
    assert Wird("hizb", 59, 2).portion(0).verse_ranges() == ["78:1-114:6"]
    # Pages in the 604-page Madani layout: juz 1 is pages 1-21, Al-Fatiha alone on page 1.
    assert Wird("page", 1, 21).portion(0).verse_ranges() == ["1:1-2:141"]
    assert Wird("page", 1, 1).portion(0).verse_ranges() == ["1:1-1:7"]
    assert Wird("page", 1, 20).portion(30).verse_ranges() == ["103:1-114:6"]  # pages 601-604


def test_every_odd_hizb_starts_its_juz_and_hizbs_tile_the_quran() -> None:
    covered = 0
    for hizb in range(1, HIZB_COUNT + 1):
        (c1, v1), (c2, v2) = hizb_bounds(hizb)
        covered += VerseRange(c1, v1, c2, v2).verse_count
        if hizb % 2:
            assert (c1, v1) == juz_bounds((hizb + 1) // 2)[0]
    assert covered == TOTAL_VERSES


def test_the_wird_moves_per_reminder_day_not_per_calendar_day() -> None:
    monday = date(2026, 11, 23)
    assert advance_position(0, None, monday) == (0, monday)  # the first day: the first portion
    assert advance_position(0, monday, monday) == (0, monday)  # a second time that day
    # Five silent days later the group carries on with the next portion, skipping nothing.
    assert advance_position(0, monday, monday + 6 * DAY) == (1, monday + 6 * DAY)
    assert advance_position(4, monday, monday - DAY) == (4, monday)  # a late catch-up


async def _admin_sets(bot: BotHarness, text: str) -> None:
    await bot.world.anonymous_admin_sends(GROUP_ID, text)
    await bot.process_pending()


async def _deliver_today(bot: BotHarness, reminder_id: int) -> str:
    assert await tick(bot) == ["sent"]
    return str(reminder_messages(bot.world)[-1]["text"])


async def test_juz_wird_advances_across_days_silences_and_restarts(tmp_path: Path) -> None:
    clock: ManualClock = clock_at(NINE_CAIRO)
    bot = BotHarness(tmp_path, clock=clock)
    async with bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        await _admin_sets(bot, "/reminders portion juz 1")
        assert "Wird: today juz 1, tomorrow juz 2" in bot.world.texts(GROUP_ID)[-1]

        assert "📖 Today: juz 1" in await _deliver_today(bot, reminder.id)
        clock.advance(DAY)
        assert "📖 Today: juz 2" in await _deliver_today(bot, reminder.id)

        # Reminders off for three days: nobody was told to read juz 3, so it comes next.
        await _admin_sets(bot, "/reminders off")
        clock.advance(3 * DAY)
        await _admin_sets(bot, "/reminders on")
        assert "📖 Today: juz 3" in await _deliver_today(bot, reminder.id)

        # Down over a day; the position lives in the database.
        await bot.stop()
        clock.advance(DAY)
        await bot.start()
        assert "📖 Today: juz 4" in reminder_messages(bot.world)[-1]["text"]  # the catch-up
        await bot.restart()
        assert len([m for m in reminder_messages(bot.world) if "juz 4" in m["text"]]) == 1
        stored = await group_reminder(bot.deps, GROUP_ID)
        assert stored is not None and stored.wird_index == 3


async def test_end_of_the_quran_is_congratulated_and_the_next_round_starts(
    tmp_path: Path,
) -> None:
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        await _admin_sets(bot, "/reminders portion juz 30")
        last = await _deliver_today(bot, reminder.id)
        assert "📖 Today: juz 30" in last
        assert "completes the Quran" in last
        clock.advance(DAY)
        first = await _deliver_today(bot, reminder.id)
        assert "📖 Today: juz 1" in first and "completes" not in first


async def test_fixed_portion_repeats_every_day(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        await _admin_sets(bot, "/reminders portion fixed Al-Kahf")
        assert "📖 Today: Al-Kahf" in await _deliver_today(bot, reminder.id)
        clock.advance(7 * DAY)
        assert "📖 Today: Al-Kahf" in await _deliver_today(bot, reminder.id)


async def test_out_of_range_juz_is_refused_with_the_examples(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        await create_group_reminder(bot)
        await _admin_sets(bot, "/reminders portion juz 31")
        assert "Start a wird that moves on" in bot.world.texts(GROUP_ID)[-1]
        stored = await group_reminder(bot.deps, GROUP_ID)
        assert stored is not None and stored.wird is None and stored.portion is None


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_check_in_credits_the_portion_its_message_showed(
    tmp_path: Path, language: str
) -> None:
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock, fake_qf=FakeQuranFoundation(clock=clock)) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        await bot.deps.chats.update(GROUP_ID, language=language)
        await _admin_sets(bot, "/reminders portion juz 30")
        await _deliver_today(bot, reminder.id)
        message = reminder_messages(bot.world)[-1]
        # The admin changes the portion before anyone presses.
        await _admin_sets(bot, "/reminders portion Al-Fatiha")
        sub = await bot.link_account(MEMBER)
        await bot.press("✅", user=MEMBER, chat_id=GROUP_ID, message=message)
        verses = bot.fake_qf.users[sub].activity_days[date(2026, 11, 23)].verses
        assert len(verses) == 564  # juz 30, 78:1-114:6, not Al-Fatiha's 7
        assert bot.fake_qf.validation_errors == []


async def test_names_of_members_who_read_are_listed_escaped(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot, portion="pages 1-2")
        await _deliver_today(bot, reminder.id)
        message = reminder_messages(bot.world)[-1]
        [edited] = await press_check_in(bot, MEMBER, message=message)
        assert edited["text"].endswith("✅ Read (1): Maryam")
        [edited] = await press_check_in(bot, OTHER_MEMBER, message=edited)
        assert edited["text"].endswith("✅ Read (2): Maryam and Yusuf")


async def test_a_burst_of_presses_makes_few_edits_and_the_last_shows_everyone() -> None:
    editor = ReadersListEditor()
    gate = asyncio.Event()
    pressed: list[int] = []
    shown: list[list[int]] = []

    async def edit() -> None:
        await gate.wait()  # the edit waits in the send budget
        shown.append(list(pressed))

    for member in range(40):
        pressed.append(member)
        editor.refresh((GROUP_ID, 7), edit)
        await asyncio.sleep(0)  # the first edit starts and waits; the others only mark it
    gate.set()
    await editor.settled()
    assert len(shown) == 2  # the first edit, then one more with everyone who came meanwhile
    assert shown[-1] == list(range(40))


async def test_many_readers_are_listed_bounded(tmp_path: Path) -> None:
    readers = [FakeUser(3000 + n, f"Reader{n} <b>") for n in range(35)]
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        bot.world.add_group(GROUP_ID, "Circle", admins=[ADMIN], members=readers)
        reminder = await create_group_reminder(bot)
        await _deliver_today(bot, reminder.id)
        message = reminder_messages(bot.world)[-1]
        for reader in readers:
            await bot.press("✅", user=reader, chat_id=GROUP_ID, message=message)
        await readers_list_editor(bot.app).settled()
        final = bot.world.sent(GROUP_ID)[-1]["text"]
        assert final.endswith("Reader29 <b>\u2069, and 5 more")
        assert "Read (35): \u2068Reader0 <b>\u2069" in final  # escaped: shown as typed
        assert len(final) < 4096
