"""/today, /read and /progress in process: what the user sees and what Quran.com records."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from harness_support import linked_bot
from telegram import Update

from handlers.reading.buttons import (
    PickMeaning,
    QuickTime,
    ReadRest,
    RetryRead,
    ShowToday,
)
from handlers.replies import LinkAccount, StartGoalWizard
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import DEMO_SUB, FakeQuranFoundation, Goal
from sandbox.telegram import FakeUser

TODAY = date(2026, 3, 29)
ZONE = "Asia/Riyadh"
GROUP = -100200
FRIEND = FakeUser(2002, "Bilal", username="bilal")
ACTIVITY = r"^/v1/activity-days$"
#: Fault paths are searched in the full path (with the /auth base).
ACTIVITY_FAULT = r"/v1/activity-days$"

JSONDict = dict[str, Any]


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with linked_bot(tmp_path, today=TODAY, zone=ZONE) as harness:
        yield harness


def seed_goal(bot: BotHarness, goal_type: str, amount: int | str, duration: int | None = None,
              *, goal_id: str = "goal-1") -> None:
    """A goal made on Quran.com (the bot has no record of it)."""
    bot.fake_qf.users[DEMO_SUB].goals[goal_id] = Goal(
        goal_id, goal_type, amount, duration, "QURAN", 2, TODAY
    )


def credit_posts(bot: BotHarness) -> list[Any]:
    return [r.json for r in bot.fake_qf.api_requests("POST", ACTIVITY)]


def text_of(message: JSONDict) -> str:
    return str(message.get("text") or message.get("caption") or "")


def links(message: JSONDict) -> list[str]:
    return [e["url"] for e in message.get("entities", []) if e["type"] == "text_link"]


# --- /today ---------------------------------------------------------------------------------


async def test_today_without_a_goal_offers_to_set_one(bot: BotHarness) -> None:
    (reply,) = await bot.send("/today")
    assert "no reading goal yet" in text_of(reply)
    assert ("🎯 Set a goal", StartGoalWizard().pack()) in bot.world.buttons(reply)


async def test_today_shows_bar_target_and_linked_remaining_ranges(bot: BotHarness) -> None:
    seed_goal(bot, "QURAN_RANGE", "67:1-67:30")
    await bot.send("/read 67:1-67:10")
    (reply,) = await bot.send("/today")
    text = text_of(reply)
    assert "Today's plan · Sunday 29 March" in text
    assert "▰▰▰▱▱▱▱▱▱▱ 33%" in text
    assert "Today's target: 67:1–30" in text
    assert "Still to read: 67:11–30" in text
    assert "https://quran.com/67/11-30" in links(reply)
    assert "https://quran.com/67" in links(reply)  # the whole-surah target
    assert any(label == "✅ I read it" for label, _ in bot.world.buttons(reply))


async def test_today_offers_reflections_on_the_verses_still_to_read(bot: BotHarness) -> None:
    seed_goal(bot, "QURAN_RANGE", "67:1-67:30")
    await bot.send("/read 67:1-67:10")
    bot.fake_qf.add_post("On His dominion over everything", [(67, 11, 12)], first_name="Bilal")
    (today,) = await bot.send("/today")
    assert any(label == "💬 Reflections on 67:11-30" for label, _ in bot.world.buttons(today))
    (listed,) = await bot.press("💬 Reflections on 67:11-30")
    assert listed["message_id"] != today["message_id"]  # /today stays as it was
    assert "Bilal" in text_of(listed) and "On His dominion" in text_of(listed)


async def test_upstream_failure_on_today_is_friendly_with_a_retry(bot: BotHarness) -> None:
    # 500 is not retried by the client, so one injected failure reaches the user.
    bot.fake_qf.fail_next(500, path="get-todays-plan")
    (reply,) = await bot.send("/today")
    assert "Quran.com is having trouble" in text_of(reply)
    assert "{" not in text_of(reply)
    retry_pressed = await bot.press("Try again")
    assert "no reading goal yet" in text_of(retry_pressed[-1])


# --- "I read it" buttons --------------------------------------------------------------------


async def test_i_read_it_credits_the_remaining_ranges_once(bot: BotHarness) -> None:
    seed_goal(bot, "QURAN_RANGE", "67:1-67:30")
    await bot.send("/read 67:1-67:10")
    (today,) = await bot.send("/today")
    data = next(d for label, d in bot.world.buttons(today) if label == "✅ I read it")
    edited = await bot.press("I read it")
    assert credit_posts(bot)[-1] == {
        "type": "QURAN", "seconds": 20 * 6, "ranges": ["67:11-67:30"], "mushafId": 2,
    }
    assert "✅ Credited 67:11–30" in text_of(edited[-1])
    assert "100%" in text_of(edited[-1])
    assert "Streak: 1 day" in text_of(edited[-1])
    # A second tap of the same button (its data is still in the client) credits nothing.
    await bot.press_data(str(data), message=today)
    assert len(credit_posts(bot)) == 2  # the /read and the button, nothing more
    assert bot.world.answered_callbacks[-1].text == "Nothing left for today. ✅"


async def test_simultaneous_double_tap_credits_once(bot: BotHarness) -> None:
    seed_goal(bot, "QURAN_RANGE", "67:1-67:30")
    (today,) = await bot.send("/today")
    data = next(d for label, d in bot.world.buttons(today) if label == "✅ I read it")
    for _ in range(2):
        await bot.world.user_presses(DEMO_USER.id, DEMO_USER, today["message_id"], str(data))
    updates = [Update.de_json(u, bot.app.bot) for u in bot.world.pending_update_dicts()]
    await asyncio.gather(*(bot.app.process_update(u) for u in updates))
    assert len(credit_posts(bot)) == 1
    assert bot.fake_qf.users[DEMO_SUB].activity_days[TODAY].seconds == 30 * 6


async def test_time_goal_quick_buttons_credit_minutes_once_per_tap(bot: BotHarness) -> None:
    seed_goal(bot, "QURAN_TIME", 900)
    (today,) = await bot.send("/today")
    labels = [label for label, _ in bot.world.buttons(today)]
    assert labels[:3] == ["+5 min", "+10 min", "+15 min"]
    ten = next(d for label, d in bot.world.buttons(today) if label == "+10 min")
    edited = await bot.press("+10 min")
    assert credit_posts(bot) == [{"type": "QURAN", "seconds": 600, "ranges": [], "mushafId": 2}]
    assert "✅ Credited 10 minutes" in text_of(edited[-1])
    assert "66%" in text_of(edited[-1])
    # The old button's data again (a double tap): already credited.
    await bot.press_data(str(ten), message=today)
    assert len(credit_posts(bot)) == 1
    assert "already credited" in str(bot.world.answered_callbacks[-1].text)
    # The refreshed message has fresh buttons: a deliberate second +5 counts.
    await bot.press("+5 min")
    assert bot.fake_qf.users[DEMO_SUB].activity_days[TODAY].seconds == 900


async def test_someone_elses_button_does_nothing(bot: BotHarness) -> None:
    seed_goal(bot, "QURAN_TIME", 900)
    await bot.link_account(FRIEND)
    await bot.set_timezone(ZONE, chat_id=FRIEND.id)
    (today,) = await bot.send("/today")
    ten = next(d for label, d in bot.world.buttons(today) if label == "+10 min")
    # A forged press from another account on Amina's message (as a modified client could send).
    await bot.world.user_presses(DEMO_USER.id, FRIEND, today["message_id"], str(ten),
                                 forged=True)
    await bot.process_pending()
    assert credit_posts(bot) == []
    assert "someone else" in str(bot.world.answered_callbacks[-1].text)


def forged_presses(token: str) -> list[str]:
    """Data a modified client could send on /today's message: each field out of its type."""
    owner = DEMO_USER.id
    return [
        f"{QuickTime.prefix}:{owner}:{10**20}:{token}",  # 10^20 seconds
        f"{QuickTime.prefix}:{owner}:59:{token}",  # under the shortest quick credit
        f"{QuickTime.prefix}:{owner}:3601:{token}",  # over an hour
        f"{QuickTime.prefix}:{owner}:600:../{token}",  # not an offer token
        f"{ShowToday.prefix}:{2**63 + 5}",  # an owner id over 2^63
        f"{ReadRest.prefix}:{2**64}:{TODAY:%Y%m%d}",
        f"{ReadRest.prefix}:{owner}:20260230",  # no such day
        f"{RetryRead.prefix}:{owner}:-1",
        f"{PickMeaning.prefix}:{owner}:1:s:{10**6}:0",  # a number no /read can ask about
        f"{PickMeaning.prefix}:{owner}:1:x:10:0",  # no such meaning
    ]


