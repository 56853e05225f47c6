"""Interrupted commands end to end: the real process over HTTP, fake Telegram and Quran.com.

`/goal 15 min` before the timezone is known asks for it; the answer gets one message holding
the timezone confirmation and the goal (no "Now, where were we", no Continue to press), in
English and in Arabic.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from e2e_support import PrivateChat, link_before_start, running_bot

from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.telegram import FakeUser, TelegramWorld

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
