"""The "I read it" button under group reminders: counts edited in place, reading credited to
the presser's own Quran.com account, the private link flow for members who did not link."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Any

from reminders_support import (
    GROUP_ID,
    MEMBER,
    NINE_CAIRO,
    OTHER_MEMBER,
    SLOT,
    add_group,
    clock_at,
    create_group_reminder,
    press_check_in,
    reminder_messages,
    tick,
)

from handlers.reminders.buttons import CheckIn
from handlers.replies import LinkAccount
from sandbox.harness import BotHarness
from sandbox.quran_foundation import FakeQuranFoundation

CREDIT_PATH = r"^/v1/activity-days$"


def harness(tmp_path: Path) -> BotHarness:
    clock = clock_at(NINE_CAIRO)
    return BotHarness(tmp_path, clock=clock, fake_qf=FakeQuranFoundation(clock=clock))


async def deliver(bot: BotHarness, portion: str | None) -> tuple[int, dict[str, Any]]:
    add_group(bot.world)
    reminder = await create_group_reminder(bot, portion=portion)
    assert await tick(bot) == ["sent"]
    [message] = reminder_messages(bot.world)
    return reminder.id, message


def credits_posted(bot: BotHarness) -> list[Any]:
    return bot.fake_qf.api_requests("POST", CREDIT_PATH)


async def test_linked_member_gets_the_group_portion_credited_once(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        reminder_id, message = await deliver(bot, "Al-Mulk")
        sub = await bot.link_account(MEMBER)

        [edited] = await press_check_in(bot, MEMBER, message=message)

        assert edited["text"].endswith("✅ Read (1): Maryam")
        assert edited["text"].startswith("🌿 Time for today's Quran reading!")
        assert bot.world.buttons(edited) == [
            ("✅ I read it", CheckIn.for_slot(reminder_id, SLOT).pack())
        ]
        answer = bot.world.answered_callbacks[-1]
        assert answer.text == "✅ Credited to your Quran.com account: Al-Mulk"
        day = bot.fake_qf.users[sub].activity_days[date(2026, 11, 23)]
        assert len(day.verses) == 30  # Surah Al-Mulk, 67:1-67:30
        [posted] = credits_posted(bot)
        assert posted.headers.get("x-timezone") == "Africa/Cairo"

        # Pressing again neither credits twice nor edits the message.
        assert await press_check_in(bot, MEMBER) == []
        assert "Already credited" in (bot.world.answered_callbacks[-1].text or "")
        assert len(credits_posted(bot)) == 1

        # A second linked member: credited to their own account, count goes to 2.
        other_sub = await bot.link_account(OTHER_MEMBER)
        [edited] = await press_check_in(bot, OTHER_MEMBER)
        assert edited["text"].endswith("✅ Read (2): Maryam and Yusuf")
        assert edited["text"].count("✅ ") == 1
        assert len(bot.fake_qf.users[other_sub].activity_days[date(2026, 11, 23)].verses) == 30
        assert await bot.deps.reminders.count_check_ins(reminder_id, SLOT) == 2
        assert bot.fake_qf.validation_errors == []


async def test_unlinked_member_who_never_started_the_bot_gets_a_login_link(
    tmp_path: Path,
) -> None:
    async with harness(tmp_path) as bot:
        await deliver(bot, "juz 30")
        [edited] = await press_check_in(bot, MEMBER)
        assert edited["text"].endswith("✅ Read (1): Maryam")
        answer = bot.world.answered_callbacks[-1]
        assert answer.url == "https://t.me/QuranCompanionBot?start=login"
        assert "Link Quran.com" in (answer.text or "")
        assert credits_posted(bot) == []
        assert len(bot.world.texts(GROUP_ID)) == 1  # nothing posted into the group


async def test_unlinked_member_with_a_private_chat_gets_the_link_button_there(
    tmp_path: Path,
) -> None:
    async with harness(tmp_path) as bot:
        await deliver(bot, "juz 30")
        bot.world.add_private_chat(MEMBER)
        await bot.press("I read it", user=MEMBER, chat_id=GROUP_ID)
        [private] = bot.world.sent(MEMBER.id)
        assert "Link your Quran.com account" in private["text"]
        assert bot.world.buttons(private) == [("🔗 Link Quran.com account", LinkAccount().pack())]
        assert "private message" in (bot.world.answered_callbacks[-1].text or "")


async def test_linked_member_without_a_portion_is_asked_privately_what_they_read(
    tmp_path: Path,
) -> None:
    async with harness(tmp_path) as bot:
        await deliver(bot, "pages 21-40")
        bot.world.add_private_chat(MEMBER)
        await bot.link_account(MEMBER)
        await bot.press("I read it", user=MEMBER, chat_id=GROUP_ID)
        [private] = bot.world.sent(MEMBER.id)
        assert "Masjid Reading Circle" in private["text"]
        assert "The group's portion: pages 21-40" in private["text"]
        assert "/read" in private["text"]
        assert credits_posted(bot) == []
        await bot.press("I read it", user=MEMBER, chat_id=GROUP_ID)
        assert len(bot.world.sent(MEMBER.id)) == 1  # asked once
        assert bot.world.answered_callbacks[-1].text == "You already checked in ✅"


async def test_a_failed_credit_is_released_and_the_next_press_retries_it(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        await deliver(bot, "67")
        sub = await bot.link_account(MEMBER)
        bot.fake_qf.fail_next(400, method="POST", path="/v1/activity-days$")
        await bot.press("I read it", user=MEMBER, chat_id=GROUP_ID)
        answer = bot.world.answered_callbacks[-1]
        assert answer.show_alert and answer.text
        assert "{" not in answer.text  # friendly, never raw JSON
        assert date(2026, 11, 23) not in bot.fake_qf.users[sub].activity_days

        await bot.press("I read it", user=MEMBER, chat_id=GROUP_ID)
        assert bot.world.answered_callbacks[-1].text is not None
        assert "Credited" in bot.world.answered_callbacks[-1].text
        assert len(bot.fake_qf.users[sub].activity_days[date(2026, 11, 23)].verses) == 30
        assert await bot.deps.reminders.count_check_ins(1, SLOT) == 1


async def test_forged_check_in_buttons_do_nothing(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        reminder_id, message = await deliver(bot, "juz 30")
        # Well-formed, but not what was sent under this message.
        for press in (
            CheckIn(reminder_id=reminder_id, day=date(2026, 11, 22), at=time(21, 0)),  # not sent
            CheckIn.for_slot(reminder_id + 1, SLOT),
        ):
            edits = await bot.press_data(
                press.pack(), user=MEMBER, chat_id=GROUP_ID, message=message
            )
            assert bot.world.answered_callbacks[-1].text == "This reminder is no longer active."
            assert edits == []
        # Malformed: refused by the callback registry before any reminder code runs.
        for data in (
            f"{CheckIn.prefix}:1:not-a-slot",
            f"{CheckIn.prefix}:{reminder_id}:20261123:2500",  # 25:00
            f"{CheckIn.prefix}:{reminder_id}:20261131:2100",  # 31 November
            f"{CheckIn.prefix}:0:20261123:2100",
            f"{CheckIn.prefix}:{reminder_id}:20261123:2100:{MEMBER.id}",
        ):
            edits = await bot.press_data(data, user=MEMBER, chat_id=GROUP_ID, message=message)
            assert bot.world.answered_callbacks[-1].text == "This button is no longer valid."
            assert edits == []
        assert await bot.deps.reminders.count_check_ins(reminder_id, SLOT) == 0
