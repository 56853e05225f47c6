"""Setting a timezone: by city, country or zone name, from suggestions or a shared location,
per user in private and per group by admins only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sandbox.harness import DEMO_USER, BotHarness
from bot.sandbox.telegram_world import FakeUser, TelegramWorld

pytestmark = pytest.mark.timeout(60)

GROUP = -100900
ADMIN = FakeUser(4001, "Khadija", username="khadija")
MEMBER = FakeUser(4002, "Omar", username="omar")
#: Mid-January: no daylight saving anywhere near the zones used below.
NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


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
    assert ("America/Chicago (UTC-06:00)", "tz:set:America/Chicago") in buttons
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
    assert ("🕒 Set my timezone", "tz:ask") in TelegramWorld.buttons(messages[0])
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
    assert all(data != "tz:ask" for _, data in TelegramWorld.buttons(messages[0]))
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
    await bot.press_data("tz:set:Mars/Olympus_Mons")
    assert await stored_timezone(bot) is None
    assert "no longer valid" in (bot.world.answered_callbacks[-1].text or "")


async def test_the_stored_timezone_is_sent_as_x_timezone(bot: BotHarness) -> None:
    await bot.link_account()
    await bot.send("/timezone Cairo")
    session = bot.deps.qf.for_user(DEMO_USER.id, timezone=await stored_timezone(bot))
    await session.current_streak_days()
    request = bot.fake_qf.api_requests("GET", "/streaks")[-1]
    assert request.headers["x-timezone"] == "Africa/Cairo"
    assert bot.fake_qf.validation_errors == []