async def test_forged_reading_presses_are_refused_before_quran_com(bot: BotHarness) -> None:
    seed_goal(bot, "QURAN_TIME", 900)
    (today,) = await bot.send("/today")
    ten = next(d for label, d in bot.world.buttons(today) if label == "+10 min")
    offer = QuickTime.parse(ten)
    assert offer is not None and offer.seconds == 600
    for data in forged_presses(offer.token):
        before = len(bot.fake_qf.requests)
        replies = await bot.press_data(data, message=today)
        assert replies == [], data
        answer = bot.world.answered_callbacks[-1]
        assert (answer.data, answer.text) == (data, "This button is no longer valid.")
        assert len(bot.fake_qf.requests) == before, data
    assert credit_posts(bot) == []
    assert TODAY not in bot.fake_qf.users[DEMO_SUB].activity_days


# --- /read ----------------------------------------------------------------------------------


async def test_read_estimates_seconds_and_shows_progress_and_streak(bot: BotHarness) -> None:
    seed_goal(bot, "QURAN_TIME", 600)
    (reply,) = await bot.send("/read 2:1-2:40")
    assert credit_posts(bot) == [
        {"type": "QURAN", "seconds": 240, "ranges": ["2:1-2:40"], "mushafId": 2}
    ]
    assert bot.fake_qf.api_requests("GET", "estimate-reading-time")[0].query == {
        "ranges": "2:1-2:40"
    }
    text = text_of(reply)
    assert "✅ Credited 2:1–40 (4 minutes) to your Quran.com account." in text
    assert "Today's goal: ▰▰▰▰▱▱▱▱▱▱ 40%" in text
    assert "Streak: 1 day" in text


