"""Setting a timezone: by city, country or zone name, from suggestions or a shared location,
per user in private and per group by admins only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

import pytest

from bot.services.reminders import private_reminder
from handlers.replies import AskTimezone
from handlers.timezone.buttons import ContinueCommand, SetZone
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import DEMO_SUB, FakeQuranFoundation
from sandbox.telegram import FakeUser, TelegramWorld

pytestmark = pytest.mark.timeout(60)

GROUP = -100900
ADMIN = FakeUser(4001, "Khadija", username="khadija")
MEMBER = FakeUser(4002, "Omar", username="omar")
#: Mid-January: no daylight saving anywhere near the zones used below.
NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
ASK = AskTimezone().pack()
CONTINUE = ContinueCommand().pack()


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with BotHarness(tmp_path, clock=lambda: NOW) as harness:
        harness.world.add_group(GROUP, "Reading circle", admins=[ADMIN], members=[MEMBER])
        yield harness


async def stored_timezone(bot: BotHarness, chat_id: int = DEMO_USER.id) -> str | None:
    settings = await bot.deps.chats.get(chat_id)
    return settings.timezone if settings else None


async def test_a_city_after_the_command_sets_the_timezone_at_once(bot: BotHarness) -> None:
    messages = await bot.send("/timezone Cairo")
    assert await stored_timezone(bot) == "Africa/Cairo"
    assert "Africa/Cairo (UTC+02:00)" in messages[0]["text"]
    assert "11:30" in messages[0]["text"]  # the local time, so the user can check it


async def test_a_zone_name_in_any_case_is_accepted(bot: BotHarness) -> None:
    await bot.send("/timezone asia/kuala_lumpur")
    assert await stored_timezone(bot) == "Asia/Kuala_Lumpur"


async def test_a_country_with_several_zones_offers_buttons(bot: BotHarness) -> None:
    messages = await bot.send("/timezone USA")
    buttons = TelegramWorld.buttons(messages[0])
    assert ("America/Chicago (UTC-06:00)", SetZone("America/Chicago").pack()) in buttons
    assert all(len(data.encode()) <= 64 for _, data in buttons if data)
    assert await stored_timezone(bot) is None

    edited = await bot.press("America/Chicago")
    assert await stored_timezone(bot) == "America/Chicago"
    assert "America/Chicago" in edited[-1]["text"]


async def test_bare_command_asks_and_a_typed_city_answers(bot: BotHarness) -> None:
    question = await bot.send("/timezone")
    assert "Type your city or country" in question[0]["text"]
    keyboard = bot.world.reply_keyboards[DEMO_USER.id]
    assert keyboard["keyboard"][0][0]["request_location"] is True

    answer = await bot.send("Jakarta")
    assert await stored_timezone(bot) == "Asia/Jakarta"
    assert "Asia/Jakarta" in answer[0]["text"]
    assert DEMO_USER.id not in bot.world.reply_keyboards  # the location keyboard is gone


async def test_typed_country_then_button_takes_the_keyboard_down(bot: BotHarness) -> None:
    await bot.send("/timezone")
    suggestions = await bot.send("Indonesia")
    assert len(TelegramWorld.buttons(suggestions[0])) > 1
    await bot.press("Asia/Makassar")
    assert await stored_timezone(bot) == "Asia/Makassar"
    assert DEMO_USER.id not in bot.world.reply_keyboards
    assert bot.world.was_deleted(DEMO_USER.id, suggestions[0]["message_id"])


async def test_an_unknown_place_keeps_asking_without_losing_the_question(bot: BotHarness) -> None:
    await bot.send("/timezone")
    reply = await bot.send("Xyzzyville")
    assert "couldn't find a timezone for “Xyzzyville”" in reply[0]["text"]
    await bot.send("Cairo")
    assert await stored_timezone(bot) == "Africa/Cairo"


async def test_a_shared_location_sets_the_nearest_zone(bot: BotHarness) -> None:
    await bot.send("/timezone")
    await bot.world.user_shares_location(DEMO_USER.id, DEMO_USER, 21.42, 39.83)  # Mecca
    messages = await bot.process_pending()
    assert await stored_timezone(bot) == "Asia/Riyadh"
    assert "From your location" in messages[0]["text"]
    assert DEMO_USER.id not in bot.world.reply_keyboards


async def test_start_without_a_timezone_asks_and_the_next_message_answers(
    bot: BotHarness,
) -> None:
    messages = await bot.send("/start")
    assert len(messages) == 1  # one welcome, not a stream of messages
    assert "Quran Companion" in messages[0]["text"]
    assert "Which city are you in?" in messages[0]["text"]
    assert ("🕒 Set my timezone", ASK) in TelegramWorld.buttons(messages[0])
    await bot.send("London")
    assert await stored_timezone(bot) == "Europe/London"


async def test_welcome_timezone_button_offers_location_sharing(bot: BotHarness) -> None:
    await bot.send("/start")
    question = await bot.press("Set my timezone")
    assert "Share my location" in question[0]["text"]
    assert bot.world.reply_keyboards[DEMO_USER.id]["keyboard"][0][0]["request_location"]
    await bot.world.user_shares_location(DEMO_USER.id, DEMO_USER, 30.04, 31.24)  # Cairo
    await bot.process_pending()
    assert await stored_timezone(bot) == "Africa/Cairo"


async def test_start_with_a_timezone_does_not_ask(bot: BotHarness) -> None:
    await bot.set_timezone("Europe/London")
    messages = await bot.send("/start")
    assert len(messages) == 1
    assert "Which city" not in messages[0]["text"]
    assert all(data != ASK for _, data in TelegramWorld.buttons(messages[0]))
    await bot.send("Cairo")  # no question pending: not taken as a place
    assert await stored_timezone(bot) == "Europe/London"


async def test_the_question_waits_through_login_but_ends_with_other_commands(
    bot: BotHarness,
) -> None:
    await bot.send("/start")
    await bot.send("/login")
    await bot.send("Cairo")
    assert await stored_timezone(bot) == "Africa/Cairo"

    await bot.send("/timezone")
    await bot.send("/somethingelse")
    await bot.send("Jakarta")
    assert await stored_timezone(bot) == "Africa/Cairo"


async def test_cancel_leaves_the_timezone_unchanged(bot: BotHarness) -> None:
    await bot.set_timezone("Europe/Paris")
    await bot.send("/timezone")
    messages = await bot.send("/cancel")
    assert "stays as it was" in messages[0]["text"]
    assert await stored_timezone(bot) == "Europe/Paris"


async def test_the_question_survives_a_restart(bot: BotHarness) -> None:
    await bot.send("/timezone")
    await bot.restart()
    await bot.send("Cairo")
    assert await stored_timezone(bot) == "Africa/Cairo"


async def test_start_timezone_deep_link_opens_the_question(bot: BotHarness) -> None:
    messages = await bot.send("/start timezone")
    assert len(messages) == 1
    assert "Which timezone are you in?" in messages[0]["text"]
    await bot.send("Riyadh")
    assert await stored_timezone(bot) == "Asia/Riyadh"


async def test_group_admin_sets_the_groups_timezone(bot: BotHarness) -> None:
    messages = await bot.send("/timezone Cairo", user=ADMIN, chat_id=GROUP)
    assert "This group's timezone is now" in messages[0]["text"]
    assert await stored_timezone(bot, GROUP) == "Africa/Cairo"
    assert await stored_timezone(bot, ADMIN.id) is None  # the admin's own setting is separate


async def test_group_member_who_is_not_admin_is_refused_politely(bot: BotHarness) -> None:
    messages = await bot.send("/timezone Cairo", user=MEMBER, chat_id=GROUP)
    assert "only group admins" in messages[0]["text"]
    assert await stored_timezone(bot, GROUP) is None


async def test_anonymous_admin_may_set_the_groups_timezone(bot: BotHarness) -> None:
    await bot.world.anonymous_admin_sends(GROUP, "/timezone Cairo")
    await bot.process_pending()
    assert await stored_timezone(bot, GROUP) == "Africa/Cairo"


async def test_suggestion_buttons_are_checked_on_every_press(bot: BotHarness) -> None:
    suggestions = await bot.send("/timezone USA", user=ADMIN, chat_id=GROUP)
    message = suggestions[0]

    await bot.press("America/Denver", user=MEMBER, chat_id=GROUP, message=message)
    assert await stored_timezone(bot, GROUP) is None
    refusal = bot.world.answered_callbacks[-1]
    assert refusal.user_id == MEMBER.id and refusal.show_alert
    assert "only group admins" in (refusal.text or "")

    # Demoted since asking: the admin's own buttons no longer work for them either.
    bot.world.set_member_status(GROUP, ADMIN, "member")
    await bot.press("America/Denver", user=ADMIN, chat_id=GROUP, message=message)
    assert await stored_timezone(bot, GROUP) is None

    bot.world.set_member_status(GROUP, ADMIN, "administrator")
    await bot.press("America/Denver", user=ADMIN, chat_id=GROUP, message=message)
    assert await stored_timezone(bot, GROUP) == "America/Denver"
    assert len(bot.world.calls_to("getChatMember")) >= 3


async def test_group_command_without_a_place_shows_the_current_zone_and_usage(
    bot: BotHarness,
) -> None:
    await bot.set_timezone("Asia/Dubai", chat_id=GROUP, chat_type="group")
    messages = await bot.send("/timezone", user=MEMBER, chat_id=GROUP)
    assert "Asia/Dubai (UTC+04:00)" in messages[0]["text"]
    assert "/timezone Cairo" in messages[0]["text"]


async def test_a_forged_zone_button_is_refused(bot: BotHarness) -> None:
    await bot.send("/timezone")
    await bot.press_data(SetZone("Mars/Olympus_Mons").pack())
    assert await stored_timezone(bot) is None
    assert "no longer valid" in (bot.world.answered_callbacks[-1].text or "")


@pytest.mark.parametrize(
    "data",
    [
        "tz.set:../../etc/passwd",
        "tz.set:Asia/..",
        "tz.set:Asia//Riyadh",
        "tz.set:Asia/Riyadh/",
        "tz.set:Asia/Riyadh:1",
        "tz.set:" + "A" * 40,
        "tz.set:Africa/Cairo%00",
        "tz.set:",
        "tz.go:1",
        "tz.ask:1",
    ],
)
async def test_forged_timezone_presses_are_no_longer_valid_and_change_nothing(
    bot: BotHarness, data: str
) -> None:
    [question] = await bot.send("/timezone USA")
    before = bot.world.message(DEMO_USER.id, question["message_id"])
    assert await bot.press_data(data) == []
    assert await stored_timezone(bot) is None
    assert bot.world.answered_callbacks[-1].text == "This button is no longer valid."
    assert bot.world.message(DEMO_USER.id, question["message_id"]) == before


def test_every_zone_fits_on_a_suggestion_button() -> None:
    for zone in sorted(available_timezones()):
        assert SetZone.parse(SetZone(zone).pack()) == SetZone(zone)


async def test_the_stored_timezone_is_sent_as_x_timezone(bot: BotHarness) -> None:
    await bot.link_account()
    await bot.send("/timezone Cairo")
    session = bot.deps.qf.for_user(DEMO_USER.id, timezone=await stored_timezone(bot))
    await session.current_streak_days()
    request = bot.fake_qf.api_requests("GET", "/streaks")[-1]
    assert request.headers["x-timezone"] == "Africa/Cairo"
    assert bot.fake_qf.validation_errors == []


async def test_an_offset_offers_places_with_that_offset_not_inverted_etc_names(
    bot: BotHarness,
) -> None:
    (offer,) = await bot.send("/timezone UTC+5")
    labels = [label for label, _ in TelegramWorld.buttons(offer)]
    assert labels[:2] == ["Asia/Karachi (UTC+05:00)", "Asia/Tashkent (UTC+05:00)"]
    assert not any("Etc/" in label or "Antarctica" in label for label in labels)


async def test_an_etc_zone_typed_by_name_is_confirmed_by_its_offset(bot: BotHarness) -> None:
    (confirmation,) = await bot.send("/timezone Etc/GMT-3")
    assert await stored_timezone(bot) == "Etc/GMT-3"
    assert "UTC+03:00" in confirmation["text"]
    assert "GMT-3" not in confirmation["text"]


# --- a feature asked for the timezone: the answer is taken and the command carried on ---------


@pytest.fixture
async def linked(tmp_path: Path) -> AsyncIterator[BotHarness]:
    """A linked user who never set a timezone; Quran.com's clock is the bot's."""
    fake = FakeQuranFoundation()
    fake.set_now(NOW)
    async with BotHarness(tmp_path, fake_qf=fake, clock=fake.now) as harness:
        await harness.link_account()
        yield harness
        assert fake.validation_errors == []
        assert fake.response_errors == []


def texts_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or m.get("caption") or "") for m in messages)


async def test_goal_gate_takes_a_typed_city_and_sets_the_goal_in_the_same_reply(
    linked: BotHarness,
) -> None:
    (asked,) = await linked.send("/goal 10min")
    assert "which timezone" in asked["text"]
    assert "/goal 10min" in asked["text"]  # the user sees the command is not lost

    # One message: the timezone confirmation, then the goal, with the goal's own buttons.
    (answered,) = await linked.send("Cairo")
    assert await stored_timezone(linked) == "Africa/Cairo"
    assert answered["text"].startswith("🕒 Your timezone is now Africa/Cairo (UTC+02:00)")
    assert "✅ Goal set: 10 minutes a day" in answered["text"]
    assert "where were we" not in answered["text"]
    assert "not sure" not in answered["text"]
    assert all("Continue" not in label for label, _ in TelegramWorld.buttons(answered))
    assert any("Undo" in label for label, _ in TelegramWorld.buttons(answered))
    (goal,) = linked.fake_qf.users[DEMO_SUB].goals.values()
    assert (goal.type, goal.amount) == ("QURAN_TIME", 600)


async def test_goal_gate_carries_on_in_arabic_too(linked: BotHarness) -> None:
    await linked.send("/language ar")
    await linked.send("/goal 10min")
    (answered,) = await linked.send("القاهرة")
    assert await stored_timezone(linked) == "Africa/Cairo"
    assert "🕒" in answered["text"]
    assert "Continue" not in answered["text"]
    assert len(linked.fake_qf.users[DEMO_SUB].goals) == 1


async def test_the_carried_on_command_is_not_run_again_by_a_second_answer(
    linked: BotHarness,
) -> None:
    await linked.send("/goal 10min")
    await linked.send("Cairo")
    again = await linked.send("/timezone Cairo")
    assert len(again) == 1 and "Goal set" not in again[0]["text"]
    assert len(linked.fake_qf.users[DEMO_SUB].goals) == 1


async def test_read_gate_credits_the_verses_as_the_timezone_is_set(linked: BotHarness) -> None:
    (asked,) = await linked.send("/read 2:255")
    assert "/read 2:255" in asked["text"]
    assert linked.fake_qf.users[DEMO_SUB].activity_days == {}
    (done,) = await linked.send("Cairo")
    assert "Africa/Cairo" in done["text"] and "✅ Credited" in done["text"]
    (day,) = linked.fake_qf.users[DEMO_SUB].activity_days.values()
    assert day.seconds > 0


@pytest.mark.parametrize(("command", "shown"), [("/today", "no reading goal yet"),
                                                ("/progress", "Your progress")])
async def test_today_and_progress_gates_answer_with_the_confirmation(
    linked: BotHarness, command: str, shown: str
) -> None:
    await linked.send(command)
    done = await linked.send("Cairo")
    assert shown in texts_of(done)
    assert "Africa/Cairo" in texts_of(done)
    assert "which timezone" not in texts_of(done)


async def test_remind_gate_sets_the_reminder_in_the_new_timezone(linked: BotHarness) -> None:
    (asked,) = await linked.send("/remind 21:00")
    assert "/remind 21:00" in asked["text"]
    done = await linked.send("Cairo")
    assert "21:00 (Africa/Cairo)" in texts_of(done)
    reminder = await private_reminder(linked.deps, DEMO_USER.id)
    assert reminder is not None
    assert (reminder.times, reminder.timezone) == (("21:00",), "Africa/Cairo")


async def test_a_country_answer_offers_buttons_and_the_chosen_one_carries_on(
    linked: BotHarness,
) -> None:
    await linked.send("/goal 10min")
    (offer,) = await linked.send("Indonesia")
    assert len(TelegramWorld.buttons(offer)) > 1
    assert await stored_timezone(linked) is None
    chosen = await linked.press("Asia/Jakarta")
    assert await stored_timezone(linked) == "Asia/Jakarta"
    # The suggestions become the confirmation and the goal: one edit, no new message.
    (edited,) = chosen
    assert edited["message_id"] == offer["message_id"]
    assert "Asia/Jakarta" in edited["text"] and "✅ Goal set: 10 minutes a day" in edited["text"]
    assert any("Undo" in label for label, _ in TelegramWorld.buttons(edited))


async def test_an_unknown_answer_says_so_and_the_command_still_waits(linked: BotHarness) -> None:
    await linked.send("/goal 10min")
    (reply,) = await linked.send("Xyzzyville")
    assert "couldn't find a timezone for “Xyzzyville”" in reply["text"]
    (answered,) = await linked.send("Cairo")
    assert "✅ Goal set: 10 minutes a day" in answered["text"]


async def test_the_question_button_and_a_shared_location_also_carry_on(
    linked: BotHarness,
) -> None:
    await linked.send("/goal 10min")
    await linked.press("Set my timezone")  # the conversation with the location keyboard
    await linked.world.user_shares_location(DEMO_USER.id, DEMO_USER, 30.04, 31.24)  # Cairo
    shared = await linked.process_pending()
    assert await stored_timezone(linked) == "Africa/Cairo"
    # The location keyboard can only come down with a message of its own.
    assert "From your location" in shared[0]["text"]
    assert "✅ Goal set: 10 minutes a day" in shared[-1]["text"]


async def test_an_old_continue_button_still_runs_the_command_once(linked: BotHarness) -> None:
    (asked,) = await linked.send("/goal 10min")
    await linked.set_timezone("Africa/Cairo")  # set elsewhere, the command still waiting
    await linked.restart()
    await linked.press_data(CONTINUE, message=asked)  # a Continue from an older version
    assert len(linked.fake_qf.users[DEMO_SUB].goals) == 1
    await linked.press_data(CONTINUE, message=asked)  # a second, stale tap
    assert len(linked.fake_qf.users[DEMO_SUB].goals) == 1
    assert "done already" in (linked.world.answered_callbacks[-1].text or "")


async def test_a_command_asked_long_ago_is_not_carried_on(linked: BotHarness) -> None:
    await linked.send("/goal 10min")
    linked.fake_qf.advance(timedelta(hours=2))
    (offer,) = await linked.send("Cairo")
    # No longer an answer to a question: offered, not set behind the user's back.
    assert await stored_timezone(linked) is None
    chosen = await linked.press("Africa/Cairo")
    assert await stored_timezone(linked) == "Africa/Cairo"
    assert len(chosen) == 1 and "Goal set" not in chosen[0]["text"]
    assert linked.fake_qf.users[DEMO_SUB].goals == {}
    assert offer["text"].startswith("Setting your timezone?")


async def test_a_group_gate_continues_in_the_private_chat(linked: BotHarness) -> None:
    linked.world.add_group(GROUP, "Reading circle", admins=[ADMIN], members=[DEMO_USER])
    (asked,) = await linked.send("/today@QuranCompanionBot", chat_id=GROUP)
    assert "timezone" in asked["text"]
    await linked.send("/start timezone")
    done = await linked.send("Cairo")
    assert all(m["chat"]["id"] == DEMO_USER.id for m in done)
    assert "no reading goal yet" in texts_of(done)


async def test_a_pressed_suggestion_carrying_on_a_photo_answer_keeps_the_order(
    linked: BotHarness,
) -> None:
    """/progress answers with a photo, which no edit can become: the suggestions turn into the
    confirmation, and the chart follows below it."""
    await linked.send("/progress")
    (offer,) = await linked.send("Indonesia")
    answered = await linked.press("Asia/Jakarta")
    (edited,) = [m for m in answered if m["message_id"] == offer["message_id"]]
    (chart,) = [m for m in answered if m["message_id"] > offer["message_id"]]
    assert "Asia/Jakarta" in edited["text"]
    assert TelegramWorld.buttons(edited) == []
    assert "Your progress" in str(chart.get("caption") or chart.get("text"))
