"""The reminder tick on python-telegram-bot's JobQueue, and wiring the reminder services into an
Application.

The database is the schedule: each reminder stores when it is next due (`bot.services.reminders`)
and one job per application, once a minute, claims and sends what is due
(`ReminderDelivery.tick`). The JobQueue therefore holds two jobs however many reminders there
are: nothing to rebuild at start, nothing to resync, and nothing lost with it on a restart.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.app.metrics import metrics_of
from bot.domain.pacing import FanOut
from bot.services.deps import deps_of
from bot.services.group_follow_ups import GroupFollowUps
from bot.services.reminder_delivery import DELIVERY_KEY, ReminderDelivery, delivery_of
from bot.services.reminders import REMINDERS_KEY, Reminders
from handlers.reminders import TelegramFollowUpSender, TelegramReminderSender

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyContext = CallbackContext[Any, Any, Any, Any]

TICK_JOB_NAME = "reminders:tick"
FOLLOW_UP_JOB_NAME = "reminders:follow-ups"
#: `bot_data` key of the application's `GroupFollowUps`.
FOLLOW_UPS_KEY = "group_follow_ups"
#: Reminder times are whole minutes: one tick a minute, a second into it, sends each on time.
TICK_SECONDS = 60.0
TICK_OFFSET_SECONDS = 1.0
#: How often nudges and summaries are looked for (their windows are hours wide).
FOLLOW_UP_SECONDS = 300.0


def seconds_to_next_tick(now: float, *, interval: float = TICK_SECONDS) -> float:
    """From `now` (epoch seconds) to the next whole minute plus the offset."""
    return interval - (now - TICK_OFFSET_SECONDS) % interval


async def _on_tick(context: AnyContext) -> None:
    outcomes = await delivery_of(context).tick()
    if outcomes:
        logger.info("reminder tick: %s", dict(Counter(outcomes)))


def install_reminders(application: AnyApplication) -> ReminderDelivery:
    """Put the application's `Reminders`, `ReminderDelivery` and `GroupFollowUps` into its
    bot_data, and their jobs on its JobQueue."""
    deps = deps_of(application)

    def move_chat_data(old_chat_id: int, new_chat_id: int) -> None:
        # Only when there is something: PTB would otherwise store an empty dict over the data
        # the first service message already moved.
        if old_chat_id in application.chat_data:
            application.migrate_chat_data(old_chat_id=old_chat_id, new_chat_id=new_chat_id)

    reminders = Reminders(deps, move_chat_data=move_chat_data)
    fan_out = FanOut(deps.settings.reminder_sends_per_second)
    sender = TelegramReminderSender(application.bot, fan_out)
    metrics = metrics_of(application)
    delivery = ReminderDelivery(
        reminders, sender, fan_out,
        on_delivered=lambda outcome, late: metrics.reminder_delivered(outcome, late=late),
    )
    application.bot_data[REMINDERS_KEY] = reminders
    application.bot_data[DELIVERY_KEY] = delivery
    follow_ups = GroupFollowUps(
        deps, TelegramFollowUpSender(application.bot), on_blocked=reminders.deactivate_chat
    )
    application.bot_data[FOLLOW_UPS_KEY] = follow_ups
    job_queue = application.job_queue
    if job_queue is not None:
        # One tick at a time: a fan-out longer than a minute simply goes on claiming batches.
        job_queue.run_repeating(
            _on_tick, interval=TICK_SECONDS, first=seconds_to_next_tick(time.time()),
            name=TICK_JOB_NAME,
            job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        )
        job_queue.run_repeating(
            _on_follow_up_job, interval=FOLLOW_UP_SECONDS, first=FOLLOW_UP_SECONDS,
            name=FOLLOW_UP_JOB_NAME,
        )
    return delivery


async def _on_follow_up_job(context: AnyContext) -> None:
    """Every few minutes: the nudges and weekly summaries due now, and departed groups erased
    after their grace period (each claimed in storage, so instances never repeat them)."""
    follow_ups = context.application.bot_data.get(FOLLOW_UPS_KEY)
    if isinstance(follow_ups, GroupFollowUps):
        outcomes = await follow_ups.run()
        if outcomes:
            logger.info("group follow-ups: %s", dict(Counter(outcomes)))