async def test_read_with_typed_minutes_and_names(bot: BotHarness) -> None:
    await bot.send("/read 2:1-2:40 15min")
    await bot.send("/read Al-Mulk")
    await bot.send("/read 20min")
    posts = credit_posts(bot)
    assert posts[0] == {"type": "QURAN", "seconds": 900, "ranges": ["2:1-2:40"], "mushafId": 2}
    assert posts[1]["ranges"] == ["67:1-67:30"]
    assert posts[2] == {"type": "QURAN", "seconds": 1200, "ranges": [], "mushafId": 2}
    assert len(bot.fake_qf.api_requests("GET", "estimate-reading-time")) == 1


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/read 2:40-2:1", "put the earlier verse first"),
        ("/read 2:300", "Surah 2 has 286 verses"),
        ("/read baqra 5", "Did you mean"),
        ("/read 2:1-2:5 soon", "as a length of time"),
        ("/read 2:1-2:5 0min", "more than zero"),
    ],
)
async def test_bad_read_input_is_explained_and_nothing_is_sent(
    bot: BotHarness, command: str, expected: str
) -> None:
    (reply,) = await bot.send(command)
    assert expected in text_of(reply)
    assert "/read 2:1-2:40 15min" in text_of(reply)
    assert credit_posts(bot) == []


async def test_read_without_arguments_explains_usage(bot: BotHarness) -> None:
    (reply,) = await bot.send("/read")
    assert "Tell me what you read" in text_of(reply)


