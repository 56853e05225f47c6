"""Stale buttons end to end: the real `python -m bot` process over HTTP against the fakes.

`/goal 10min` → ↩️ Undo; later the wizard sets a khatm; the old Undo must not delete the khatm
from the user's Quran.com account. And the same /read sent twice is asked about, not credited
twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from e2e_support import PrivateChat, link_before_start, running_bot

from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.telegram import FakeUser

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

USER = FakeUser(5303, "Maryam", username="maryam", language_code="en")
SUB = "qf-maryam"
ZONE = "Asia/Riyadh"


async def test_old_undo_leaves_the_newer_khatm_goal_and_repeats_are_asked_end_to_end(
    tmp_path: Path,
) -> None:
    fake = FakeQuranFoundation()
    key = Fernet.generate_key().decode()
    await link_before_start(tmp_path, fake, USER, sub=SUB, encryption_key=key, timezone=ZONE)
    async with running_bot(
        tmp_path, fake_qf=fake, extra_env={"TOKEN_ENCRYPTION_KEY": key}
    ) as bot:
        chat = PrivateChat(bot.world, USER)
        await chat.say("/goal 10min", "Goal set: 10 minutes a day")
        undo_message = bot.world.last_sent(USER.id)
        assert any("Undo" in label for label, _ in bot.world.buttons(undo_message))

        await chat.say("/goal", "Set a reading goal")
        await chat.press("Khatm in 30 days", "Your first week")
        await chat.press("Confirm", "Your goal is set: Finish the whole Quran in 30 days")

        expected = "This goal has changed since; nothing was undone."
        before = sum(expected in text for text in bot.world.texts(USER.id))
        await bot.world.user_presses_label(USER.id, USER, undo_message["message_id"], "Undo")
        await bot.world.wait_for(
            lambda: sum(expected in text for text in bot.world.texts(USER.id)) > before, 15.0
        )
        (goal,) = fake.users[SUB].goals.values()
        assert (goal.type, goal.amount, goal.duration) == ("QURAN_RANGE", "1:1-114:6", 30)

        await chat.say("/read 1:1-1:7 5min", "Credited 1:1–7 (5 minutes)")
        await chat.say("/read 1:1-1:7 5min", "You already logged this reading")
        await chat.press("Cancel", "nothing was logged")
        posts = fake.api_requests("POST", "^/v1/activity-days$")
        assert [r.json["seconds"] for r in posts] == [300]
        assert fake.validation_errors == []
        assert "Traceback" not in bot.log
