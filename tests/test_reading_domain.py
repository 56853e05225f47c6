"""Reading without Telegram: idempotency keys, the goal record, texts, credit_once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.domain.goals import GoalSpec, GoalType
from bot.domain.reading import (
    AmbiguousNumber,
    BareNumber,
    ReadChoice,
    ReadInputError,
    ReadRequest,
    command_credit_key,
    parse_read_command,
    plan_credit_key,
    quick_time_key,
    summarise_activity,
)
from bot.domain.reminders import local_today
from bot.domain.verses import VerseRange
from bot.i18n import get_translator
from bot.presentation.reading import format_day, format_progress, format_short_day, format_today
from bot.qf import GoalType as WireGoalType
from bot.qf import TodaysPlan
from bot.services.goals import StoredGoal, remember_goal, stored_goal
from bot.services.reading import CreditOutcome, credit_once
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import DEMO_SUB, FakeQuranFoundation

EN = get_translator("en")
AR = get_translator("ar")
TODAY = date(2026, 3, 29)


# --- keys ------------------------------------------------------------------------------------


def test_command_keys_differ_per_message_and_chat() -> None:
    assert command_credit_key(1001, 5) == command_credit_key(1001, 5)
    assert command_credit_key(1001, 5) != command_credit_key(1001, 6)
    assert command_credit_key(1001, 5) != command_credit_key(-100, 5)


def test_plan_key_ignores_range_order_and_fits_the_column() -> None:
    assert plan_credit_key(TODAY, ["2:1-2:5", "1:1-1:7"]) == plan_credit_key(
        TODAY, ["1:1-1:7", "2:1-2:5"]
    )
    assert plan_credit_key(TODAY, ["1:1-1:7"]) != plan_credit_key(date(2026, 3, 30), ["1:1-1:7"])
    many = [f"{chapter}:1-{chapter}:3" for chapter in range(1, 115)]
    assert len(plan_credit_key(TODAY, many)) < 255


def test_quick_time_keys_are_per_rendering_and_amount() -> None:
    assert quick_time_key("ab12", 300) != quick_time_key("ab12", 600)
    assert quick_time_key("ab12", 300) != quick_time_key("cd34", 300)


# --- the stored goal -------------------------------------------------------------------------


def test_stored_goal_round_trips_through_json_user_data() -> None:
    goal = StoredGoal("g-1", GoalSpec(GoalType.QURAN_RANGE, "1:1-114:6", 30), 2, TODAY)
    user_data: dict[str, object] = {}
    remember_goal(user_data, goal)
    assert stored_goal(user_data) == goal
    remember_goal(user_data, None)
    assert stored_goal(user_data) is None


@pytest.mark.parametrize(
    "data",
    [None, "junk", {"type": "QURAN_TIME"}, {"id": "x", "type": "NOPE", "amount": 1, "mushaf": 2},
     {"id": "x", "type": "QURAN_TIME", "amount": "ten", "mushaf": 2},
     {"id": "x", "type": "QURAN_RANGE", "amount": "2:10-2:1", "mushaf": 2}],
)
def test_unreadable_stored_goal_counts_as_none(data: object) -> None:
    assert StoredGoal.from_data(data) is None


def test_days_left_counts_today_and_never_goes_negative() -> None:
    goal = StoredGoal("g", GoalSpec(GoalType.QURAN_RANGE, "1:1-114:6", 30), 2, TODAY)
    assert goal.days_left(TODAY) == 30
    assert goal.days_left(date(2026, 4, 27)) == 1
    assert goal.days_left(date(2026, 6, 1)) == 0
    daily = StoredGoal("g", GoalSpec(GoalType.QURAN_TIME, 600), 2, TODAY)
    assert daily.days_left(TODAY) is None


def test_local_today_follows_the_users_zone() -> None:
    late_utc = datetime(2026, 3, 29, 22, 30, tzinfo=UTC)
    assert local_today(late_utc, "Asia/Riyadh") == date(2026, 3, 30)
    assert local_today(late_utc, "America/New_York") == date(2026, 3, 29)


# --- texts -----------------------------------------------------------------------------------


def test_today_text_links_every_remaining_range_to_quran_com() -> None:
    plan = TodaysPlan(
        has_goal=True, goal_id="g", id="day", date=TODAY, progress=0.25,
        type="QURAN", seconds_read=120, verses_read=20,
        daily_target_ranges=["2:1-2:80"], remaining_daily_target_ranges=["2:21-2:80"],
        goal_type=WireGoalType.QURAN_RANGE,
    )
    text = format_today(plan, EN, goal_text="Read Surah Al-Baqarah", day=TODAY, days_left=3)
    assert "▰▰▱▱▱▱▱▱▱▱ 25%" in text
    assert '<a href="https://quran.com/2/21-80">2:21–80</a>' in text
    assert "2 minutes · 20 verses" in text
    assert "3 days left" in text
    assert "Sunday 29 March" in text


def test_today_text_for_a_met_time_goal_says_done() -> None:
    plan = TodaysPlan(has_goal=True, date=TODAY, progress=1.0, seconds_read=700,
                      daily_target_seconds=600, goal_type=WireGoalType.QURAN_TIME)
    text = format_today(plan, EN, goal_text="10 minutes a day", day=TODAY)
    assert "100%" in text
    assert "goal is done" in text
    assert "Still to read" not in text


def test_progress_text_counts_reading_days() -> None:
    month = summarise_activity({TODAY: 600, date(2026, 3, 28): 0, date(2026, 3, 27): 1500})
    text = format_progress(EN, streak_days=2, goal_text="10 minutes a day", plan=None,
                           days_left=None, month=month, span_days=30)
    assert "Streak: 2 days" in text
    assert "read on 2 days, 35 minutes in all" in text


# --- credit_once against the fake Quran Foundation ---------------------------------------------


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[BotHarness]:
    fake = FakeQuranFoundation()
    fake.set_today(TODAY, timezone="Asia/Riyadh")
    async with BotHarness(tmp_path, fake_qf=fake, clock=fake.now) as bot:
        await bot.link_account()
        yield bot
        assert fake.validation_errors == []


async def test_credit_once_credits_then_refuses_the_same_key(harness: BotHarness) -> None:
    session = harness.deps.qf.for_user(DEMO_USER.id, timezone="Asia/Riyadh")
    first = await credit_once(harness.deps.credits, session, DEMO_USER.id, "read:msg:1:1",
                              ranges=["1:1-1:7"], seconds=None, mushaf_id=2)
    second = await credit_once(harness.deps.credits, session, DEMO_USER.id, "read:msg:1:1",
                               ranges=["1:1-1:7"], seconds=None, mushaf_id=2)
    assert first.outcome is CreditOutcome.CREDITED
    assert first.seconds == 7 * 6  # the fake's estimate: 6 s a verse
    assert second.outcome is CreditOutcome.DUPLICATE
    assert len(harness.fake_qf.api_requests("POST", r"^/v1/activity-days$")) == 1


async def test_credit_once_releases_the_claim_only_on_a_definite_failure(
    harness: BotHarness,
) -> None:
    session = harness.deps.qf.for_user(DEMO_USER.id, timezone="Asia/Riyadh")
    harness.fake_qf.fail_next(422, method="POST", path=r"/v1/activity-days$")
    failed = await credit_once(harness.deps.credits, session, DEMO_USER.id, "k1",
                               ranges=["1:1-1:7"], seconds=60, mushaf_id=2)
    assert failed.outcome is CreditOutcome.FAILED
    assert await harness.deps.credits.claim(DEMO_USER.id, "k1")  # released: claimable again

    harness.fake_qf.timeout_next(method="POST", path=r"/v1/activity-days$", apply=True)
    unsure = await credit_once(harness.deps.credits, session, DEMO_USER.id, "k2",
                               ranges=["1:1-1:7"], seconds=60, mushaf_id=2)
    assert unsure.outcome is CreditOutcome.UNCERTAIN
    assert not await harness.deps.credits.claim(DEMO_USER.id, "k2")  # kept
    # The server did record it, and nothing was sent a second time.
    assert harness.fake_qf.users[DEMO_SUB].activity_days[TODAY].seconds == 60


# --- what /read was told -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ranges", "seconds"),
    [
        ("2:1-2:40", ["2:1-2:40"], None),
        ("2:1-2:40 15min", ["2:1-2:40"], 900),
        ("Al-Mulk", ["67:1-67:30"], None),
        ("surah 10", ["10:1-10:109"], None),
        ("juz 30", ["78:1-114:6"], None),
        ("15min", [], 900),
        ("10 min", [], 600),
        ("mulk, 2:255 5min", ["2:255-2:255", "67:1-67:30"], 300),
        ("2:1-7 - 5min", ["2:1-2:7"], 300),
    ],
)
def test_read_command_parses_verses_and_time(
    text: str, ranges: list[str], seconds: int | None
) -> None:
    request = parse_read_command(text)
    assert [item.key for item in request.ranges] == ranges
    assert request.seconds == seconds


@pytest.mark.parametrize(
    ("text", "number", "seconds", "alone", "choices"),
    [
        ("10", 10, None, True, "sjm"),
        ("١٠", 10, None, True, "sjm"),
        ("10 15min", 10, 900, True, "sj"),
        ("67", 67, None, True, "sm"),
        ("200", 200, None, True, "m"),
        ("2-3", 2, None, False, "sjm"),
        ("2:255, 10", 10, None, False, "sjm"),
        ("mulk, 10", 10, None, False, "sjm"),
    ],
)
def test_bare_numbers_after_read_are_ambiguous(
    text: str, number: int, seconds: int | None, alone: bool, choices: str
) -> None:
    with pytest.raises(AmbiguousNumber) as caught:
        parse_read_command(text)
    bare = caught.value.bare
    assert (bare.number, bare.seconds, bare.alone) == (number, seconds, alone)
    assert "".join(choice.value for choice in bare.choices()) == choices


def test_a_picked_meaning_becomes_what_is_credited() -> None:
    bare = BareNumber(10, None, alone=True)
    assert bare.request(ReadChoice.SURAH) == ReadRequest([VerseRange.whole_chapter(10)], None)
    assert bare.request(ReadChoice.JUZ) == ReadRequest([VerseRange.juz(10)], None)
    assert bare.request(ReadChoice.MINUTES) == ReadRequest([], 600)
    with pytest.raises(ValueError):
        BareNumber(50, None, alone=True).request(ReadChoice.JUZ)  # there are 30 juz
    with pytest.raises(ValueError):
        BareNumber(10, 900, alone=True).request(ReadChoice.MINUTES)  # the time was given


def test_ambiguity_question_in_arabic_uses_arabic_digits() -> None:
    question = BareNumber(10, None, alone=True).question(AR)
    assert "١٠" in question and "10" not in question and "{" not in question


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2:1-7 -5min", "negative_time"),
        ("-5min", "negative_time"),
        ("2:1-2:7 5min 10min", "time"),
        ("2:1-2:7 2000min", "time_too_long"),
        ("2:1-2:7 10", "missing_unit"),
        ("2:0", "verses"),
        ("baqra 5", "verses"),
        ("200 5min", "verses"),
    ],
)
def test_read_command_refuses_what_it_cannot_credit(text: str, code: str) -> None:
    with pytest.raises(ReadInputError) as caught:
        parse_read_command(text)
    assert caught.value.code == code
    assert not isinstance(caught.value, AmbiguousNumber)
    for t in (EN, AR):
        message = caught.value.describe(t)
        assert message and "{" not in message


# --- dates in Arabic ---------------------------------------------------------------------------


def test_arabic_dates_use_arabic_indic_digits() -> None:
    monday = date(2026, 11, 23)
    assert format_day(monday, AR) == "الاثنين ٢٣ نوفمبر"
    assert "٢٣" in format_short_day(monday, AR) and "23" not in format_short_day(monday, AR)
    assert format_day(monday, EN) == "Monday 23 November"
    plan = TodaysPlan(has_goal=True, date=monday, progress=0.0, daily_target_seconds=600,
                      goal_type=WireGoalType.QURAN_TIME)
    assert "23" not in format_today(plan, AR, goal_text="…", day=monday)
