"""Delivering reminders: exactly once (restarts, two instances), catch-up, blocked and migrated
chats, the real JobQueue path, and flood control."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import asyncpg
import pytest
from reminders_support import (
    ADMIN,
    GROUP_ID,
    NINE_CAIRO,
    SLOT,
    add_group,
    clock_at,
    create_group_reminder,
    delivery_of,
    planned,
    reminder_messages,
    tick,
)
from storage_helpers import reachable_postgres_url

from bot.app.scheduler import TICK_JOB_NAME
from bot.services import reminder_delivery
from bot.services import reminders as reminders_module
from bot.services.reminders import reminders_of
from handlers.reminders.buttons import CheckIn
from sandbox.harness import BotHarness
from sandbox.telegram import TelegramWorld
from storage import Reminder


async def test_due_group_reminder_is_sent_once_with_a_check_in_button(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot, portion="juz 30", text="Our daily reading")
        delivery = delivery_of(bot)

        assert await delivery.tick() == ["sent"]
        assert await delivery.tick() == []  # next due tomorrow

        [message] = reminder_messages(bot.world)
        assert message["text"] == "Our daily reading\n📖 Today: juz 30"
        assert bot.world.buttons(message) == [
            ("✅ I read it", CheckIn.for_slot(reminder.id, SLOT).pack())
        ]
        assert await bot.deps.reminders.slot_message(reminder.id, SLOT) == message["message_id"]


async def test_next_due_time_follows_settings_changes_and_survives_restarts(
    tmp_path: Path,
) -> None:
    clock = clock_at(NINE_CAIRO - timedelta(hours=1))
    bot = BotHarness(tmp_path, clock=clock)
    async with bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot, times=("07:00", "21:00"))
        assert await planned(bot, reminder.id) == [f"{reminder.id}@21:00"]
        stored = await bot.deps.reminders.get(reminder.id)
        assert stored is not None and stored.next_due_at == NINE_CAIRO  # 21:00 in Cairo
        await bot.deps.reminders.update(reminder.id, times=["06:30"])
        await reminders_of(bot.app).refresh(reminder.id)
        assert await planned(bot, reminder.id) == [f"{reminder.id}@06:30"]

        await bot.restart()  # nothing in memory: the database is the schedule
        assert await planned(bot) == [f"{reminder.id}@06:30"]
        clock.now = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # 06:30 in Cairo
        assert await tick(bot) == ["sent"]
        assert await bot.deps.reminders.slot_message(reminder.id, "2026-11-24T06:30")

        await bot.deps.reminders.update(reminder.id, enabled=False)
        await reminders_of(bot.app).refresh(reminder.id)
        assert await planned(bot) == []


async def test_changes_made_through_another_instance_are_sent_by_this_one(
    tmp_path: Path,
) -> None:
    """Two instances on one database: what one plans, the other's tick sends."""
    world = TelegramWorld()
    add_group(world)
    clock = clock_at(NINE_CAIRO - timedelta(minutes=5))
    first = BotHarness(tmp_path, clock=clock, world=world)
    second = BotHarness(tmp_path, clock=clock, world=world)
    async with first, second:
        reminder = await create_group_reminder(first, times=("20:30",))
        await reminders_of(first.app).set_group_times(GROUP_ID, ["21:00"], ADMIN.id)
        clock.advance(timedelta(minutes=5))
        assert await tick(second) == ["sent"]
        assert await tick(first) == []
        assert await first.deps.reminders.slot_message(reminder.id, SLOT) is not None


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
        assert await tick(bot) == ["sent"]


