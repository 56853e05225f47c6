"""Reminder timers on python-telegram-bot's JobQueue, and wiring the reminder services into an
Application.

The JobQueue keeps nothing across restarts, so the database is the schedule
(`bot.services.reminders.Reminders.rebuild`). Each reminder gets one daily job per time with a
deterministic name (``remind:<reminder_id>:<HH:MM>``) and, while snoozed, one ``snooze:<id>``
job; each job remembers what it was built from, so a resync replaces only what changed. A job
only says "look now": `bot.services.reminder_delivery` decides whether anything is due and sends
it once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.ext import Application, CallbackContext, Job, JobQueue

from bot.app.metrics import metrics_of
from bot.domain.pacing import FanOut
from bot.domain.reminders import CATCH_UP_WINDOW, load_zone, time_of, to_ptb_days
from bot.services.deps import deps_of
from bot.services.group_follow_ups import GroupFollowUps
from bot.services.reminder_delivery import DELIVERY_KEY, ReminderDelivery, delivery_of
from bot.services.reminders import REMINDERS_KEY, Reminders
from handlers.reminders import TelegramFollowUpSender, TelegramReminderSender
from storage import Reminder

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyContext = CallbackContext[Any, Any, Any, Any]

JOB_PREFIX = "remind:"
SNOOZE_JOB_PREFIX = "snooze:"
RESYNC_JOB_NAME = "reminders:resync"
FOLLOW_UP_JOB_NAME = "reminders:follow-ups"
#: `bot_data` key of the application's `GroupFollowUps`.
FOLLOW_UPS_KEY = "group_follow_ups"
#: How often nudges and summaries are looked for (their windows are hours wide).
FOLLOW_UP_SECONDS = 300.0

_JOB_NAME = re.compile(r"^(?:remind:(\d+):\d{2}:\d{2}|snooze:(\d+))$")


def job_name(reminder_id: int, hhmm: str) -> str:
    return f"{JOB_PREFIX}{reminder_id}:{hhmm}"


def snooze_job_name(reminder_id: int) -> str:
    return f"{SNOOZE_JOB_PREFIX}{reminder_id}"


def _signature(reminder: Reminder) -> tuple[object, ...]:
    """What the jobs of a reminder depend on; unchanged signature = keep the jobs."""
    return (reminder.times, reminder.weekdays, reminder.timezone, reminder.snoozed_until)


@dataclass(frozen=True, slots=True)
class ReminderJob:
    """`Job.data` of every reminder job."""

    reminder_id: int
    time: str
    signature: tuple[object, ...]


async def _on_daily_job(context: AnyContext) -> None:
    job = context.job
    if job is not None and isinstance(job.data, ReminderJob):
        await delivery_of(context).deliver_due(job.data.reminder_id, job.data.time)


async def _on_snooze_job(context: AnyContext) -> None:
    job = context.job
    if job is not None and isinstance(job.data, ReminderJob):
        await delivery_of(context).deliver_snooze(job.data.reminder_id)


class JobQueueTimers:
    """`bot.services.reminders.ReminderTimers` on the application's JobQueue."""

    def __init__(
        self, application: AnyApplication, *, catch_up_window: timedelta = CATCH_UP_WINDOW
    ) -> None:
        self.application = application
        # A loop busy with a large fan-out must not make APScheduler drop a job: the catch-up
        # rule decides what is too late.
        self._misfire_grace = int(catch_up_window.total_seconds())

    @property
    def job_queue(self) -> JobQueue[Any]:
        queue = self.application.job_queue
        if queue is None:
            raise RuntimeError("reminders need python-telegram-bot[job-queue]")
        return queue

    def _jobs(self) -> dict[int, list[Job[Any]]]:
        """Scheduled jobs by reminder id (daily and snooze jobs)."""
        found: dict[int, list[Job[Any]]] = {}
        for job in self.job_queue.jobs():
            match = _JOB_NAME.match(job.name or "")
            if match is None:
                continue
            reminder_id = int(match.group(1) or match.group(2))
            found.setdefault(reminder_id, []).append(job)
        return found

    def scheduled(self) -> set[int]:
        return set(self._jobs())

    def matches(self, reminder: Reminder) -> bool:
        jobs = self._jobs().get(reminder.id, [])
        signature = _signature(reminder)
        names = {job_name(reminder.id, hhmm) for hhmm in reminder.times}
        if reminder.snoozed_until is not None:
            names.add(snooze_job_name(reminder.id))
        return {job.name for job in jobs} == names and all(
            isinstance(job.data, ReminderJob) and job.data.signature == signature for job in jobs
        )

    def schedule(self, reminder: Reminder) -> None:
        zone = load_zone(reminder.timezone)
        signature = _signature(reminder)
        for hhmm in reminder.times:
            self.job_queue.run_daily(
                _on_daily_job,
                time=time_of(hhmm).replace(tzinfo=zone),
                days=to_ptb_days(reminder.weekdays),
                data=ReminderJob(reminder.id, hhmm, signature),
                name=job_name(reminder.id, hhmm),
                job_kwargs={"misfire_grace_time": self._misfire_grace, "coalesce": True},
            )
        if reminder.snoozed_until is not None:
            now = deps_of(self.application).clock()
            self.job_queue.run_once(
                _on_snooze_job,
                when=max(reminder.snoozed_until - now, timedelta(0)),
                data=ReminderJob(reminder.id, "", signature),
                name=snooze_job_name(reminder.id),
                job_kwargs={"misfire_grace_time": self._misfire_grace},
            )

    def cancel(self, reminder_id: int) -> None:
        for job in self._jobs().get(reminder_id, []):
            job.schedule_removal()

    def resync_every(self, seconds: float, resync: Callable[[], Awaitable[None]]) -> None:
        if self.job_queue.get_jobs_by_name(RESYNC_JOB_NAME):
            return

        async def run(context: AnyContext) -> None:
            await resync()

        self.job_queue.run_repeating(run, interval=seconds, first=seconds, name=RESYNC_JOB_NAME)

    def names(self, reminder_id: int | None = None) -> list[str]:
        jobs = self._jobs()
        selected = jobs.get(reminder_id, []) if reminder_id is not None else [
            job for group in jobs.values() for job in group
        ]
        return sorted(job.name or "" for job in selected)


def install_reminders(application: AnyApplication) -> ReminderDelivery:
    """Put the application's `Reminders` and `ReminderDelivery` into its bot_data."""
    deps = deps_of(application)

    def move_chat_data(old_chat_id: int, new_chat_id: int) -> None:
        # Only when there is something: PTB would otherwise store an empty dict over the data
        # the first service message already moved.
        if old_chat_id in application.chat_data:
            application.migrate_chat_data(old_chat_id=old_chat_id, new_chat_id=new_chat_id)

    reminders = Reminders(deps, JobQueueTimers(application), move_chat_data=move_chat_data)
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
            logger.info("group follow-ups: %s", outcomes)
