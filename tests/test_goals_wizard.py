"""The /goal wizard in process: presets, custom steps, back, cancel, restarts, failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from harness_support import linked_bot

from handlers.goals.buttons import (
    WizardConfirm,
    WizardGo,
    WizardKind,
    WizardMushaf,
    WizardPreset,
)
from handlers.goals.wizard import CONVERSATION_NAME, CONVERSATION_TIMEOUT, build_conversation
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import DEMO_SUB, FakeContract, FakeQuranFoundation, Goal

TODAY = date(2026, 3, 29)
ZONE = "Asia/Riyadh"
GROUP = -100300
GOALS_FAULT = r"/v1/goals$"

JSONDict = dict[str, Any]


@pytest.fixture
async def bot(tmp_path: Path, contract: FakeContract) -> AsyncIterator[BotHarness]:
    async with linked_bot(tmp_path, today=TODAY, zone=ZONE, contract=contract) as harness:
        yield harness


def needs_plan_goal_id(bot: BotHarness) -> None:
    """The test reads the goal's id from today's plan, which the 2026-03-29 contract's plan does
    not carry (that contract's own behaviour is covered in test_goals_oneliners)."""
    if bot.fake_qf.contract == "2026-03-29":
        pytest.skip("the 2026-03-29 plan has no goalId")


def goals(bot: BotHarness) -> list[Goal]:
    return list(bot.fake_qf.users[DEMO_SUB].goals.values())


def text_of(message: JSONDict) -> str:
    return str(message.get("text") or "")


def labels(bot: BotHarness, message: JSONDict) -> list[str]:
    return [label for label, _ in bot.world.buttons(message)]


async def test_presets_are_quran_coms_suggestions(bot: BotHarness) -> None:
    (menu,) = await bot.send("/goal")
    assert "Set a reading goal" in text_of(menu)
    assert labels(bot, menu) == [
        "10 minutes a day", "Khatm in 30 days", "One juz a day", "Surah Al-Mulk every day",
        "✏️ My own goal", "✖ Cancel",
    ]


async def test_thirty_day_khatm_preview_shows_the_first_week(bot: BotHarness) -> None:
    await bot.send("/goal")
    (preview,) = await bot.press("Khatm in 30 days")
    (estimate,) = bot.fake_qf.api_requests("GET", "goals/estimate")
    assert estimate.query == {"type": "QURAN_RANGE", "amount": "1:1-114:6", "mushafId": "2",
                              "duration": "30"}
    lines = text_of(preview).splitlines()
    assert "Finish the whole Quran in 30 days" in lines
    week = [line for line in lines if line.startswith("• ")]
    assert len(week) == 7
    # 6,236 verses over 30 days is 208 verses a day: Al-Fatihah and 2:1-201 on day one.
    assert week[0] == "• Sun 29 Mar: 1:1–2:201"
    assert week[1] == "• Mon 30 Mar: 2:202–3:123"
    assert goals(bot) == []  # nothing is created before Confirm


async def test_confirming_a_preset_creates_the_goal(bot: BotHarness) -> None:
    await bot.send("/goal")
    await bot.press("Khatm in 30 days")
    (done,) = await bot.press("Confirm")
    assert "✅ Your goal is set: Finish the whole Quran in 30 days." in text_of(done)
    (create,) = bot.fake_qf.api_requests("POST", "^/v1/goals$")
    assert create.json == {"type": "QURAN_RANGE", "amount": "1:1-114:6", "category": "QURAN",
                           "duration": 30}
    assert create.query == {"mushafId": "2"}
    assert create.headers["x-timezone"] == ZONE
    (goal,) = goals(bot)
    assert (goal.type, goal.amount, goal.duration) == ("QURAN_RANGE", "1:1-114:6", 30)


async def test_one_juz_preset_follows_the_chosen_mushaf(bot: BotHarness) -> None:
    await bot.send("/goal")
    await bot.press("One juz a day")
    await bot.press("Change mushaf")
    (preview,) = await bot.press("IndoPak, 16 lines")
    assert "1 juz (18 pages) a day" in text_of(preview)
    await bot.press("Confirm")
    (goal,) = goals(bot)
    assert (goal.type, goal.amount, goal.mushaf_id) == ("QURAN_PAGES", 18, 7)
    settings = await bot.deps.chats.get(DEMO_USER.id)
    assert settings is not None and settings.mushaf_id == 7  # remembered for next time


async def test_custom_time_goal_through_every_step_without_a_mushaf_question(
    bot: BotHarness,
) -> None:
    await bot.deps.chats.update(DEMO_USER.id, mushaf_id=5)
    await bot.send("/goal")
    await bot.press("My own goal")
    (ask,) = await bot.press("Time each day")
    assert "How long do you want to read each day?" in text_of(ask)
    (schedule,) = await bot.send("20")
    assert labels(bot, schedule)[:2] == ["Every day", "For a number of days"]
    # Minutes are the same in every layout: straight to the preview, no mushaf step.
    (preview,) = await bot.press("Every day")
    assert "Which mushaf" not in text_of(preview)
    assert "Mushaf:" not in text_of(preview)
    assert "Change mushaf" not in labels(bot, preview)
    assert "20 minutes a day" in text_of(preview)
    assert text_of(preview).count("20 minutes") == 8  # the goal line and seven days
    await bot.press("Confirm")
    (goal,) = goals(bot)
    # The API still gets a mushafId: the one remembered in the user's settings.
    assert (goal.type, goal.amount, goal.duration, goal.mushaf_id) == ("QURAN_TIME", 1200, None,
                                                                       5)


async def test_custom_range_over_n_days(bot: BotHarness) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("A stretch of verses")
    (schedule,) = await bot.send("Al-Baqarah")
    assert "How should I plan 2:1–286?" in text_of(schedule)
    await bot.press("Finish it within")
    await bot.send("2 weeks")
    await bot.press("Uthmani Hafs")
    await bot.press("Confirm")
    (goal,) = goals(bot)
    assert (goal.amount, goal.duration, goal.mushaf_id) == ("2:1-2:286", 14, 4)


@pytest.mark.parametrize(
    ("kind", "answer", "expected"),
    [
        ("Time each day", "0", "The time has to be more than zero."),
        ("Time each day", "0 min", "The time has to be more than zero."),
        ("Pages each day", "605", "Your mushaf has 604 pages"),
        ("Pages each day", "0", "Choose at least one page."),
        ("A stretch of verses", "2:10-2:1", "put the earlier verse first"),
        ("A stretch of verses", "2:1-2:5, 3:1-3:5", "single range"),
    ],
)
async def test_invalid_answers_are_explained_and_the_step_is_kept(
    bot: BotHarness, kind: str, answer: str, expected: str
) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press(kind)
    (reply,) = await bot.send(answer)
    assert expected in text_of(reply)
    assert "?" in text_of(reply)  # the question is asked again
    (next_step,) = await bot.send("2:1-2:5" if kind == "A stretch of verses" else "3")
    assert "Every day" in " ".join(labels(bot, next_step)) or "every day" in " ".join(
        labels(bot, next_step))


async def test_pages_too_many_for_a_smaller_mushaf_go_back_to_the_amount(bot: BotHarness) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("Pages each day")
    await bot.send("600")
    await bot.press("Every day")
    (back,) = await bot.press("IndoPak, 16 lines")
    assert "Your mushaf has 548 pages" in text_of(back)
    await bot.send("500")
    await bot.press("Every day")
    await bot.press("IndoPak, 16 lines")
    await bot.press("Confirm")
    assert [(g.amount, g.mushaf_id) for g in goals(bot)] == [(500, 7)]


async def test_back_keeps_earlier_answers(bot: BotHarness) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("Time each day")
    await bot.send("15")
    (amount_again,) = await bot.press("Back")
    assert "Keep 15 minutes" in labels(bot, amount_again)
    (schedule,) = await bot.press("Keep 15 minutes")
    assert "15 minutes a day" in text_of(schedule)
    (kind,) = await bot.press("Back")  # schedule → amount
    (kind,) = await bot.press("Back")  # amount → kind
    assert "What kind of goal" in text_of(kind)
    (menu,) = await bot.press("Back")
    assert "Set a reading goal" in text_of(menu)


async def test_cancel_ends_the_wizard_without_changes(bot: BotHarness) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("Time each day")
    (cancelled,) = await bot.send("/cancel")
    assert text_of(cancelled).startswith("Cancelled. ")
    (hint,) = await bot.send("15")  # no longer an answer to anything: just a pointer
    assert "/help" in text_of(hint)
    assert goals(bot) == []
    (stale,) = await bot.press("Back")  # an old wizard button after cancelling
    assert "has ended" in text_of(stale)


async def test_cancel_button_too(bot: BotHarness) -> None:
    await bot.send("/goal")
    (cancelled,) = await bot.press("Cancel")
    assert text_of(cancelled).startswith("Cancelled. ")


async def test_wizard_survives_a_restart(bot: BotHarness) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("Pages each day")
    await bot.restart()
    (schedule,) = await bot.send("4")
    assert "4 pages a day" in text_of(schedule)
    await bot.press("Every day")
    await bot.press("Uthmani Hafs")
    await bot.restart()
    await bot.press("Confirm")
    assert [(g.type, g.amount) for g in goals(bot)] == [("QURAN_PAGES", 4)]


async def test_existing_daily_goal_is_replaced_in_place_with_its_goal_id(bot: BotHarness) -> None:
    await bot.send("/goal mulk")
    (original,) = goals(bot)
    (menu,) = await bot.send("/goal")
    assert "Your current goal: Read Surah Al-Mulk every day. A new goal replaces it." in text_of(
        menu)
    await bot.press("10 minutes a day")
    await bot.press("Back")
    await bot.press("10 minutes a day")
    await bot.press("Confirm")
    (put,) = bot.fake_qf.api_requests("PUT")
    assert put.api_path == f"/v1/goals/{original.id}"
    (goal,) = goals(bot)
    assert (goal.id, goal.type, goal.amount) == (original.id, "QURAN_TIME", 600)
    assert len(bot.fake_qf.api_requests("POST", "^/v1/goals$")) == 1


async def test_dated_goal_replaced_by_a_daily_one_is_recreated(bot: BotHarness) -> None:
    needs_plan_goal_id(bot)
    # A PUT cannot remove a goal's duration, so the old goal is deleted and a new one created.
    bot.fake_qf.users[DEMO_SUB].goals["quran-com"] = Goal(
        "quran-com", "QURAN_RANGE", "1:1-114:6", 60, "QURAN", 2, TODAY)
    await bot.send("/goal")
    await bot.press("10 minutes a day")
    await bot.press("Confirm")
    (delete,) = bot.fake_qf.api_requests("DELETE")
    assert delete.api_path == "/v1/goals/quran-com" and delete.query == {"category": "QURAN"}
    (goal,) = goals(bot)
    assert (goal.type, goal.amount, goal.duration) == ("QURAN_TIME", 600, None)


async def test_estimate_failure_keeps_the_answers(bot: BotHarness) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("Pages each day")
    await bot.send("5")
    await bot.press("Every day")
    bot.fake_qf.fail_next(500, path="goals/estimate")
    (failed,) = await bot.press("Uthmani Hafs")
    assert "Quran.com is having trouble" in text_of(failed)
    (preview,) = await bot.press("Try again")
    assert "5 pages a day" in text_of(preview)
    assert "Uthmani Hafs" in text_of(preview)


async def test_create_failure_keeps_the_answers_and_try_again_creates_once(
    bot: BotHarness,
) -> None:
    await bot.send("/goal")
    await bot.press("Surah Al-Mulk every day")
    bot.fake_qf.fail_next(503, method="POST", path=GOALS_FAULT)
    (failed,) = await bot.press("Confirm")
    assert "temporarily unavailable" in text_of(failed)
    assert goals(bot) == []
    (done,) = await bot.press("Try again")
    assert "Read Surah Al-Mulk every day" in text_of(done)
    assert len(goals(bot)) == 1


async def test_ambiguous_create_timeout_never_makes_a_second_goal(bot: BotHarness) -> None:
    needs_plan_goal_id(bot)
    await bot.send("/goal")
    await bot.press("Khatm in 30 days")
    bot.fake_qf.timeout_next(method="POST", path=GOALS_FAULT, apply=True)
    (failed,) = await bot.press("Confirm")
    assert "took too long" in text_of(failed)
    assert len(goals(bot)) == 1  # the server did create it
    await bot.press("Try again")
    (goal,) = goals(bot)
    assert goal.amount == "1:1-114:6"
    assert len(bot.fake_qf.api_requests("POST", "^/v1/goals$")) == 1
    assert bot.texts()[-1].startswith("✅ Your goal is set")


async def test_group_goal_opens_the_wizard_in_private(bot: BotHarness) -> None:
    bot.world.add_group(GROUP, "Circle", members=[DEMO_USER])
    (reply,) = await bot.send("/goal 15min", chat_id=GROUP)
    assert "private chat" in text_of(reply)
    [(_label, url)] = bot.world.buttons(reply)
    assert url == "https://t.me/QuranCompanionBot?start=goal"
    assert goals(bot) == []
    (menu,) = await bot.send("/start goal")
    assert "Set a reading goal" in text_of(menu)
    await bot.press("10 minutes a day")
    await bot.press("Confirm")
    assert len(goals(bot)) == 1


async def test_set_a_goal_button_on_today_opens_the_wizard(bot: BotHarness) -> None:
    await bot.send("/today")
    (menu,) = await bot.press("Set a goal")
    assert "Set a reading goal" in text_of(menu)


async def test_goal_needs_a_timezone(bot: BotHarness) -> None:
    await bot.deps.chats.update(DEMO_USER.id, timezone=None)
    (reply,) = await bot.send("/goal")
    assert "which timezone" in text_of(reply)


def test_conversation_is_persistent_with_a_ten_minute_timeout() -> None:
    conversation = build_conversation()
    assert conversation.name == CONVERSATION_NAME and conversation.persistent
    assert conversation.conversation_timeout == CONVERSATION_TIMEOUT == 600


async def test_silent_wizard_times_out(tmp_path: Path) -> None:
    fake = FakeQuranFoundation()
    async with BotHarness(tmp_path, fake_qf=fake, start_jobs=True) as bot:
        await bot.link_account()
        await bot.set_timezone(ZONE)
        conversation = next(
            handler for handler in bot.app.handlers[0]
            if getattr(handler, "name", None) == CONVERSATION_NAME
        )
        # The real timeout is 10 minutes; the JobQueue mechanics are the same at 0.2 s.
        conversation._conversation_timeout = 0.2  # type: ignore[attr-defined]
        await bot.send("/goal")
        await bot.press("My own goal")
        await bot.world.wait_for_message(DEMO_USER.id, "without an answer", timeout=5)
        await asyncio.sleep(0.05)
        (hint,) = await bot.send("15")  # the wizard is over: not taken as an amount
        assert "/help" in text_of(hint)


# --- previews of daily and short goals --------------------------------------------------------


async def test_daily_verse_goal_preview_says_every_day_instead_of_a_one_day_week(
    bot: BotHarness,
) -> None:
    await bot.send("/goal")
    (preview,) = await bot.press("Surah Al-Mulk every day")
    lines = text_of(preview).splitlines()
    assert "Every day: 67:1–30" in lines
    assert "Your first week:" not in lines
    assert not any(line.startswith("• ") for line in lines)


async def test_daily_juz_goal_typed_in_the_wizard_previews_every_day(bot: BotHarness) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("A stretch of verses")
    await bot.send("juz 30")
    await bot.press("Read all of it every day")
    (preview,) = await bot.press("Uthmani Hafs")
    assert "Every day: 78:1–114:6" in text_of(preview)
    assert "Your first week" not in text_of(preview)


async def test_goal_shorter_than_a_week_is_listed_day_by_day(bot: BotHarness) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("A stretch of verses")
    await bot.send("Al-Mulk in 3 days")
    (preview,) = await bot.press("Uthmani Hafs")
    lines = text_of(preview).splitlines()
    assert "Day by day:" in lines and "Your first week:" not in lines
    assert len([line for line in lines if line.startswith("• ")]) == 3


# --- the mushaf step: only where pages count, and Back goes back one step --------------------


async def test_time_preset_preview_offers_no_mushaf_change(bot: BotHarness) -> None:
    await bot.send("/goal")
    (preview,) = await bot.press("10 minutes a day")
    assert "Change mushaf" not in labels(bot, preview)
    assert "Mushaf:" not in text_of(preview)
    (menu,) = await bot.press("Back")
    assert "Set a reading goal" in text_of(menu)
    (pages_preview,) = await bot.press("One juz a day")
    assert "📖 Change mushaf" in labels(bot, pages_preview)


async def test_back_from_the_mushaf_step_returns_to_the_days_question(bot: BotHarness) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("Pages each day")
    await bot.send("5")
    await bot.press("For a number of days")
    (mushaf,) = await bot.send("30")
    assert "Which mushaf" in text_of(mushaf)
    (days,) = await bot.press("Back")
    assert "In how many days?" in text_of(days)
    (mushaf,) = await bot.send("40")
    (preview,) = await bot.press("Uthmani Hafs")
    assert "5 pages a day for 40 days" in text_of(preview)
    (mushaf_again,) = await bot.press("Back")
    assert "Which mushaf" in text_of(mushaf_again)


async def test_back_from_the_mushaf_step_of_a_daily_goal_returns_to_the_schedule(
    bot: BotHarness,
) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("Pages each day")
    await bot.send("5")
    await bot.press("Every day")
    (schedule,) = await bot.press("Back")
    assert labels(bot, schedule)[:2] == ["Every day", "For a number of days"]


async def test_back_from_a_time_goal_preview_returns_to_the_last_question(
    bot: BotHarness,
) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("Time each day")
    await bot.send("20")
    await bot.press("For a number of days")
    await bot.send("30")
    (days,) = await bot.press("Back")
    assert "In how many days?" in text_of(days)


# --- typed text at button steps ---------------------------------------------------------------


async def test_stray_text_at_button_steps_is_answered_by_the_wizard(bot: BotHarness) -> None:
    await bot.send("/goal")
    (again,) = await bot.send("hello")
    assert text_of(again).startswith("Please tap one of the buttons")
    assert "Set a reading goal" in text_of(again)  # the step again, with its buttons
    assert "10 minutes a day" in labels(bot, again)
    assert "/help" not in text_of(again)  # not the general fallback
    await bot.press("My own goal")
    (kind,) = await bot.send("hmm")
    assert "Please tap one of the buttons" in text_of(kind)
    assert "⏱ Time each day" in labels(bot, kind)
    await bot.press("Pages each day")
    await bot.send("5")
    (schedule,) = await bot.send("sometime")
    assert "Please tap one of the buttons, or send a number of days" in text_of(schedule)
    await bot.press("Every day")
    (mushaf,) = await bot.send("the nice one")
    assert "send the mushaf's number in the list (1 to 9)" in text_of(mushaf)
    await bot.press("Uthmani Hafs")
    (hint,) = await bot.send("ok")
    assert "Please tap ✅ Confirm" in text_of(hint)
    assert labels(bot, hint)[0] == "✅ Confirm"
    assert goals(bot) == []  # nothing typed ever confirms a goal
    await bot.press("Confirm", message=hint)
    assert [(g.type, g.amount, g.mushaf_id) for g in goals(bot)] == [("QURAN_PAGES", 5, 4)]


async def test_sensible_typed_answers_at_button_steps_are_taken(bot: BotHarness) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    (schedule,) = await bot.send("15 min")  # a goal typed at the goal-type step
    assert "15 minutes a day: every day" in text_of(schedule)
    (preview,) = await bot.send("every day")
    assert "15 minutes a day" in text_of(preview)
    await bot.press("Back")
    await bot.press("Back")
    (kind,) = await bot.press("Back")
    assert "What kind of goal" in text_of(kind)
    (amount,) = await bot.send("pages")
    assert "How many pages each day?" in text_of(amount)
    await bot.send("3")
    (mushaf,) = await bot.send("30")  # thirty days, typed instead of tapping
    assert "Which mushaf" in text_of(mushaf)
    (preview,) = await bot.send("7")  # the seventh mushaf in the list
    assert "3 pages a day for 30 days" in text_of(preview)
    assert "Mushaf: IndoPak, 16 lines" in text_of(preview)
    await bot.press("Confirm")
    (goal,) = goals(bot)
    assert (goal.type, goal.amount, goal.duration, goal.mushaf_id) == ("QURAN_PAGES", 3, 30, 7)


async def test_goal_typed_at_the_first_step_with_its_days_skips_to_the_mushaf(
    bot: BotHarness,
) -> None:
    await bot.send("/goal")
    (mushaf,) = await bot.send("khatm in 60 days")
    assert "Which mushaf" in text_of(mushaf)
    (preview,) = await bot.press("Uthmani Hafs")
    assert "Finish the whole Quran in 60 days" in text_of(preview)


async def test_typed_goal_error_is_explained_at_the_first_step(bot: BotHarness) -> None:
    await bot.send("/goal")
    (reply,) = await bot.send("0 min")
    assert "The time has to be more than zero." in text_of(reply)
    assert "Set a reading goal" in text_of(reply)


# --- a juz follows the mushaf ------------------------------------------------------------------


async def test_one_juz_typed_in_the_custom_wizard_follows_the_mushaf_chosen_after(
    bot: BotHarness,
) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("Pages each day")
    (schedule,) = await bot.send("1 juz")
    assert "20 pages a day" in text_of(schedule)
    await bot.press("Every day")
    (preview,) = await bot.press("IndoPak, 16 lines")
    assert "1 juz (18 pages) a day" in text_of(preview)
    assert "20 pages" not in text_of(preview)
    await bot.press("Back")
    (preview,) = await bot.press("KFGQPC Hafs")
    assert "1 juz (20 pages) a day" in text_of(preview)
    await bot.press("Back")
    await bot.press("IndoPak, 16 lines")
    await bot.press("Confirm")
    assert [(g.amount, g.mushaf_id) for g in goals(bot)] == [(18, 7)]


async def test_one_juz_preset_follows_the_mushaf_from_settings(bot: BotHarness) -> None:
    await bot.deps.chats.update(DEMO_USER.id, mushaf_id=7)
    await bot.send("/goal")
    (preview,) = await bot.press("One juz a day")
    assert "1 juz (18 pages) a day" in text_of(preview)
    assert "Mushaf: IndoPak, 16 lines" in text_of(preview)
    await bot.press("Change mushaf")
    (preview,) = await bot.press("KFGQPC Hafs")
    assert "1 juz (20 pages) a day" in text_of(preview)
    await bot.press("Back")  # to the presets, then the same preset again
    (preview,) = await bot.press("One juz a day")
    assert "1 juz (20 pages) a day" in text_of(preview)


async def test_arabic_preview_dates_use_arabic_digits(bot: BotHarness) -> None:
    await bot.deps.chats.update(DEMO_USER.id, language="ar")
    await bot.send("/goal")
    session = bot.app.user_data[DEMO_USER.id]["goal_wizard"]["session"]
    (preview,) = await bot.press_data(WizardPreset(session, "khatm30").pack())
    week = [line for line in text_of(preview).splitlines() if line.startswith("• ")]
    assert len(week) == 7
    assert "٢٩" in week[0]
    assert not any(ch in "0123456789" for line in week for ch in line.split(":")[0])


async def test_forged_wizard_presses_are_refused_and_change_nothing(bot: BotHarness) -> None:
    await bot.send("/goal")
    (kinds,) = await bot.press("My own goal")
    draft = dict(bot.app.user_data[DEMO_USER.id]["goal_wizard"])
    before = len(bot.fake_qf.requests)
    for forged in (f"{WizardMushaf.prefix}:{10**20}", f"{WizardMushaf.prefix}:0",
                   f"{WizardGo.prefix}:nowhere", f"{WizardKind.prefix}:hours",
                   f"{WizardPreset.prefix}:../khatm30", f"{WizardConfirm.prefix}:1"):
        assert await bot.press_data(forged, message=kinds) == [], forged
        answer = bot.world.answered_callbacks[-1]
        assert (answer.data, answer.text) == (forged, "This button is no longer valid.")
    assert len(bot.fake_qf.requests) == before
    assert bot.app.user_data[DEMO_USER.id]["goal_wizard"] == draft
    settings = await bot.deps.chats.get(DEMO_USER.id)
    assert settings is not None and settings.mushaf_id == 2
    # The wizard is where it was: the next real press still works.
    (amount,) = await bot.press("Time each day")
    assert "How long do you want to read each day?" in text_of(amount)
