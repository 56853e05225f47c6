"""The group reminder panel (/reminders, /stopreminders) and private /remind, as users see them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from reminders_support import (
    ADMIN,
    GROUP_ID,
    MEMBER,
    NINE_CAIRO,
    add_group,
    clock_at,
    create_group_reminder,
    planned,
)

from bot.services.reminders import group_reminder, private_reminder
from handlers.reminders.buttons import (
    AddTime,
    RemoveTime,
    SetZone,
    ShowMinutes,
    ToggleDay,
    TurnOff,
)
from sandbox.harness import DEMO_USER, BotHarness


def last_text(bot: BotHarness, chat_id: int = GROUP_ID) -> str:
    return bot.world.texts(chat_id)[-1]


async def test_admin_sets_up_a_group_reminder_with_the_panel(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        await bot.set_timezone("Africa/Cairo", chat_id=GROUP_ID, chat_type="group")

        [panel] = await bot.send("/reminders", user=ADMIN, chat_id=GROUP_ID)
        assert "Not set up yet" in panel["text"]
        await bot.press("➕ Time", user=ADMIN, chat_id=GROUP_ID)
        await bot.press("21", user=ADMIN, chat_id=GROUP_ID)
        [edited] = await bot.press("21:30", user=ADMIN, chat_id=GROUP_ID)

        assert "Times: 21:30" in edited["text"]
        assert "Days: every day" in edited["text"]
        assert "Timezone: Africa/Cairo (UTC+02:00)" in edited["text"]
        reminder = await group_reminder(bot.deps, GROUP_ID)
        assert reminder is not None
        assert reminder.times == ("21:30",) and reminder.timezone == "Africa/Cairo"
        assert reminder.enabled and reminder.kind == "group"
        assert await planned(bot) == [f"{reminder.id}@21:30"]

        # Fridays off, then a second time, then the group's timezone.
        [edited] = await bot.press("●Fr", user=ADMIN, chat_id=GROUP_ID)
        assert "Days: Mon, Tue, Wed, Thu, Sat, and Sun" in edited["text"]
        await bot.press("➕ Time", user=ADMIN, chat_id=GROUP_ID)
        await bot.press("06", user=ADMIN, chat_id=GROUP_ID)
        await bot.press("06:15", user=ADMIN, chat_id=GROUP_ID)
        await bot.press("🌍 Timezone", user=ADMIN, chat_id=GROUP_ID)
        [edited] = await bot.press("Asia/Riyadh", user=ADMIN, chat_id=GROUP_ID)

        reminder = await group_reminder(bot.deps, GROUP_ID)
        assert reminder is not None
        assert reminder.times == ("06:15", "21:30")
        assert reminder.weekdays == (0, 1, 2, 3, 5, 6)
        assert reminder.timezone == "Asia/Riyadh"
        chat = await bot.deps.chats.get(GROUP_ID)
        assert chat is not None and chat.timezone == "Asia/Riyadh"
        assert "Timezone: Asia/Riyadh (UTC+03:00)" in edited["text"]
        # Next due at 06:15 in Riyadh (it is 22:00 there now).
        assert await planned(bot) == [f"{reminder.id}@06:15"]
        assert reminder.next_due_at == datetime(2026, 11, 24, 3, 15, tzinfo=UTC)

        # Removing a time, then trying to remove the last one.
        await bot.press("✖ 06:15", user=ADMIN, chat_id=GROUP_ID)
        await bot.press("✖ 21:30", user=ADMIN, chat_id=GROUP_ID)
        assert bot.world.answered_callbacks[-1].show_alert
        assert "at least one time" in (bot.world.answered_callbacks[-1].text or "")
        reminder = await group_reminder(bot.deps, GROUP_ID)
        assert reminder is not None and reminder.times == ("21:30",)

        [done] = await bot.press("✔️ Done", user=ADMIN, chat_id=GROUP_ID)
        assert "reply_markup" not in done
        assert bot.fake_qf.validation_errors == []


async def test_member_sees_the_schedule_but_is_politely_refused_changes(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)

        [shown] = await bot.send("/reminders", user=MEMBER, chat_id=GROUP_ID)
        assert "Times: 21:00" in shown["text"]
        assert "Only the group's admins can change" in shown["text"]
        assert "reply_markup" not in shown

        [refusal] = await bot.send("/reminders time 05:00", user=MEMBER, chat_id=GROUP_ID)
        assert "only the group's admins" in refusal["text"]
        await bot.send("/stopreminders", user=MEMBER, chat_id=GROUP_ID)
        assert "only the group's admins" in last_text(bot)

        # A member pressing the admin's panel changes nothing either.
        await bot.send("/reminders", user=ADMIN, chat_id=GROUP_ID)
        assert await bot.press("⏸ Turn off", user=MEMBER, chat_id=GROUP_ID) == []
        answer = bot.world.answered_callbacks[-1]
        assert answer.show_alert and "only the group's admins" in (answer.text or "")
        stored = await bot.deps.reminders.get(reminder.id)
        assert stored is not None and stored.enabled and stored.times == ("21:00",)


async def test_admin_demoted_after_opening_the_panel_is_refused_on_the_next_press(
    tmp_path: Path,
) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        bot.world.set_member_status(GROUP_ID, MEMBER, "administrator")
        reminder = await create_group_reminder(bot)
        await bot.send("/reminders", user=MEMBER, chat_id=GROUP_ID)
        await bot.press("●Mo", user=MEMBER, chat_id=GROUP_ID)
        bot.world.set_member_status(GROUP_ID, MEMBER, "member")
        await bot.press("●Tu", user=MEMBER, chat_id=GROUP_ID)

        stored = await bot.deps.reminders.get(reminder.id)
        assert stored is not None and stored.weekdays == (1, 2, 3, 4, 5, 6)  # only Monday off
        assert "only the group's admins" in (bot.world.answered_callbacks[-1].text or "")


async def test_anonymous_admin_configures_reminders_with_command_arguments(
    tmp_path: Path,
) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        for text in (
            "/reminders time 07:00 9pm",
            "/reminders days sat-wed",
            "/reminders timezone Jakarta",
            "/reminders text Our circle reads together 🌿 <3",
            "/reminders portion today: juz 2",
        ):
            await bot.world.anonymous_admin_sends(GROUP_ID, text)
            await bot.process_pending()

        reminder = await group_reminder(bot.deps, GROUP_ID)
        assert reminder is not None
        assert reminder.times == ("07:00", "21:00")
        assert reminder.weekdays == (0, 1, 2, 5, 6)
        assert reminder.timezone == "Asia/Jakarta"
        assert reminder.text == "Our circle reads together 🌿 <3"
        assert reminder.wird == "juz:2:1"  # "today:" is dropped: a wird from juz 2
        assert reminder.user_id is None  # the anonymous admin stays anonymous
        panel = last_text(bot)
        assert "Message: Our circle reads together 🌿 <3" in panel  # escaped, shown as typed
        assert (
            "Wird: today juz 2, tomorrow juz 3 (credited to members who linked Quran.com)"
            in panel
        )
        [next_due] = await planned(bot)
        assert next_due in (f"{reminder.id}@07:00", f"{reminder.id}@21:00")

        await bot.world.anonymous_admin_sends(GROUP_ID, "/reminders portion pages 21-40")
        await bot.process_pending()
        # Page wirds are credited too, with the Madani page map.
        assert "credited to members who linked Quran.com" in last_text(bot)
        assert "members will be asked what they read" not in last_text(bot)


async def test_a_channel_posting_in_the_group_is_not_an_admin(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        message = await bot.world.anonymous_admin_sends(GROUP_ID, "/reminders time 07:00")
        assert message["sender_chat"]["id"] == GROUP_ID
        # Same message, but sent on behalf of some other chat (a linked channel).
        forged = {**message, "sender_chat": {"id": -100777, "title": "News", "type": "channel"}}
        bot.world.updates[-1]["message"] = forged
        await bot.process_pending()
        assert await group_reminder(bot.deps, GROUP_ID) is None
        assert "only the group's admins" in last_text(bot)


async def test_stopreminders_turns_the_group_off_and_drops_its_jobs(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        [reply] = await bot.send("/stopreminders", user=ADMIN, chat_id=GROUP_ID)
        assert "Reminders are off" in reply["text"]
        stored = await bot.deps.reminders.get(reminder.id)
        assert stored is not None and not stored.enabled
        assert await planned(bot) == []

        [panel] = await bot.send("/reminders", user=ADMIN, chat_id=GROUP_ID)
        assert "Status: off" in panel["text"]
        [panel] = await bot.press("▶️ Turn on", user=ADMIN, chat_id=GROUP_ID)
        assert "Status: on" in panel["text"]
        assert await planned(bot) == [f"{reminder.id}@21:00"]


async def test_forged_panel_buttons_are_refused_without_changes(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        [panel] = await bot.send("/reminders", user=ADMIN, chat_id=GROUP_ID)
        for data in (
            f"{AddTime.prefix}:2599",
            f"{AddTime.prefix}:930",
            f"{RemoveTime.prefix}:2100:1",
            f"{ShowMinutes.prefix}:24",
            f"{ToggleDay.prefix}:9",
            f"{ToggleDay.prefix}:-1",
            f"{SetZone.prefix}:../../etc/passwd",
            f"{SetZone.prefix}:Asia/Riyadh/../../x",
            f"{TurnOff.prefix}:now",
        ):
            edits = await bot.press_data(data, user=ADMIN, chat_id=GROUP_ID, message=panel)
            assert bot.world.answered_callbacks[-1].text == "This button is no longer valid."
            assert edits == []
        # A zone name of the right shape that no zone database knows.
        await bot.press_data(
            SetZone(zone="Mars/Olympus_Mons").pack(), user=ADMIN, chat_id=GROUP_ID, message=panel
        )
        assert bot.world.answered_callbacks[-1].text == "I don't know that timezone."
        stored = await bot.deps.reminders.get(reminder.id)
        assert stored == reminder
        chat = await bot.deps.chats.get(GROUP_ID)
        assert chat is not None and chat.timezone == "Africa/Cairo"
        assert await planned(bot) == [f"{reminder.id}@21:00"]


async def test_private_remind_asks_for_a_timezone_first_then_sets_the_reminder(
    tmp_path: Path,
) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        replies = await bot.send("/remind 21:00")
        assert any("which timezone" in reply["text"] for reply in replies)
        assert "/remind 21:00" in replies[-1]["text"]
        assert await private_reminder(bot.deps, DEMO_USER.id) is None

        await bot.set_timezone("Europe/London")
        [done] = await bot.send("/remind 06:30 21:00 mon-fri")
        assert "every day" not in done["text"]
        assert "Mon, Tue, Wed, Thu, and Fri at 06:30 and 21:00 (Europe/London)" in done["text"]
        reminder = await private_reminder(bot.deps, DEMO_USER.id)
        assert reminder is not None and reminder.kind == "private"
        assert reminder.user_id == DEMO_USER.id and reminder.weekdays == (0, 1, 2, 3, 4)
        [next_due] = await planned(bot)
        assert next_due in (f"{reminder.id}@06:30", f"{reminder.id}@21:00")

        [status] = await bot.send("/remind")
        assert "I remind you" in status["text"] and "Next:" in status["text"]

        [bad] = await bot.send("/remind 25:00")
        assert "I could not read “25:00”" in bad["text"]

        [off] = await bot.send("/remind off")
        assert "Your reminder is off" in off["text"]
        assert await planned(bot) == []


async def test_remind_in_a_group_points_to_the_private_chat(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        [reply] = await bot.send("/remind 21:00", user=MEMBER, chat_id=GROUP_ID)
        assert "private chat" in reply["text"]
        [(label, url)] = bot.world.buttons(reply)
        assert label == "Open private chat"
        assert url is not None and url.startswith("https://t.me/QuranCompanionBot")
