"""Reading position in step: a credited /read also moves Quran.com's "continue reading"
(`POST /v1/reading-sessions`), beside the follow-up reads and never at the credit's expense, and
/today offers "📖 Continue from …" from the latest session. Run in all three contracts; leaving
`linked_bot` checks every request against that contract's spec (undeclared query parameters
included)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from harness_support import linked_bot
from qf_support import CONTRACTS

from bot.domain.reading_position import VersePosition, continue_from, stopped_at
from bot.domain.verses import VerseRange
from sandbox.harness import BotHarness
from sandbox.quran_foundation import DEMO_SUB, FakeContract, Goal

TODAY = date(2026, 3, 29)
SESSIONS = r"^/v1/reading-sessions$"


@pytest.fixture(params=CONTRACTS)
async def bot(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[BotHarness]:
    contract: FakeContract = request.param
    async with linked_bot(tmp_path, today=TODAY, contract=contract) as harness:
        yield harness


def _text(message: dict[str, Any]) -> str:
    return str(message.get("text") or "")


def _positions(bot: BotHarness) -> list[tuple[int, int]]:
    return [
        (s.chapter, s.verse) for s in bot.fake_qf.users[DEMO_SUB].reading_sessions
    ]


async def test_a_credited_read_moves_continue_reading_to_the_last_verse(bot: BotHarness) -> None:
    (reply,) = await bot.send("/read 18:1-18:10")
    assert "✅ Credited" in _text(reply)
    (posted,) = bot.fake_qf.api_requests("POST", SESSIONS)
    assert posted.json["chapterNumber"] == 18 and posted.json["verseNumber"] == 10
    assert ("clientCreatedAt" in posted.json) is (bot.fake_qf.contract == "prelive")
    assert _positions(bot) == [(18, 10)]


async def test_today_offers_to_continue_from_the_verse_after_the_session(
    bot: BotHarness,
) -> None:
    await bot.send("/read 18:1-18:10")
    (today,) = await bot.send("/today")
    assert ("📖 Continue from 18:11", "https://quran.com/18?startingVerse=11") in (
        bot.world.buttons(today)
    )


async def test_a_replayed_read_does_not_record_the_position_again(bot: BotHarness) -> None:
    await bot.send("/read 18:1-18:10")
    assert len(bot.fake_qf.api_requests("POST", SESSIONS)) == 1
    await bot.send("/read 15min")  # time only: no verses, no position
    assert len(bot.fake_qf.api_requests("POST", SESSIONS)) == 1


async def test_a_failed_position_never_spoils_the_credit_reply(bot: BotHarness) -> None:
    bot.fake_qf.fail_next(503, method="POST", path=r"/v1/reading-sessions$", times=5)
    (reply,) = await bot.send("/read 18:1-18:10")
    assert "✅ Credited" in _text(reply)
    assert "🔥" in _text(reply) or "streak" in _text(reply).lower()
    # /today without a position: the plan as usual, no continue button.
    bot.fake_qf.fail_next(503, method="GET", path=r"/v1/reading-sessions$", times=5)
    (today,) = await bot.send("/today")
    assert not [b for b in bot.world.buttons(today) if b[0].startswith("📖")]
    assert "no reading goal yet" in _text(today)


async def test_the_position_is_recorded_beside_the_streak_not_after_it(
    bot: BotHarness,
) -> None:
    bot.fake_qf.users[DEMO_SUB].goals["goal-1"] = Goal(
        "goal-1", "QURAN_TIME", 600, None, "QURAN", 2, TODAY
    )
    bot.fake_qf.delay_next(1.0, method="POST", path=r"/v1/reading-sessions$")
    bot.fake_qf.delay_next(1.0, method="GET", path=r"/v1/streaks/current-streak-days$")
    started = time.monotonic()
    (reply,) = await bot.send("/read 18:1-18:10")
    elapsed = time.monotonic() - started
    assert "✅ Credited" in _text(reply)
    assert _positions(bot) == [(18, 10)]
    # One second of waiting each: in turn they would take two.
    assert elapsed < 1.8, elapsed


async def test_i_read_it_moves_the_position_to_the_end_of_the_plan(bot: BotHarness) -> None:
    bot.fake_qf.users[DEMO_SUB].goals["goal-1"] = Goal(
        "goal-1", "QURAN_RANGE", "67:1-67:30", None, "QURAN", 2, TODAY
    )
    await bot.send("/read 67:1-67:10")
    await bot.send("/today")
    edited = await bot.press("I read it")
    assert "✅ Credited 67:11–30" in _text(edited[-1])
    assert _positions(bot)[0] == (67, 30)
    # The plan is done; the next reading continues with the next surah.
    assert ("📖 Continue from 68:1", "https://quran.com/68?startingVerse=1") in (
        bot.world.buttons(edited[-1])
    )


async def test_a_link_without_the_reading_session_scope_still_credits(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, check_spec=True) as bot:
        await bot.link_account(scopes=("openid", "offline_access", "user", "activity_day",
                                       "streak", "goal", "note"))
        await bot.set_timezone("Asia/Riyadh")
        (reply,) = await bot.send("/read 18:1-18:10")
        assert "✅ Credited" in _text(reply)
        (refused,) = bot.fake_qf.api_requests("POST", SESSIONS)
        assert refused.status == 403
        assert bot.fake_qf.token_requests == []  # a missing scope is no reason to refresh
        (today,) = await bot.send("/today")
        assert not [b for b in bot.world.buttons(today) if b[0].startswith("📖")]


# -- the pure rules --------------------------------------------------------------------------


def test_stopped_at_is_the_end_of_the_last_range() -> None:
    ranges = [VerseRange(2, 1, 2, 5), VerseRange(18, 1, 18, 10)]
    assert stopped_at(ranges) == VersePosition(18, 10)
    assert stopped_at([]) is None


@pytest.mark.parametrize(
    ("chapter", "verse", "expected"),
    [
        (18, 10, VersePosition(18, 11)),
        (1, 7, VersePosition(2, 1)),
        (114, 6, VersePosition(1, 1)),
        (18, 999, None),
        (None, 5, None),
    ],
)
def test_continue_from_is_the_next_verse(
    chapter: int | None, verse: int | None, expected: VersePosition | None
) -> None:
    assert continue_from(chapter, verse) == expected
