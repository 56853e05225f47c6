"""Group life: added, removed, blocked, upgraded to a supergroup."""

from __future__ import annotations

from datetime import timedelta
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
    reminder_messages,
    tick,
)

from bot.services.reminders import private_reminder
from sandbox.harness import DEMO_USER, BotHarness

NEW_GROUP_ID = -1004242


async def test_bot_added_to_a_group_registers_it_and_says_hello(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        await bot.world.bot_added_to_group(-100500, ADMIN, title="Friday Halaqa")
        await bot.process_pending()
        chat = await bot.deps.chats.get(-100500)
        assert chat is not None and chat.active
        assert chat.type == "group" and chat.title == "Friday Halaqa"
        [hello] = bot.world.texts(-100500)
        assert "/reminders" in hello


async def test_bot_removed_from_a_group_deactivates_it_and_its_reminders(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        await bot.world.bot_removed_from_group(GROUP_ID, ADMIN)
        await bot.process_pending()

        chat = await bot.deps.chats.get(GROUP_ID)
        stored = await bot.deps.reminders.get(reminder.id)
        assert chat is not None and not chat.active
        assert stored is not None and not stored.enabled
        assert await planned(bot) == []
        assert await tick(bot) == []  # nothing is due any more

        # Added back: the group is active again; its reminders wait for an admin to resume them.
        await bot.world.bot_added_to_group(GROUP_ID, ADMIN)
        await bot.process_pending()
        chat = await bot.deps.chats.get(GROUP_ID)
        assert chat is not None and chat.active
        [panel] = await bot.send("/reminders", user=ADMIN, chat_id=GROUP_ID)
        assert "Status: off" in panel["text"] and "Times: 21:00" in panel["text"]
        await bot.press("▶️ Turn on", user=ADMIN, chat_id=GROUP_ID)
        assert await planned(bot) == [f"{reminder.id}@21:00"]


async def test_user_blocking_the_bot_turns_their_private_reminder_off(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        await bot.set_timezone("Africa/Cairo")
        await bot.send("/remind 21:00")
        reminder = await private_reminder(bot.deps, DEMO_USER.id)
        assert reminder is not None
        bot.world.block(DEMO_USER.id)
        await bot.process_pending()

        stored = await bot.deps.reminders.get(reminder.id)
        chat = await bot.deps.chats.get(DEMO_USER.id)
        assert stored is not None and not stored.enabled
        assert chat is not None and not chat.active
        assert await planned(bot) == []

        bot.world.unblock(DEMO_USER.id)
        await bot.process_pending()
        chat = await bot.deps.chats.get(DEMO_USER.id)
        assert chat is not None and chat.active
        await bot.send("/remind 21:00")
        assert await planned(bot) == [f"{reminder.id}@21:00"]


async def test_blocked_private_reminder_found_at_send_time_is_turned_off(tmp_path: Path) -> None:
    """The 403 arrives before the my_chat_member update was processed."""
    clock = clock_at(NINE_CAIRO - timedelta(minutes=5))
    async with BotHarness(tmp_path, clock=clock) as bot:
        await bot.set_timezone("Africa/Cairo")
        await bot.send("/remind 21:00")
        reminder = await private_reminder(bot.deps, DEMO_USER.id)
        assert reminder is not None
        bot.world.block(DEMO_USER.id)
        clock.advance(timedelta(minutes=5))
        assert await tick(bot) == ["blocked"]
        stored = await bot.deps.reminders.get(reminder.id)
        assert stored is not None and not stored.enabled


async def test_group_upgraded_to_a_supergroup_keeps_its_reminders(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO - timedelta(minutes=10))
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot, portion="juz 5", text="Read with us")
        bot.app.chat_data[GROUP_ID]["streak_board"] = [1, 2, 3]
        await bot.deps.reminders.set_quiet(GROUP_ID, MEMBER.id, True)

        bot.world.migrate_group(GROUP_ID, NEW_GROUP_ID)
        await bot.process_pending()  # both service messages: the old chat's and the new one's

        assert await bot.deps.chats.get(GROUP_ID) is None
        settings = await bot.deps.chats.get(NEW_GROUP_ID)
        assert settings is not None and settings.timezone == "Africa/Cairo" and settings.active
        moved = await bot.deps.reminders.get(reminder.id)
        assert moved is not None and moved.chat_id == NEW_GROUP_ID
        assert moved.portion == "juz 5" and moved.text == "Read with us" and moved.enabled
        assert bot.app.chat_data[NEW_GROUP_ID] == {"streak_board": [1, 2, 3]}
        assert GROUP_ID not in bot.app.chat_data
        assert await bot.deps.reminders.quiet_members(NEW_GROUP_ID) == {MEMBER.id}
        assert await bot.deps.reminders.quiet_members(GROUP_ID) == set()
        assert await planned(bot) == [f"{reminder.id}@21:00"]

        clock.advance(timedelta(minutes=10))
        assert await tick(bot) == ["sent"]
        [message] = reminder_messages(bot.world, NEW_GROUP_ID)
        assert message["text"] == "Read with us\n📖 Today: juz 5"
        [panel] = await bot.send("/reminders", user=ADMIN, chat_id=NEW_GROUP_ID)
        assert "Times: 21:00" in panel["text"]
