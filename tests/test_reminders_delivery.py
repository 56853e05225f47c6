"""Delivering reminders: exactly once (restarts, two instances), catch-up, blocked and migrated
chats, the real JobQueue path, and flood control."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from reminders_support import (
    GROUP_ID,
    NINE_CAIRO,
    SLOT,
    add_group,
    clock_at,
    create_group_reminder,
    delivery_of,
    job_names,
    reminder_messages,
)
from storage_helpers import reachable_postgres_url

from bot.services import reminder_delivery
from bot.services.reminders import reminders_of
from handlers.reminders.buttons import CheckIn
from sandbox.harness import BotHarness
from sandbox.telegram import TelegramWorld


async def test_due_group_reminder_is_sent_once_with_a_check_in_button(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot, portion="juz 30", text="Our daily reading")
        delivery = delivery_of(bot)

        assert await delivery.deliver_due(reminder.id, "21:00") == "sent"
        assert await delivery.deliver_due(reminder.id, "21:00") == "duplicate"

        [message] = reminder_messages(bot.world)
        assert message["text"] == "Our daily reading\n📖 Today: juz 30"
        assert bot.world.buttons(message) == [
            ("✅ I read it", CheckIn.for_slot(reminder.id, SLOT).pack())
        ]
        assert await bot.deps.reminders.slot_message(reminder.id, SLOT) == message["message_id"]


async def test_job_names_are_deterministic_and_follow_settings_changes(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO)
    bot = BotHarness(tmp_path, clock=clock)
    async with bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot, times=("07:00", "21:00"))
        assert job_names(bot, reminder.id) == [
            f"remind:{reminder.id}:07:00", f"remind:{reminder.id}:21:00"
        ]
        await bot.deps.reminders.update(reminder.id, times=["06:30"])
        await reminders_of(bot.app).refresh(reminder.id)
        assert job_names(bot, reminder.id) == [f"remind:{reminder.id}:06:30"]

        await bot.restart()  # the JobQueue starts empty: jobs come back from the database
        assert job_names(bot) == [f"remind:{reminder.id}:06:30"]
        job = bot.app.job_queue.get_jobs_by_name(f"remind:{reminder.id}:06:30")[0]  # type: ignore[union-attr]
        assert str(job.job.trigger.timezone) == "Africa/Cairo"

        await bot.deps.reminders.update(reminder.id, enabled=False)
        await reminders_of(bot.app).refresh(reminder.id)
        assert job_names(bot) == []


async def test_rebuild_drops_jobs_of_reminders_changed_elsewhere(tmp_path: Path) -> None:
    """Another instance changed the database; the periodic resync brings this one in line."""
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        kept = await create_group_reminder(bot, times=("21:00",))
        changed = await create_group_reminder(bot, chat_id=-1005555, times=("07:00",))
        await bot.deps.reminders.update(changed.id, times=["08:15"])
        await bot.deps.reminders.disable_chat(GROUP_ID)
        await reminders_of(bot.app).rebuild()
        assert job_names(bot) == [f"remind:{changed.id}:08:15"]
        assert kept.id != changed.id


async def test_restart_sends_a_slot_missed_less_than_an_hour_ago_late_and_once(
    tmp_path: Path,
) -> None:
    clock = clock_at(NINE_CAIRO - timedelta(minutes=30))
    bot = BotHarness(tmp_path, clock=clock)
    async with bot:
        add_group(bot.world)
        await create_group_reminder(bot)
        await bot.stop()  # down from 20:30 …
        clock.advance(timedelta(minutes=70))  # … until 21:40
        await bot.start()
        assert len(reminder_messages(bot.world)) == 1
        await bot.restart()
        await bot.restart()
        assert len(reminder_messages(bot.world)) == 1


async def test_restart_skips_a_slot_missed_more_than_an_hour_ago(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO - timedelta(minutes=30))
    bot = BotHarness(tmp_path, clock=clock)
    async with bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        await bot.stop()
        clock.advance(timedelta(minutes=95))  # 22:05: the 21:00 nudge would only confuse
        await bot.start()
        assert reminder_messages(bot.world) == []
        assert await bot.deps.reminders.slot_message(reminder.id, SLOT) is None
        # The next day's slot is sent as usual.
        clock.advance(timedelta(hours=23))
        assert await delivery_of(bot).deliver_due(reminder.id, "21:00") == "sent"


async def _race(bots: list[BotHarness], reminder_ids: list[int]) -> list[str]:
    """Every instance delivers every reminder at the same time, as their jobs would."""
    deliveries = [
        delivery_of(bot).deliver_due(reminder_id, "21:00")
        for reminder_id in reminder_ids
        for bot in bots
    ]
    return list(await asyncio.gather(*deliveries))


async def _assert_each_slot_sent_once(
    tmp_path: Path, clock_start: datetime, overrides: dict[str, str]
) -> None:
    world = TelegramWorld()
    clock = clock_at(clock_start)
    groups = [-100_000 - index for index in range(12)]
    for chat_id in groups:
        add_group(world, chat_id)
    first = BotHarness(tmp_path, clock=clock, world=world, settings_overrides=overrides)
    second = BotHarness(tmp_path, clock=clock, world=world, settings_overrides=overrides)
    async with first, second:
        reminders = [await create_group_reminder(first, chat_id=chat_id) for chat_id in groups]
        await reminders_of(second.app).rebuild()
        assert job_names(second) == job_names(first)
        clock.advance(timedelta(minutes=1))
        outcomes = await _race([first, second], [r.id for r in reminders])
        assert sorted(outcomes) == ["duplicate"] * len(groups) + ["sent"] * len(groups)
        for chat_id in groups:
            assert len(reminder_messages(world, chat_id)) == 1
        # A restart of either instance does not send anything again.
        await first.restart()
        assert sum(len(reminder_messages(world, chat_id)) for chat_id in groups) == len(groups)


async def test_two_instances_on_one_sqlite_file_send_each_slot_once(tmp_path: Path) -> None:
    await _assert_each_slot_sent_once(tmp_path, NINE_CAIRO - timedelta(minutes=1), {})


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for two bot instances to share."""
    url = await reachable_postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")
    name = f"reminders_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        admin = await asyncpg.connect(url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.mark.postgres
