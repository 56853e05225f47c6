"""Goals and reading end to end: the real `python -m bot` process over HTTP against the fake
Telegram and the fake Quran Foundation.

The account and timezone are written into the bot's database before it starts (linking has its
own tests); everything after that is what a user does in Telegram.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from e2e_support import running_bot

from bot.sandbox.fake_qf import FakeQuranFoundation
from bot.sandbox.telegram_world import FakeUser, TelegramWorld
from storage import AccountRepository, ChatRepository, Database, TokenCipher

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

USER = FakeUser(5202, "Yusuf", username="yusuf", language_code="en")
SUB = "qf-yusuf"
ZONE = "Asia/Riyadh"
WAIT = 15.0


async def _prepare(data_dir: Path, fake: FakeQuranFoundation, key: str) -> None:
    fake.seed_user(SUB, name="Yusuf")
    tokens = fake.issue_tokens(SUB)
    database = Database.connect(f"sqlite+aiosqlite:///{data_dir / 'bot.sqlite3'}")
    try:
        await database.migrate()
        await AccountRepository(database, TokenCipher([key])).save(
            USER.id,
            qf_sub=SUB,
            display_name="Yusuf",
            access_token=tokens["access_token"],
            refresh_token=tokens.get("refresh_token"),
            expires_at=datetime.now(UTC) + timedelta(seconds=int(tokens["expires_in"])),
            scopes=str(tokens.get("scope", "")).split(),
        )
        chats = ChatRepository(database)
        await chats.ensure(USER.id, "private", None)
        await chats.update(USER.id, timezone=ZONE)
    finally:
        await database.close()


class Chat:
    """Yusuf's private chat with the running bot."""

    def __init__(self, world: TelegramWorld) -> None:
        self.world = world
        world.add_private_chat(USER)

    def _seen(self, expected: str) -> Callable[[], bool]:
        before = sum(expected in text for text in self.world.texts(USER.id))
        return lambda: sum(expected in text for text in self.world.texts(USER.id)) > before

    async def say(self, text: str, expect: str) -> dict[str, Any]:
        seen = self._seen(expect)
        sent = await self.world.user_sends(USER.id, USER, text)
        await self.world.wait_for(seen, WAIT)
        return sent

    async def press(self, label: str, expect: str) -> None:
        target = self._with_button(label)
        seen = self._seen(expect)
        await self.world.user_presses_label(USER.id, USER, target["message_id"], label)
        await self.world.wait_for(seen, WAIT)

    def _with_button(self, label: str) -> dict[str, Any]:
        for message in reversed(self.world.sent(USER.id)):
            if any(label in text for text, _ in self.world.buttons(message)):
                return message
        raise LookupError(f"no message with a {label!r} button: {self.world.texts(USER.id)}")


def _seconds_today(fake: FakeQuranFoundation) -> int:
    return sum(day.seconds for day in fake.users[SUB].activity_days.values())


async def test_goal_read_today_and_progress_end_to_end(tmp_path: Path) -> None:
    fake = FakeQuranFoundation()
    key = Fernet.generate_key().decode()
    await _prepare(tmp_path, fake, key)
    async with running_bot(
        tmp_path, fake_qf=fake, extra_env={"TOKEN_ENCRYPTION_KEY": key}
    ) as bot:
        chat = Chat(bot.world)
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
