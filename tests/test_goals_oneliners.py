"""`/goal 15min` and friends, Undo, /goal delete and /goal edit, on both contracts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pytest

from bot.services.goals import stored_goal
from handlers.goals.buttons import UndoGoal
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import DEMO_SUB, FakeQuranFoundation, Goal
from storage import DatabasePersistence

TODAY = date(2026, 3, 29)
ZONE = "Asia/Riyadh"

JSONDict = dict[str, Any]
Contract = Literal["production", "prelive", "2026-03-29"]


async def _started(tmp_path: Path, contract: Contract) -> BotHarness:
    fake = FakeQuranFoundation(contract=contract)
    fake.set_today(TODAY, timezone=ZONE)
    harness = BotHarness(tmp_path, contract=contract, fake_qf=fake, clock=fake.now)
    await harness.start()
    await harness.link_account()
    await harness.set_timezone(ZONE)
    return harness


@pytest.fixture(params=["production", "prelive", "2026-03-29"])
async def bot(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[BotHarness]:
    harness = await _started(tmp_path, request.param)
    try:
        yield harness
        assert harness.fake_qf.validation_errors == []
        assert harness.fake_qf.response_errors == []
    finally:
        await harness.stop()


def goals(bot: BotHarness) -> list[Goal]:
    return list(bot.fake_qf.users[DEMO_SUB].goals.values())


def text_of(message: JSONDict) -> str:
    return str(message.get("text") or "")


def seed_goal(bot: BotHarness, goal_type: str, amount: int | str,
              duration: int | None = None) -> Goal:
    goal = Goal("made-on-quran-com", goal_type, amount, duration, "QURAN", 2, TODAY)
    bot.fake_qf.users[DEMO_SUB].goals[goal.id] = goal
    return goal


@pytest.mark.parametrize(
    ("command", "expected", "reply"),
    [
        ("/goal 15min", ("QURAN_TIME", 900, None), "15 minutes a day"),
        ("/goal 10 minutes daily", ("QURAN_TIME", 600, None), "10 minutes a day"),
        ("/goal 2 pages", ("QURAN_PAGES", 2, None), "2 pages a day"),
        ("/goal 1 juz", ("QURAN_PAGES", 20, None), "20 pages a day"),
        ("/goal 1:1-114:6 in 30 days", ("QURAN_RANGE", "1:1-114:6", 30),
         "Finish the whole Quran in 30 days"),
        ("/goal khatm 30", ("QURAN_RANGE", "1:1-114:6", 30), "Finish the whole Quran in 30 days"),
        ("/goal khatm in 60 days", ("QURAN_RANGE", "1:1-114:6", 60),
         "Finish the whole Quran in 60 days"),
        ("/goal mulk", ("QURAN_RANGE", "67:1-67:30", None), "Read Surah Al-Mulk every day"),
    ],
)
async def test_one_liner_creates_the_goal_with_undo(
    bot: BotHarness, command: str, expected: tuple[str, int | str, int | None], reply: str
) -> None:
    (message,) = await bot.send(command)
    assert f"✅ Goal set: {reply}" in text_of(message)
    labels = [label for label, _ in bot.world.buttons(message)]
    assert labels == ["↩️ Undo", "📅 Today's plan"]
    (goal,) = goals(bot)
    assert (goal.type, goal.amount, goal.duration) == expected


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/goal 0 min", "The time has to be more than zero."),
        ("/goal 605 pages", "Your mushaf has 604 pages"),
        ("/goal 2:10-2:1", "put the earlier verse first"),
        ("/goal 15", "15 what?"),
        ("/goal khatm in 0 days", "at least 1"),
    ],
)
async def test_bad_one_liners_are_explained_and_nothing_is_created(
    bot: BotHarness, command: str, expected: str
) -> None:
    (message,) = await bot.send(command)
    assert expected in text_of(message)
    assert goals(bot) == []
    assert bot.fake_qf.api_requests("POST") == []


async def test_undo_removes_a_new_goal_and_a_second_press_does_nothing(bot: BotHarness) -> None:
    await bot.send("/goal 15min")
    undo_message = bot.world.last_sent(DEMO_USER.id)
    (undone,) = await bot.press("Undo")
    assert "Undone: the goal is removed." in text_of(undone)
    assert goals(bot) == []
    assert stored_goal(bot.app.user_data[DEMO_USER.id]) is None
    data = next(d for label, d in bot.world.buttons(undo_message) if label == "↩️ Undo")
    (again,) = await bot.press_data(str(data), message=undo_message)
    assert "nothing to undo" in text_of(again)
    assert len(bot.fake_qf.api_requests("DELETE")) == 1


async def test_forged_undo_presses_change_nothing(bot: BotHarness) -> None:
    await bot.send("/goal 15min")
    undo_message = bot.world.last_sent(DEMO_USER.id)
    data = next(d for label, d in bot.world.buttons(undo_message) if label == "↩️ Undo")
    offer = UndoGoal.parse(data)
    assert offer is not None
    before = len(bot.fake_qf.requests)
    # Not an offer token at all: refused by the button's type, before any handler.
    for forged in (f"{UndoGoal.prefix}:../goals", f"{UndoGoal.prefix}:{offer.token}:1",
                   f"{UndoGoal.prefix}:{10**20}"):
        assert await bot.press_data(forged, message=undo_message) == []
        answer = bot.world.answered_callbacks[-1]
        assert (answer.data, answer.text) == (forged, "This button is no longer valid.")
    # A well-formed token that is not the offer's: there is nothing it may undo.
    other = UndoGoal("0" * 8 if offer.token != "0" * 8 else "1" * 8, offer.version)
    (reply,) = await bot.press_data(other.pack(), message=undo_message)
    assert "nothing to undo" in text_of(reply)
    assert bot.world.answered_callbacks[-1].data == other.pack()
    assert len(bot.fake_qf.requests) == before
    (goal,) = goals(bot)
    assert (goal.type, goal.amount) == ("QURAN_TIME", 900)


async def test_undo_restores_the_previous_goal(bot: BotHarness) -> None:
    await bot.send("/goal khatm 30")
    (replaced,) = await bot.send("/goal 15min")
    assert "It replaces your previous goal: Finish the whole Quran in 30 days." in text_of(
        replaced)
    (goal,) = goals(bot)
    assert (goal.type, goal.amount, goal.duration) == ("QURAN_TIME", 900, None)
    (undone,) = await bot.press("Undo")
    assert "your goal is back to Finish the whole Quran in 30 days" in text_of(undone)
    (goal,) = goals(bot)
    assert (goal.type, goal.amount, goal.duration) == ("QURAN_RANGE", "1:1-114:6", 30)


async def test_daily_goal_changes_in_place_with_put(bot: BotHarness) -> None:
    await bot.send("/goal 10min")
    (first,) = goals(bot)
    await bot.send("/goal 3 pages")
    (put,) = bot.fake_qf.api_requests("PUT")
    # In production the id comes from today's plan (goalId); the 2026-03-29 plan has none, so
    # it is the id kept from create. Never the plan's activity-day id.
    assert put.api_path == f"/v1/goals/{first.id}"
    assert put.json == {"type": "QURAN_PAGES", "amount": 3, "category": "QURAN"}
    (goal,) = goals(bot)
    assert (goal.id, goal.type, goal.amount) == (first.id, "QURAN_PAGES", 3)


async def test_goal_delete_asks_first(bot: BotHarness) -> None:
    await bot.send("/goal 10min")
    (question,) = await bot.send("/goal delete")
    assert "Delete your goal “10 minutes a day”?" in text_of(question)
    (kept,) = await bot.press("Keep it")
    assert "Kept your goal." in text_of(kept)
    assert len(goals(bot)) == 1
    await bot.send("/goal delete")
    (deleted,) = await bot.press("Delete it")
    assert "Goal deleted" in text_of(deleted)
    assert goals(bot) == []
    (none_left,) = await bot.send("/goal delete")
    assert "no reading goal" in text_of(none_left)


async def test_goal_edit_starts_at_the_kind_step_with_the_current_goal(bot: BotHarness) -> None:
    await bot.send("/goal 10min")
    (question,) = await bot.send("/goal edit")
    assert "Your current goal: 10 minutes a day." in text_of(question)
    await bot.press("Pages each day")
    await bot.send("5")
    await bot.press("Every day")
    await bot.press("Madani, King Fahd Complex print of 1405")
    await bot.press("Confirm")
    (goal,) = goals(bot)
    assert (goal.type, goal.amount) == ("QURAN_PAGES", 5)


async def test_goal_remembered_across_restarts(bot: BotHarness) -> None:
    await bot.send("/goal 10min")
    await bot.restart()
    (today,) = await bot.send("/today")
    assert "🎯 10 minutes a day" in text_of(today)
    await bot.send("/goal 20min")
    (goal,) = goals(bot)
    assert goal.amount == 1200


async def test_goal_id_is_written_to_the_database_at_once(bot: BotHarness) -> None:
    """A crash right after creating a goal must not lose its id (the 2026-03-29 plan has none)."""
    await bot.send("/goal 10min")
    (goal,) = goals(bot)
    # A second reader of the same database, as the next process after a crash would be.
    fresh = DatabasePersistence(bot.deps.database)
    user_data: dict[str, object] = {}
    await fresh.refresh_user_data(DEMO_USER.id, user_data)
    saved = stored_goal(user_data)
    assert saved is not None
    assert saved.id == goal.id


async def test_unknown_goal_is_only_replaced_after_asking(tmp_path: Path) -> None:
    bot = await _started(tmp_path, "production")
    try:
        seed_goal(bot, "QURAN_TIME", 300)
        (question,) = await bot.send("/goal 2 pages")
        assert "You already have a goal: 5 minutes a day." in text_of(question)
        assert "Replace it with “2 pages a day”?" in text_of(question)
        (kept,) = await bot.press("Keep my goal")
        assert "Kept your goal." in text_of(kept)
        assert [g.amount for g in goals(bot)] == [300]
        await bot.send("/goal 2 pages")
        (done,) = await bot.press("Replace it")
        assert "✅ Goal set: 2 pages a day." in text_of(done)
        # Its duration is unknown and PUT cannot clear one, so it is replaced by delete+create.
        (delete,) = bot.fake_qf.api_requests("DELETE")
        assert delete.api_path == "/v1/goals/made-on-quran-com"
        assert [(g.type, g.amount, g.duration) for g in goals(bot)] == [("QURAN_PAGES", 2, None)]
        assert bot.fake_qf.validation_errors == []
    finally:
        await bot.stop()


async def test_a_quran_com_goal_without_an_id_is_not_duplicated(tmp_path: Path) -> None:
    # The 2026-03-29 plan has no goalId: a goal made on Quran.com cannot be changed from here.
    bot = await _started(tmp_path, "2026-03-29")
    try:
        seed_goal(bot, "QURAN_TIME", 300)
        (reply,) = await bot.send("/goal 2 pages")
        assert "Change or delete it on Quran.com" in text_of(reply)
        (wizard,) = await bot.send("/goal")
        assert "Change or delete it on Quran.com" in text_of(wizard)
        assert bot.fake_qf.api_requests("POST") == []
        assert [g.amount for g in goals(bot)] == [300]
    finally:
        await bot.stop()


async def test_failed_one_liner_can_be_retried_without_retyping(tmp_path: Path) -> None:
    bot = await _started(tmp_path, "production")
    try:
        bot.fake_qf.fail_next(503, method="POST", path=r"/v1/goals$")
        (failed,) = await bot.send("/goal 12min")
        assert "temporarily unavailable" in text_of(failed)
        assert goals(bot) == []
        (done,) = await bot.press("Try again")
        assert "✅ Goal set: 12 minutes a day." in text_of(done)
        assert [g.amount for g in goals(bot)] == [720]
    finally:
        await bot.stop()
