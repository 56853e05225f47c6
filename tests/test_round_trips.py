"""How many Quran.com round trips a user waits for, one after another, per command.

The fake answers every User API call after a fixed latency, so calls the bot makes side by side
overlap and calls it makes one after another don't; `sequential_round_trips` counts the waves.
The performance issue's promise: `/goal` one-liners and `/today` wait for at most two, and a
time-only `/read` for two (credit, then the plan and streak together). A `/read` of verses or
pages needs QF's own estimate of their reading time before the credit (activity days require
`seconds`), and the plan shown after it must include the credit, so it waits for three
(`bench/bench_round_trips.py` says why that is kept), or for two when those verses were
estimated before (the estimate is the same for every reader, and remembered for a day).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import DEMO_SUB, FakeQuranFoundation, Goal
from sandbox.round_trips import RoundTrips, sequential_round_trips
from sandbox.telegram import FakeUser

TODAY = date(2026, 3, 29)
ZONE = "Asia/Riyadh"
#: Long enough that scheduling noise can't make side-by-side calls look sequential.
LATENCY = 0.25


@pytest.fixture(params=["production", "prelive", "2026-03-29"])
async def bot(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[BotHarness]:
    fake = FakeQuranFoundation(contract=request.param)
    fake.set_today(TODAY, timezone=ZONE)
    harness = BotHarness(tmp_path, contract=request.param, fake_qf=fake, clock=fake.now)
    await harness.start()
    try:
        await harness.link_account()
        await harness.set_timezone(ZONE)
        fake.latency = LATENCY
        yield harness
        assert fake.validation_errors == []
    finally:
        await harness.stop()


async def round_trips_of(bot: BotHarness, text: str) -> RoundTrips:
    first = len(bot.fake_qf.requests)
    await bot.send(text)
    return sequential_round_trips(bot.fake_qf.requests[first:])


def seed_time_goal(bot: BotHarness) -> None:
    goal = Goal("g-1", "QURAN_TIME", 900, None, "QURAN", 4, TODAY)
    bot.fake_qf.users[DEMO_SUB].goals[goal.id] = goal


async def test_goal_one_liner_waits_for_two_round_trips(bot: BotHarness) -> None:
    trips = await round_trips_of(bot, "/goal 15min")
    assert trips.sequential == 2, trips.describe()
    first, second = trips.waves
    assert sorted(set(first)) == ["GET /v1/goals/get-todays-plan"]
    assert second == ("POST /v1/goals",)
    assert "15" in bot.texts()[-1]


async def test_page_goal_one_liner_waits_for_two_round_trips(bot: BotHarness) -> None:
    trips = await round_trips_of(bot, "/goal 2 pages")
    assert trips.sequential == 2, trips.describe()
    assert trips.waves[1] == ("POST /v1/goals",)


async def test_replacing_a_goal_in_place_still_waits_for_two(bot: BotHarness) -> None:
    await bot.send("/goal 15min")
    trips = await round_trips_of(bot, "/goal 30 days khatm")
    assert trips.sequential <= 2, trips.describe()


async def test_today_waits_for_one_round_trip(bot: BotHarness) -> None:
    seed_time_goal(bot)
    trips = await round_trips_of(bot, "/today")
    assert trips.sequential == 1, trips.describe()
    # The three goal types and the latest reading session ("Continue from …"), side by side.
    assert sorted(trips.waves[0]) == [
        "GET /v1/goals/get-todays-plan", "GET /v1/goals/get-todays-plan",
        "GET /v1/goals/get-todays-plan", "GET /v1/reading-sessions",
    ]


async def test_time_read_waits_for_two_round_trips(bot: BotHarness) -> None:
    seed_time_goal(bot)
    trips = await round_trips_of(bot, "/read 15min")
    assert trips.sequential == 2, trips.describe()
    assert trips.waves[0] == ("POST /v1/activity-days",)
    assert "GET /v1/streaks/current-streak-days" in trips.waves[1]


async def test_verse_read_waits_for_the_estimate_then_credit_then_standing(
    bot: BotHarness,
) -> None:
    seed_time_goal(bot)
    trips = await round_trips_of(bot, "/read 2:1-2:10")
    assert trips.sequential == 3, trips.describe()
    assert trips.waves[0] == ("GET /v1/activity-days/estimate-reading-time",)
    assert trips.waves[1] == ("POST /v1/activity-days",)
    assert "GET /v1/streaks/current-streak-days" in trips.waves[2]


async def test_page_read_waits_for_the_estimate_then_credit_then_standing(
    bot: BotHarness,
) -> None:
    seed_time_goal(bot)
    trips = await round_trips_of(bot, "/read page 5")
    assert trips.sequential == 3, trips.describe()
    assert trips.waves[0] == ("GET /v1/activity-days/estimate-reading-time",)
    assert trips.waves[1] == ("POST /v1/activity-days",)
    # The plan, the streak and the reading position, side by side after the credit.
    assert sorted(set(trips.waves[2])) == [
        "GET /v1/goals/get-todays-plan", "GET /v1/streaks/current-streak-days",
        "POST /v1/reading-sessions",
    ]


async def test_verses_estimated_before_wait_for_two_round_trips(bot: BotHarness) -> None:
    """A group's portion, al-Kahf on a Friday: the next reader needs no estimate."""
    seed_time_goal(bot)
    await bot.send("/read 18:1-18:110")
    friend = FakeUser(DEMO_USER.id + 1, "Bilal")
    await bot.link_account(friend, sub="friend")
    await bot.set_timezone(ZONE, chat_id=friend.id)

    first = len(bot.fake_qf.requests)
    await bot.send("/read 18:1-110", user=friend)
    trips = sequential_round_trips(bot.fake_qf.requests[first:])

    assert trips.sequential == 2, trips.describe()
    assert trips.waves[0] == ("POST /v1/activity-days",)
    # Credited with the seconds Quran.com's own estimate gave for the first reader.
    [mine] = bot.fake_qf.users[DEMO_SUB].activity_days.values()
    [theirs] = bot.fake_qf.users["friend"].activity_days.values()
    assert theirs.seconds == mine.seconds > 0
