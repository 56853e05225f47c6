"""Goals and reading end to end: the real `python -m bot` process over HTTP against the fake
Telegram and the fake Quran Foundation.

The account and timezone are written into the bot's database before it starts (linking has its
own tests); everything after that is what a user does in Telegram.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from e2e_support import PrivateChat, link_before_start, running_bot

from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.telegram import FakeUser

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

USER = FakeUser(5202, "Yusuf", username="yusuf", language_code="en")
SUB = "qf-yusuf"
ZONE = "Asia/Riyadh"


def _seconds_today(fake: FakeQuranFoundation) -> int:
    return sum(day.seconds for day in fake.users[SUB].activity_days.values())


async def test_goal_read_today_and_progress_end_to_end(tmp_path: Path) -> None:
    fake = FakeQuranFoundation()
    key = Fernet.generate_key().decode()
    await link_before_start(tmp_path, fake, USER, sub=SUB, encryption_key=key, timezone=ZONE)
    async with running_bot(
        tmp_path, fake_qf=fake, extra_env={"TOKEN_ENCRYPTION_KEY": key}
    ) as bot:
        chat = PrivateChat(bot.world, USER)
        # The wizard: a preset, its first-week preview, confirm.
        await chat.say("/goal", "Set a reading goal")
        await chat.press("10 minutes a day", "Your first week")
        await chat.press("Confirm", "Your goal is set: 10 minutes a day")
        (goal,) = fake.users[SUB].goals.values()
        assert (goal.type, goal.amount) == ("QURAN_TIME", 600)

        # A one-liner replaces it in place, and Undo brings it back.
        await chat.say("/goal 15min", "Goal set: 15 minutes a day")
        await chat.press("Undo", "your goal is back to 10 minutes a day")
        assert [g.amount for g in fake.users[SUB].goals.values()] == [600]

        # Reading done elsewhere, credited once even when the message is edited.
        sent = await chat.say("/read 1:1-1:7 5min", "Credited 1:1–7 (5 minutes)")
        await bot.world.user_edits(USER.id, USER, sent["message_id"], "/read 1:1-1:7 9min")
        await chat.say("/today", "50%")
        assert _seconds_today(fake) == 300

        # The quick button on /today, and a chart from /progress.
        await chat.press("+5 min", "100%")
        assert _seconds_today(fake) == 600
        await chat.say("/progress", "Streak: 1 day")
        upload = bot.world.uploads[-1]
        assert upload.kind == "photo" and upload.chat_id == USER.id and upload.size > 1000
        assert fake.validation_errors == []
        assert "Traceback" not in bot.log
        assert [r.json["seconds"] for r in fake.api_requests("POST", "^/v1/activity-days$")] == [
            300, 300,
        ]


async def test_page_goal_logged_in_pages_end_to_end(tmp_path: Path) -> None:
    """A goal in pages, logged in pages: typed page numbers, a count that carries on from
    there (surviving in the database), and /today's page button."""
    fake = FakeQuranFoundation()
    key = Fernet.generate_key().decode()
    await link_before_start(tmp_path, fake, USER, sub=SUB, encryption_key=key, timezone=ZONE)
    async with running_bot(
        tmp_path, fake_qf=fake, extra_env={"TOKEN_ENCRYPTION_KEY": key}
    ) as bot:
        chat = PrivateChat(bot.world, USER)
        await chat.say("/goal 4 pages", "Goal set: 4 pages a day")
        await chat.say("/read pages 21-22", "Credited pages 21–22: 2:135–145")
        await chat.say("/read 1 page", "Credited page 23: 2:146–153")
        await chat.say("/today", "Today's target: 4 pages")
        await chat.press("📖 I read page", "✅ Credited page")  # the next pages: from 24
        ranges = [r.json["ranges"] for r in fake.api_requests("POST", "^/v1/activity-days$")]
        assert ranges[:2] == [["2:135-2:145"], ["2:146-2:153"]]
        assert len(ranges) == 3 and ranges[2][0].startswith("2:154-")
        assert fake.validation_errors == []
        assert "Traceback" not in bot.log