async def test_edited_read_message_does_not_credit_again(bot: BotHarness) -> None:
    await bot.world.user_sends(DEMO_USER.id, DEMO_USER, "/read 2:1-2:10")
    await bot.process_pending()
    message_id = bot.world.sent(DEMO_USER.id)[-1]["message_id"] - 1
    await bot.world.user_edits(DEMO_USER.id, DEMO_USER, message_id, "/read 2:1-2:20")
    replies = await bot.process_pending()
    assert replies == []
    assert len(credit_posts(bot)) == 1


async def test_redelivered_read_update_credits_once(bot: BotHarness) -> None:
    await bot.world.user_sends(DEMO_USER.id, DEMO_USER, "/read 2:1-2:10")
    (update,) = bot.world.pending_update_dicts()
    for _ in range(2):  # Telegram delivering the same update again after a crash
        await bot.app.process_update(Update.de_json(update, bot.app.bot))
    assert len(credit_posts(bot)) == 1
    assert "already credited" in bot.texts()[-1]


async def test_ambiguous_timeout_is_not_retried_and_says_so(bot: BotHarness) -> None:
    bot.fake_qf.timeout_next(method="POST", path=ACTIVITY_FAULT, apply=True)
    await bot.world.user_sends(DEMO_USER.id, DEMO_USER, "/read 2:1-2:10 5min")
    (update,) = bot.world.pending_update_dicts()
    await bot.app.process_update(Update.de_json(update, bot.app.bot))
    assert "can't tell whether this was credited" in bot.texts()[-1]
    assert not any(label == "🔁 Try again" for label, _ in bot.world.buttons(
        bot.world.last_sent(DEMO_USER.id)))
    # Sent once (the fake applied it); a redelivery of the same message sends nothing more.
    await bot.app.process_update(Update.de_json(update, bot.app.bot))
    assert len(credit_posts(bot)) == 1
    assert bot.fake_qf.users[DEMO_SUB].activity_days[TODAY].seconds == 300


async def test_definite_failure_keeps_the_input_for_try_again(bot: BotHarness) -> None:
    bot.fake_qf.fail_next(503, method="POST", path=ACTIVITY_FAULT)
    (reply,) = await bot.send("/read 2:1-2:10 5min")
    assert "temporarily unavailable" in text_of(reply)
    assert bot.fake_qf.users[DEMO_SUB].activity_days == {}
    (done,) = await bot.press("Try again")
    assert "✅ Credited 2:1–10 (5 minutes)" in text_of(done)
    assert bot.fake_qf.users[DEMO_SUB].activity_days[TODAY].seconds == 300
    await bot.press("Try again")  # the old button once more
    assert bot.fake_qf.users[DEMO_SUB].activity_days[TODAY].seconds == 300


async def test_reading_needs_a_timezone_and_a_link_first(bot: BotHarness) -> None:
    stranger = FakeUser(3003, "Sara", username="sara")
    bot.world.add_private_chat(stranger)
    (reply,) = await bot.send("/read 1:1-1:7", user=stranger)
    assert "link your Quran.com account" in text_of(reply)
    assert bot.world.buttons(reply) == [("🔗 Link Quran.com account", LinkAccount().pack())]
    await bot.link_account(stranger)
    (asked,) = await bot.send("/read 1:1-1:7", user=stranger)
    assert "which timezone" in text_of(asked)
    assert credit_posts(bot) == []


# --- groups ---------------------------------------------------------------------------------


async def test_read_in_a_group_credits_the_sender_and_shows_nothing_private(
    bot: BotHarness,
) -> None:
    seed_goal(bot, "QURAN_TIME", 600)
    bot.world.add_group(GROUP, "Circle", members=[DEMO_USER, FRIEND])
    bot.world.add_private_chat(FRIEND)
    (reply,) = await bot.send("/read 2:255", chat_id=GROUP)
    assert reply["chat"]["id"] == GROUP
    assert text_of(reply) == "✅ Credited 2:255 (6 seconds) to Amina's Quran.com account."
    assert "Streak" not in text_of(reply) and "%" not in text_of(reply)
    assert credit_posts(bot)[0]["ranges"] == ["2:255-2:255"]
    # Bilal has no linked account: he gets a button to the private chat, not a login link.
    (friend_reply,) = await bot.send("/read 2:255", user=FRIEND, chat_id=GROUP)
    (_label, url) = bot.world.buttons(friend_reply)[0]
    assert str(url).startswith("https://t.me/QuranCompanionBot?start=")
    assert len(credit_posts(bot)) == 1


