"""Interrupted commands carry on by themselves, in the same reply: after the timezone answer
(tests/test_timezone_flow.py has every way in), after linking an account again, and after
choosing what a bare number meant. No "Now, where were we", no Continue to press."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from handlers.replies import AFTER_TIMEZONE_KEY
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import DEMO_SUB, FakeQuranFoundation
from sandbox.telegram import TelegramWorld

pytestmark = pytest.mark.timeout(60)

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    fake = FakeQuranFoundation()
    fake.set_now(NOW)
    async with BotHarness(tmp_path, fake_qf=fake, clock=fake.now) as harness:
        yield harness
        assert fake.validation_errors == []


async def _log_in_again(bot: BotHarness) -> list[dict[str, object]]:
    """/login, the browser round trip, and the `/start c_<code>` confirmation; returns what the
    confirmation produced."""
    (offer,) = await bot.send("/login")
    (url,) = [url for _, url in TelegramWorld.buttons(offer) if url and "oauth2" in url]
    first_call = len(bot.world.calls)
    await bot.follow_login_link(url)
    return bot.messages_since(first_call)


async def _expire_the_link(bot: BotHarness) -> None:
    """The stored access token has run out and Quran.com refuses its refresh token (the user
    logged out there): the next call finds the link expired."""
    account = await bot.deps.accounts.get(DEMO_USER.id)
    assert account is not None
    await bot.deps.accounts.save(
        DEMO_USER.id, qf_sub=account.qf_sub, display_name=account.display_name,
        access_token="expired-access-token", refresh_token="revoked-refresh-token",
        expires_at=NOW - timedelta(hours=1), scopes=list(account.scopes),
    )


async def test_read_after_relinking_an_expired_account_credits_in_the_confirmation(
    bot: BotHarness,
) -> None:
    await bot.link_account()
    await bot.set_timezone("Africa/Cairo")
    await _expire_the_link(bot)
    (expired,) = await bot.send("/read 2:255")
    assert "🔗 Link Quran.com account" in [label for label, _ in TelegramWorld.buttons(expired)]
    assert bot.fake_qf.users[DEMO_SUB].activity_days == {}

    (confirmed,) = await _log_in_again(bot)
    assert "✅ Your Quran.com account is linked" in str(confirmed["text"])
    assert "✅ Credited" in str(confirmed["text"])  # the same message: no Continue to press
    assert "Next: set a daily goal" not in str(confirmed["text"])
    (day,) = bot.fake_qf.users[DEMO_SUB].activity_days.values()
    assert day.seconds > 0


async def test_a_command_refused_for_no_link_carries_on_once_linked(bot: BotHarness) -> None:
    await bot.set_timezone("Africa/Cairo")
    bot.fake_qf.seed_user(DEMO_SUB, name="Demo Reader")
    await bot.send("/goal 10min")
    (confirmed,) = await _log_in_again(bot)
    assert "linked" in str(confirmed["text"]) and "Goal set" in str(confirmed["text"])
    (goal,) = bot.fake_qf.users[DEMO_SUB].goals.values()
    assert goal.amount == 600
    # Carried on once: it is no longer waiting for anything.
    assert AFTER_TIMEZONE_KEY not in bot.app.user_data[DEMO_USER.id]


async def test_a_note_refused_for_no_link_waits_as_a_draft_and_is_not_replayed(
    bot: BotHarness,
) -> None:
    """/note keeps what it carried as a draft; replaying it would start a second one."""
    await bot.send("/note 2:255 A reflection written before linking")
    (confirmed,) = await _log_in_again(bot)
    assert "Saved your note" not in str(confirmed["text"])
    (offer,) = await bot.send("/note")
    assert "Continue your draft on 2:255" in str(offer["text"])


async def test_choosing_what_a_number_meant_answers_in_the_question_message(
    bot: BotHarness,
) -> None:
    await bot.link_account()
    await bot.set_timezone("Africa/Cairo")
    (question,) = await bot.send("/read 18")
    assert "Did you mean" in question["text"] and "juz 18" in question["text"]
    (answer,) = await bot.press("Juz 18")
    assert answer["message_id"] == question["message_id"]  # edited, not a second message
    assert "✅ Credited" in answer["text"]
    assert len(bot.fake_qf.users[DEMO_SUB].activity_days) == 1


async def test_timezone_then_meaning_then_credit_one_message_each(bot: BotHarness) -> None:
    await bot.link_account()
    (asked,) = await bot.send("/read 18")
    assert "which timezone" in asked["text"]
    (question,) = await bot.send("Cairo")
    assert "Africa/Cairo" in question["text"] and "Did you mean" in question["text"]
    (answer,) = await bot.press("Surah 18")
    assert answer["message_id"] == question["message_id"]
    assert "✅ Credited" in answer["text"]