async def _race(bots: list[BotHarness]) -> list[str]:
    """Every instance ticks at the same moment, as their minute jobs would."""
    ticks = await asyncio.gather(*(delivery_of(bot).tick() for bot in bots))
    return [outcome for outcomes in ticks for outcome in outcomes]


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
        clock.advance(timedelta(minutes=1))
        assert await _race([first, second]) == ["sent"] * len(groups)
        for chat_id in groups:
            assert len(reminder_messages(world, chat_id)) == 1
        # An instance that died holding its claims: once the lease runs out the reminders are
        # claimed again, and the send log keeps every slot from going out twice.
        for reminder in reminders:
            await first.deps.reminders.set_due(
                reminder.id, next_due_at=NINE_CAIRO, follow_up_at=None
            )
        assert sorted(await _race([first, second])) == ["duplicate"] * len(groups)
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

        assert await delivery.tick() == ["blocked"]

        chat = await bot.deps.chats.get(GROUP_ID)
        stored = await bot.deps.reminders.get(reminder.id)
        assert chat is not None and not chat.active
        assert stored is not None and not stored.enabled
        assert await planned(bot) == []
        clock.advance(timedelta(days=1))
        assert await delivery.tick() == []


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

        assert await tick(bot) == ["sent"]

        assert reminder_messages(bot.world, new_id)
        moved = await bot.deps.reminders.get(reminder.id)
        assert moved is not None and moved.chat_id == new_id and moved.portion == "juz 2"
        settings = await bot.deps.chats.get(new_id)
        assert settings is not None and settings.timezone == "Africa/Cairo"
        assert await bot.deps.chats.get(GROUP_ID) is None
        assert bot.app.chat_data[new_id] == {"note": "kept"}
        assert await planned(bot) == [f"{reminder.id}@21:00"]
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
        await create_group_reminder(bot)
        await create_group_reminder(bot, chat_id=-1007777)
        bot.world.add_group(-1007777, "Second circle")
        bot.world.flood_control = True
        bot.world.flood_limits.overall_per_second = 1
        delivery = delivery_of(bot)
        # No pacing: both hit Telegram at once, and the second gets a 429.
        delivery.set_send_limit(100, min_gap=0)

        assert await delivery.tick() == ["sent", "sent"]
        assert bot.world.flood_429s >= 1
        assert len(reminder_messages(bot.world)) == 1
        assert len(reminder_messages(bot.world, -1007777)) == 1


async def test_the_job_queue_really_runs_the_minute_tick(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock, start_jobs=True) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        queue = bot.app.job_queue
        assert queue is not None
        [job] = queue.get_jobs_by_name(TICK_JOB_NAME)
        # Its next real run is up to a minute away; make APScheduler run it now.
        job.job.modify(next_run_time=datetime.now(UTC))

        message = await bot.world.wait_for_message(GROUP_ID, "Quran reading", timeout=10)

        assert await bot.deps.reminders.slot_message(reminder.id, SLOT) == message["message_id"]
        assert len(queue.get_jobs_by_name(TICK_JOB_NAME)) == 1  # still every minute
        # However many reminders there are, the JobQueue holds the same two jobs.
        names = sorted(job.name or "" for job in queue.jobs())
        assert [name for name in names if name.startswith("reminders:")] == [
            "reminders:follow-ups", "reminders:tick"
        ]


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
        assert await delivery.tick() == []  # 02:00 EST: not due yet
        clock.now = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
        assert await delivery.tick() == ["sent"]
        assert await bot.deps.reminders.slot_message(spring.id, "2026-03-08T02:30") is not None

        await create_group_reminder(
            bot, chat_id=-1006666, times=("01:30",), timezone="America/New_York"
        )
        bot.world.add_group(-1006666, "Autumn circle")
        clock.now = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # the first 01:30 (EDT)
        assert await delivery.tick() == ["sent"]
        clock.now = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # the second 01:30 (EST)
        assert await delivery.tick() == []
        assert len(reminder_messages(bot.world, -1006666)) == 1