async def test_today_asked_in_a_group_is_delivered_privately(bot: BotHarness) -> None:
    seed_goal(bot, "QURAN_TIME", 600)
    bot.world.add_group(GROUP, "Circle", members=[DEMO_USER])
    replies = await bot.send("/today", chat_id=GROUP)
    private = [m for m in replies if m["chat"]["id"] == DEMO_USER.id]
    public = [m for m in replies if m["chat"]["id"] == GROUP]
    assert "Today's plan" in text_of(private[0])
    assert [text_of(m) for m in public] == ["📬 Sent to you in our private chat."]


async def test_progress_asked_in_a_group_by_someone_who_blocked_the_bot(bot: BotHarness) -> None:
    bot.world.add_group(GROUP, "Circle", members=[DEMO_USER])
    bot.world.block(DEMO_USER.id)
    replies = await bot.send("/progress", chat_id=GROUP)
    assert [m["chat"]["id"] for m in replies] == [GROUP]
    assert "only show this in our private chat" in text_of(replies[0])
    assert bot.world.buttons(replies[0]) == [
        ("Open our private chat", "https://t.me/QuranCompanionBot")
    ]
    assert "Streak" not in text_of(replies[0])


# --- /progress ------------------------------------------------------------------------------


async def test_progress_sends_a_png_chart_with_streak_and_days_left(bot: BotHarness) -> None:
    await bot.send("/goal khatm 30")
    bot.fake_qf.set_today(TODAY - timedelta(days=1), timezone=ZONE)
    await bot.send("/read 1:1-1:7 10min")
    bot.fake_qf.set_today(TODAY, timezone=ZONE)
    await bot.send("/read 2:1-2:20 5min")
    replies = await bot.send("/progress")
    photo = next(m for m in replies if "photo" in m)
    caption = text_of(photo)
    assert "Streak: 2 days" in caption
    assert "Finish the whole Quran in 30 days" in caption
    assert "30 days left" in caption
    assert "read on 2 days, 15 minutes in all" in caption
    upload = bot.world.uploads[-1]
    assert upload.kind == "photo" and upload.chat_id == DEMO_USER.id
    telegram_file = await bot.app.bot.get_file(upload.file_id)
    # PTB prefixes the file path with the file URL ending in the bot token.
    path = str(telegram_file.file_path).split(bot.world.bot_token + "/", 1)[-1]
    stored = bot.world.file_content(path)
    assert stored is not None
    assert stored.startswith(b"\x89PNG\r\n\x1a\n")
    assert upload.width and upload.height and upload.width > upload.height
    (listing,) = bot.fake_qf.api_requests("GET", ACTIVITY)
    assert listing.query["from"] == "2026-02-28" and listing.query["to"] == "2026-03-29"


async def test_i_read_it_on_the_2026_03_29_contract(tmp_path: Path) -> None:
    # That contract's plan has no goalId; the button only needs the remaining ranges and date.
    fake = FakeQuranFoundation(contract="2026-03-29")
    fake.set_today(TODAY, timezone=ZONE)
    async with BotHarness(tmp_path, contract="2026-03-29", fake_qf=fake, clock=fake.now) as bot:
        await bot.link_account()
        await bot.set_timezone(ZONE)
        await bot.send("/goal mulk")
        (today,) = await bot.send("/today")
        assert "🎯 Read Surah Al-Mulk every day" in text_of(today)
        edited = await bot.press("I read it")
        assert "100%" in text_of(edited[-1])
        assert credit_posts(bot) == [
            {"type": "QURAN", "seconds": 180, "ranges": ["67:1-67:30"], "mushafId": 2}
        ]
        assert fake.validation_errors == []