async def test_two_instances_on_one_postgresql_database_send_each_slot_once(
    tmp_path: Path, postgres_url: str
) -> None:
    await _assert_each_slot_sent_once(
        tmp_path, NINE_CAIRO - timedelta(minutes=1), {"DATABASE_URL": postgres_url}
    )


async def test_kicked_group_is_deactivated_and_its_jobs_dropped(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        bot.world.set_bot_status(GROUP_ID, "kicked")
        delivery = delivery_of(bot)

        assert await delivery.deliver_due(reminder.id, "21:00") == "blocked"

        chat = await bot.deps.chats.get(GROUP_ID)
        stored = await bot.deps.reminders.get(reminder.id)
        assert chat is not None and not chat.active
        assert stored is not None and not stored.enabled
        assert job_names(bot) == []
        assert await bot.deps.reminders.all_enabled() == []
        clock.advance(timedelta(days=1))
        assert await delivery.deliver_due(reminder.id, "21:00") == "disabled"


async def test_group_migrated_before_delivery_gets_the_reminder_at_its_new_id(
    tmp_path: Path,
) -> None:
    clock = clock_at(NINE_CAIRO)
    new_id = -1009999
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot, portion="juz 2")
        bot.app.chat_data[GROUP_ID]["note"] = "kept"
        bot.world.migrate_group(GROUP_ID, new_id)  # service messages not processed yet

        assert await delivery_of(bot).deliver_due(reminder.id, "21:00") == "sent"

        assert reminder_messages(bot.world, new_id)
        moved = await bot.deps.reminders.get(reminder.id)
        assert moved is not None and moved.chat_id == new_id and moved.portion == "juz 2"
        settings = await bot.deps.chats.get(new_id)
        assert settings is not None and settings.timezone == "Africa/Cairo"
        assert await bot.deps.chats.get(GROUP_ID) is None
        assert bot.app.chat_data[new_id] == {"note": "kept"}
        assert job_names(bot) == [f"remind:{reminder.id}:21:00"]
        # The service messages arriving afterwards change nothing.
        await bot.process_pending()
        assert bot.app.chat_data[new_id] == {"note": "kept"}


async def test_flood_answer_is_retried_after_the_wait_telegram_asks_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        other = await create_group_reminder(bot, chat_id=-1007777)
        bot.world.add_group(-1007777, "Second circle")
        bot.world.flood_control = True
        bot.world.flood_limits.overall_per_second = 1
        delivery = delivery_of(bot)
        # No pacing: both hit Telegram at once, and the second gets a 429.
        delivery.set_send_limit(100, min_gap=0)

        outcomes = await asyncio.gather(
            delivery.deliver_due(reminder.id, "21:00"), delivery.deliver_due(other.id, "21:00")
        )

        assert list(outcomes) == ["sent", "sent"]
        assert bot.world.flood_429s >= 1
        assert len(reminder_messages(bot.world)) == 1
        assert len(reminder_messages(bot.world, -1007777)) == 1


async def test_job_queue_really_fires_the_daily_job(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock, start_jobs=True) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        queue = bot.app.job_queue
        assert queue is not None
        [job] = queue.get_jobs_by_name(f"remind:{reminder.id}:21:00")
        # Its real fire time is tonight; make APScheduler run it now instead of waiting.
        job.job.modify(next_run_time=datetime.now(UTC))

        message = await bot.world.wait_for_message(GROUP_ID, "Quran reading", timeout=10)

        assert await bot.deps.reminders.slot_message(reminder.id, SLOT) == message["message_id"]
        assert len(queue.get_jobs_by_name(f"remind:{reminder.id}:21:00")) == 1  # still daily


async def test_reminder_services_are_one_per_application(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        assert reminder_delivery.delivery_of(bot.app) is reminder_delivery.delivery_of(bot.app)
        assert reminder_delivery.delivery_of(bot.app).reminders is reminders_of(bot.app)


async def test_dst_days_send_each_slot_once_at_the_documented_instant(tmp_path: Path) -> None:
    """New York: 02:30 does not exist on 8 March 2026 (sent at 03:30 EDT); 01:30 happens twice
    on 1 November 2026 (sent at the first one only)."""
    clock = clock_at(datetime(2026, 3, 8, 7, 0, tzinfo=UTC))
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        spring = await create_group_reminder(bot, times=("02:30",), timezone="America/New_York")
        delivery = delivery_of(bot)
        assert await delivery.deliver_due(spring.id, "02:30") == "not_due"  # 02:00 EST
        clock.now = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
        assert await delivery.deliver_due(spring.id, "02:30") == "sent"
        assert await bot.deps.reminders.slot_message(spring.id, "2026-03-08T02:30") is not None

        autumn = await create_group_reminder(
            bot, chat_id=-1006666, times=("01:30",), timezone="America/New_York"
        )
        bot.world.add_group(-1006666, "Autumn circle")
        clock.now = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # the first 01:30 (EDT)
        assert await delivery.deliver_due(autumn.id, "01:30") == "sent"
        clock.now = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # the second 01:30 (EST)
        assert await delivery.deliver_due(autumn.id, "01:30") in ("not_due", "duplicate")
        assert len(reminder_messages(bot.world, -1006666)) == 1
