"""Interrupted commands end to end: the real process over HTTP, fake Telegram and Quran.com.

`/goal 15 min` before the timezone is known asks for it; the answer gets one message holding
the timezone confirmation and the goal (no "Now, where were we", no Continue to press), in
English and in Arabic. A `/read` refused for want of a linked account is credited in the very
message that confirms the link (`/start c_<code>`).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from e2e_support import PrivateChat, link_before_start, running_bot

from bot.services.linking import CONFIRM_LINK
from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.telegram import FakeUser, TelegramWorld
from storage import ChatRepository, Database

pytestmark = pytest.mark.e2e

SUB = "qf-hamza"
_SENDS = {"sendmessage", "sendphoto"}
_EDITS = {"editmessagetext", "editmessagecaption", "editmessagereplymarkup"}


def _count(world: TelegramWorld, since: int, methods: set[str]) -> int:
    return sum(1 for call in world.calls[since:] if call.method.lower() in methods)


@pytest.mark.parametrize(("language", "place", "goal_set"), [
    ("en", "Cairo", "✅ Goal set: 15 minutes a day"),
    ("ar", "القاهرة", "١٥"),
])
async def test_goal_before_the_timezone_answers_in_one_message_end_to_end(
    tmp_path: Path, language: str, place: str, goal_set: str
) -> None:
    user = FakeUser(5201, "Hamza", username="hamza", language_code=language)
    fake = FakeQuranFoundation(contract="production")
    key = Fernet.generate_key().decode()
    await link_before_start(tmp_path, fake, user, sub=SUB, encryption_key=key)  # no timezone
    async with running_bot(tmp_path, fake_qf=fake, extra_env={"TOKEN_ENCRYPTION_KEY": key}) as bot:
        chat = PrivateChat(bot.world, user)
        start = len(bot.world.calls)
        await chat.say("/goal 15 min", "/goal 15 min")  # the question says what it will do
        await chat.say(place, "Africa/Cairo")
        answer = bot.world.texts(user.id)[-1]
        assert "Africa/Cairo" in answer and goal_set in answer
        assert "Continue" not in answer
        # The question and one answer; nothing edited, nothing to press.
        assert _count(bot.world, start, _SENDS) == 2
        assert _count(bot.world, start, _EDITS) == 0
        (goal,) = fake.users[SUB].goals.values()
        assert (goal.type, goal.amount) == ("QURAN_TIME", 900)
        assert fake.validation_errors == []


async def _timezone_before_start(data_dir: Path, user: FakeUser, zone: str) -> None:
    database = Database.connect(f"sqlite+aiosqlite:///{data_dir / 'bot.sqlite3'}")
    try:
        await database.migrate()
        chats = ChatRepository(database)
        await chats.ensure(user.id, "private", None)
        await chats.update(user.id, timezone=zone)
    finally:
        await database.close()


async def test_read_before_linking_is_credited_in_the_link_confirmation_end_to_end(
    tmp_path: Path,
) -> None:
    user = FakeUser(5202, "Sumayya", username="sumayya")
    await _timezone_before_start(tmp_path, user, "Africa/Cairo")
    async with running_bot(tmp_path) as bot:
        chat = PrivateChat(bot.world, user)
        await chat.say("/read 2:255", "/login")  # refused: link first
        await chat.say("/login", "works once")
        (url,) = [url for message in bot.world.sent(user.id)
                  for _, url in TelegramWorld.buttons(message) if url and "/oauth2/auth" in url]
        async with httpx.AsyncClient(timeout=10) as browser:
            consent = await browser.get(url)
            page = await browser.get(consent.headers["location"])
        found = CONFIRM_LINK.search(page.text)
        assert found is not None, page.text
        start = len(bot.world.calls)
        await chat.say(f"/start {found['payload']}", "✅ Credited")
        confirmed = bot.world.texts(user.id)[-1]
        assert "linked" in confirmed and "✅ Credited" in confirmed
        assert _count(bot.world, start, _SENDS) == 1  # one message: linked, and the credit
        (sub,) = [sub for sub, account in bot.fake_qf.users.items() if account.activity_days]
        assert len(bot.fake_qf.users[sub].activity_days) == 1
        assert bot.fake_qf.validation_errors == []