async def test_reminders_stored_before_due_times_existed_get_one_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade: rows written by the old version have no due time; the start fills them in,
    a small batch at a time, and the tick then sends them as usual."""
    monkeypatch.setattr(reminders_module, "BACKFILL_BATCH", 2)
    clock = clock_at(NINE_CAIRO - timedelta(minutes=10))
    world = TelegramWorld()
    groups = [-100_200 - index for index in range(5)]
    bot = BotHarness(tmp_path, clock=clock, world=world)
    async with bot:
        for chat_id in groups:
            add_group(world, chat_id)
            await bot.deps.chats.ensure(chat_id, "group", "Circle")
            await bot.deps.reminders.create(
                chat_id=chat_id, times=["21:00"], weekdays=range(7), timezone="Africa/Cairo",
                kind="group",
            )
        off = await bot.deps.reminders.create(
            chat_id=groups[0], times=["22:00"], weekdays=range(7), timezone="UTC",
            enabled=False, kind="group",
        )
        assert await planned(bot) == []
        await bot.restart()
        assert len(await planned(bot)) == len(groups)
        assert all(entry.endswith("@21:00") for entry in await planned(bot))
        stored = await bot.deps.reminders.get(off.id)
        assert stored is not None and stored.next_due_at is None
        # Their weekly summary is planned too.
        first = await bot.deps.reminders.get(1)
        assert first is not None and first.follow_up_at is not None
        clock.advance(timedelta(minutes=10))
        assert await tick(bot) == ["sent"] * len(groups)


async def test_a_big_batch_starts_its_deliveries_a_few_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """500 deliveries started in one go of the loop kept every chat's answer waiting."""
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        delivery = delivery_of(bot)
        loop_turns = 0
        started_on_turn: list[int] = []

        async def deliver(reminder: object, now: datetime, lease: datetime) -> list[str]:
            started_on_turn.append(loop_turns)
            await asyncio.sleep(0)
            return [f"sent {reminder}"]

        async def count_loop_turns() -> None:
            nonlocal loop_turns
            while True:
                loop_turns += 1
                await asyncio.sleep(0)

        monkeypatch.setattr(delivery, "_deliver_claimed", deliver)
        counter = asyncio.create_task(count_loop_turns())
        claimed = cast(list[Reminder], list(range(3 * reminder_delivery.START_TOGETHER + 5)))
        outcomes = await delivery._deliver_batch(claimed, NINE_CAIRO, NINE_CAIRO)
        counter.cancel()

        assert outcomes == [[f"sent {index}"] for index in range(len(claimed))]
        most_on_one_turn = max(Counter(started_on_turn).values())
        assert most_on_one_turn <= reminder_delivery.START_TOGETHER


async def test_a_slot_right_after_a_slow_delivery_is_still_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next due time follows what the claim covered, not when the send finally ended."""
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot, times=("21:00", "21:01"))
        delivery = delivery_of(bot)
        send = delivery.sender.send

        async def slow_send(*args: Any, **kwargs: Any) -> reminder_delivery.SendResult:
            clock.advance(timedelta(seconds=90))  # a long fan-out ahead of this one
            return await send(*args, **kwargs)

        monkeypatch.setattr(delivery.sender, "send", slow_send)
        assert await delivery.tick() == ["sent"]
        assert await planned(bot, reminder.id) == [f"{reminder.id}@21:01"]

        assert await delivery.tick() == ["sent"]
        assert await bot.deps.reminders.slot_message(reminder.id, "2026-11-23T21:01")


async def test_one_failing_reminder_does_not_hold_up_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    other_group = GROUP_ID - 1
    clock = clock_at(NINE_CAIRO)
    async with BotHarness(tmp_path, clock=clock) as bot:
        add_group(bot.world)
        add_group(bot.world, other_group)
        failing = await create_group_reminder(bot)
        working = await create_group_reminder(bot, chat_id=other_group)
        delivery = delivery_of(bot)
        send = delivery.sender.send

        async def send_or_fail(
            reminder: Reminder, *args: Any, **kwargs: Any
        ) -> reminder_delivery.SendResult:
            if reminder.id == failing.id:
                raise RuntimeError("a bug in one reminder")
            return await send(reminder, *args, **kwargs)

        monkeypatch.setattr(delivery.sender, "send", send_or_fail)
        assert sorted(await delivery.tick()) == ["failed", "sent"]
        assert await bot.deps.reminders.slot_message(working.id, SLOT) is not None
        assert f"reminder {failing.id}: delivery failed" in caplog.text
        stored = await bot.deps.reminders.get(failing.id)
        assert stored is not None
        assert stored.next_due_at == NINE_CAIRO + reminder_delivery.RETRY_FAILED_AFTER

        monkeypatch.setattr(delivery.sender, "send", send)
        clock.advance(reminder_delivery.RETRY_FAILED_AFTER)
        assert await delivery.tick() == ["sent"]  # late, once
        assert len(reminder_messages(bot.world)) == 1


async def test_a_stopping_process_claims_no_more_reminders(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, clock=clock_at(NINE_CAIRO)) as bot:
        add_group(bot.world)
        reminder = await create_group_reminder(bot)
        delivery = delivery_of(bot)
        delivery.stop_claiming()

        assert await delivery.tick() == []
        assert await planned(bot, reminder.id) == [f"{reminder.id}@21:00"]  # still owed
