"""Reminder delivery: python-telegram-bot JobQueue jobs rebuilt from the database, and the one
function that sends a due reminder exactly once.

The JobQueue keeps nothing across restarts, so the database is the schedule: `start()` (from
`handlers.reminders.on_startup`) creates one daily job per (reminder, time) with a deterministic
name (``remind:<reminder_id>:<HH:MM>``), sends what was missed in the last hour, and a periodic
resync picks up changes another bot instance made. Handlers call `refresh()` / `refresh_chat()`
after every settings change.

Exactly once: `_deliver` claims the (reminder, slot) row in the send log *before* calling
Telegram, so a second job, a restart or another instance on the same database finds the slot
taken and stays silent. The claim is given back only when the send definitely failed (flood
control after retries, a network error before the request went out) so the catch-up at the next
start may try again; after a timeout the message may have arrived, and a missing nudge is better
than a duplicate one.

Flood limits: AIORateLimiter (bot/application.py) stays the backstop, but a fan-out of hundreds
of reminders at 21:00 also passes two `PacedGate`s (see
`bot.domain.reminders.SendPacer`): claims, then
sends, at most 30 per 1.025 s each, with at most `MAX_IN_FLIGHT` sends unanswered. Several
instances on one bot token must split the limit (`set_send_limit(30 // instances)`).

Blocked or removed (403): the chat is marked inactive, its reminders disabled and its jobs
dropped. A group that became a supergroup (`ChatMigrated`): settings follow it and the message
is sent to the new id.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time as monotonic_time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CallbackContext, Job, JobQueue
from telegram.warnings import PTBDeprecationWarning

from bot.app.metrics import metrics_of
from bot.domain.reminders import (
    CATCH_UP_WINDOW,
    FANOUT_LIMIT_PER_SECOND,
    FANOUT_WINDOW_SECONDS,
    FIRE_GRACE,
    GROUP_JITTER_SECONDS,
    SNOOZE_MINUTES,
    Occurrence,
    Schedule,
    SendPacer,
    jitter_seconds,
    load_zone,
    time_of,
    to_ptb_days,
)
from bot.i18n import Translator, get_translator
from bot.qf import QFError, TodaysPlan
from bot.services.deps import Deps, deps_of
from storage import DEFAULT_MUSHAF_ID, Reminder

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyContext = CallbackContext[Any, Any, Any, Any]

SCHEDULER_KEY = "reminder_scheduler"
JOB_PREFIX = "remind:"
SNOOZE_JOB_PREFIX = "snooze:"
RESYNC_JOB_NAME = "reminders:resync"
#: Prefix of the "I read it" button under a group reminder: ``chk:<reminder_id>:<slot>``.
CHECK_IN_PREFIX = "chk"
#: Prefix of a snooze button under a private reminder: ``rem:s:<reminder_id>:<minutes>``.
SNOOZE_PREFIX = "rem:s"
#: Put in front of the check-in count line so an edit can find and replace it.
CHECK_IN_MARK = "✅ "
#: How often each instance re-reads the schedule (changes made through another instance).
RESYNC_SECONDS = 300.0
#: Extra attempts after AIORateLimiter's own retry, when Telegram still answers 429.
FLOOD_RETRIES = 2
#: Reminder sends past the send gate and not yet answered (see `_send_with_retries`).
MAX_IN_FLIGHT = 3

DeliveryOutcome = Literal[
    "sent", "duplicate", "not_due", "disabled", "snoozed", "goal_done", "blocked", "failed"
]

_JOB_NAME = re.compile(r"^(?:remind:(\d+):\d{2}:\d{2}|snooze:(\d+))$")


def job_name(reminder_id: int, hhmm: str) -> str:
    return f"{JOB_PREFIX}{reminder_id}:{hhmm}"


def snooze_job_name(reminder_id: int) -> str:
    return f"{SNOOZE_JOB_PREFIX}{reminder_id}"


def check_in_data(reminder_id: int, slot: str) -> str:
    return f"{CHECK_IN_PREFIX}:{reminder_id}:{slot}"


def snooze_data(reminder_id: int, minutes: int) -> str:
    return f"{SNOOZE_PREFIX}:{reminder_id}:{minutes}"


def schedule_of(reminder: Reminder) -> Schedule:
    return Schedule(reminder.times, reminder.weekdays, reminder.timezone)


def snooze_slot(until: datetime) -> str:
    """Slot key of a snoozed repeat: the UTC minute it is due, marked so it never meets a
    daily slot key."""
    return "snooze@" + until.strftime("%Y-%m-%dT%H:%MZ")


def _signature(reminder: Reminder) -> tuple[object, ...]:
    """What the jobs of a reminder depend on; unchanged signature = keep the jobs."""
    return (reminder.times, reminder.weekdays, reminder.timezone, reminder.snoozed_until)


@dataclass(frozen=True, slots=True)
class ReminderJob:
    """`Job.data` of every reminder job."""

    reminder_id: int
    time: str
    signature: tuple[object, ...]


# --------------------------------------------------------------------------------------------
# What a reminder message looks like


def reminder_message(
    reminder: Reminder,
    slot: str,
    t: Translator,
    *,
    plan: TodaysPlan | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """Text and buttons of a reminder: a check-in button in groups, snoozes in private."""
    if reminder.kind == "group":
        lines = [
            html.escape(reminder.text)
            if reminder.text
            else t.gettext("🌿 Time for today's Quran reading!")
        ]
        if reminder.portion:
            portion = t.isolate(html.escape(reminder.portion))
            lines.append(t.gettext("📖 Today: {portion}", portion=portion))
        button = InlineKeyboardButton(
            t.gettext("✅ I read it"), callback_data=check_in_data(reminder.id, slot)
        )
        return "\n".join(lines), InlineKeyboardMarkup([[button]])
    nudge = t.gettext("🌿 Time for your Quran reading.")
    lines = [html.escape(reminder.text) if reminder.text else nudge]
    if plan is not None and plan.progress is not None:
        lines.append(
            t.gettext(
                "So far today: {percent}% of your goal.",
                percent=t.number(round(plan.progress * 100)),
            )
        )
    snoozes = [
        InlineKeyboardButton(
            snooze_label(minutes, t), callback_data=snooze_data(reminder.id, minutes)
        )
        for minutes in SNOOZE_MINUTES
    ]
    return "\n".join(lines), InlineKeyboardMarkup([snoozes])


def snooze_label(minutes: int, t: Translator) -> str:
    if minutes % 60 == 0:
        return t.ngettext("⏰ In {n} hour", "⏰ In {n} hours", minutes // 60)
    return t.ngettext("⏰ In {n} minute", "⏰ In {n} minutes", minutes)


def with_check_in_count(message_html: str, count: int, t: Translator) -> str:
    """The reminder text with its check-in line set to `count` (replacing any earlier one)."""
    base = without_check_in_count(message_html)
    if count <= 0:
        return base
    line = t.ngettext("{n} member has read it", "{n} members have read it", count)
    return f"{base}\n\n{CHECK_IN_MARK}{line}"


def without_check_in_count(message_html: str) -> str:
    head, separator, _ = message_html.rpartition("\n\n" + CHECK_IN_MARK)
    return head if separator else message_html


# --------------------------------------------------------------------------------------------
# The scheduler


class PacedGate:
    """Lets callers through one at a time as a `SendPacer` allows, judged on the real clock at
    the moment each one leaves."""

    def __init__(
        self,
        pacer: SendPacer,
        sleep: Callable[[float], Awaitable[None]],
        monotonic: Callable[[], float],
    ) -> None:
        self.pacer = pacer
        self._sleep = sleep
        self._monotonic = monotonic
        self._lock = asyncio.Lock()
        self.waiting = 0

    async def wait(self) -> float:
        """Return when the caller may go; the result identifies its turn for `give_back`."""
        self.waiting += 1
        try:
            async with self._lock:
                while (delay := self.pacer.wait_time(self._monotonic())) > 0:
                    await self._sleep(delay)
                moment = self._monotonic()
                self.pacer.record(moment)
                return moment
        finally:
            self.waiting -= 1

    def give_back(self, turn: float) -> None:
        self.pacer.forget(turn)


def _retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB warns that the int will become a timedelta; both are handled below.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: object = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if isinstance(value, int | float) else 1.0


class ReminderScheduler:
    """JobQueue jobs for every enabled reminder, and their delivery.

    `clock` (aware UTC) decides which slot is due; it is `Deps.clock`, which tests replace with a
    controllable one. `sleep` and `monotonic` drive pacing and jitter (real time by default).
    """

    def __init__(
        self,
        application: AnyApplication,
        *,
        limit_per_second: int = FANOUT_LIMIT_PER_SECOND,
        group_jitter: float = GROUP_JITTER_SECONDS,
        catch_up_window: timedelta = CATCH_UP_WINDOW,
        resync_seconds: float = RESYNC_SECONDS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = monotonic_time.monotonic,
    ) -> None:
        self.application = application
        self._sleep = sleep
        self._monotonic = monotonic
        self.set_send_limit(limit_per_second)
        self.group_jitter = group_jitter
        self.catch_up_window = catch_up_window
        self.resync_seconds = resync_seconds

    def set_send_limit(
        self,
        limit: int,
        *,
        window: float = FANOUT_WINDOW_SECONDS,
        min_gap: float | None = None,
    ) -> None:
        """Reminder sends allowed per `window` from this instance. With several instances on
        one bot token, give each its share (30 // instances): Telegram counts per bot.

        Claims go through a gate of the same rate, just ahead of the sends, so instances racing
        through one fan-out each claim about as fast as they can send and share the work.
        """
        self.sends = PacedGate(SendPacer(limit, window, min_gap), self._sleep, self._monotonic)
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        self.claims = PacedGate(SendPacer(limit, window, min_gap), self._sleep, self._monotonic)

    @classmethod
    def of(cls, source: AnyApplication | AnyContext) -> ReminderScheduler:
        """The Application's scheduler, created on first use."""
        application = source if isinstance(source, Application) else source.application
        found = application.bot_data.get(SCHEDULER_KEY)
        if isinstance(found, ReminderScheduler):
            return found
        scheduler = cls(
            application, limit_per_second=deps_of(application).settings.reminder_sends_per_second
        )
        application.bot_data[SCHEDULER_KEY] = scheduler
        return scheduler

    @property
    def deps(self) -> Deps:
        return deps_of(self.application)

    @property
    def job_queue(self) -> JobQueue[Any]:
        queue = self.application.job_queue
        if queue is None:
            raise RuntimeError("reminders need python-telegram-bot[job-queue]")
        return queue

    def now(self) -> datetime:
        return self.deps.clock()

    # -- jobs ------------------------------------------------------------------------------------

    async def start(self) -> list[DeliveryOutcome]:
        """Jobs from the database, then the catch-up of slots missed while the bot was down."""
        await self.rebuild()
        if not self.job_queue.get_jobs_by_name(RESYNC_JOB_NAME):
            self.job_queue.run_repeating(
                self._on_resync,
                interval=self.resync_seconds,
                first=self.resync_seconds,
                name=RESYNC_JOB_NAME,
            )
        return await self.catch_up()

    def reminder_jobs(self) -> dict[int, list[Job[Any]]]:
        """Scheduled jobs by reminder id (daily and snooze jobs)."""
        found: dict[int, list[Job[Any]]] = {}
        for job in self.job_queue.jobs():
            match = _JOB_NAME.match(job.name or "")
            if match is None:
                continue
            reminder_id = int(match.group(1) or match.group(2))
            found.setdefault(reminder_id, []).append(job)
        return found

    def job_names(self, reminder_id: int | None = None) -> list[str]:
        jobs = self.reminder_jobs()
        selected = jobs.get(reminder_id, []) if reminder_id is not None else [
            job for group in jobs.values() for job in group
        ]
        return sorted(job.name or "" for job in selected)

    async def rebuild(self) -> None:
        """Make the jobs match the database: add new, replace changed, remove stale."""
        wanted = {reminder.id: reminder for reminder in await self.deps.reminders.all_enabled()}
        existing = self.reminder_jobs()
        for reminder_id, jobs in existing.items():
            reminder = wanted.get(reminder_id)
            if reminder is None or not self._jobs_match(reminder, jobs):
                for job in jobs:
                    job.schedule_removal()
        for reminder_id, reminder in wanted.items():
            jobs = existing.get(reminder_id, [])
            if not jobs or not self._jobs_match(reminder, jobs):
                self._add_jobs(reminder)

    def _jobs_match(self, reminder: Reminder, jobs: list[Job[Any]]) -> bool:
        signature = _signature(reminder)
        names = {job_name(reminder.id, hhmm) for hhmm in reminder.times}
        if reminder.snoozed_until is not None:
            names.add(snooze_job_name(reminder.id))
        return {job.name for job in jobs} == names and all(
            isinstance(job.data, ReminderJob) and job.data.signature == signature for job in jobs
        )

    def _add_jobs(self, reminder: Reminder) -> None:
        zone = load_zone(reminder.timezone)
        signature = _signature(reminder)
        for hhmm in reminder.times:
            self.job_queue.run_daily(
                self._on_daily_job,
                time=time_of(hhmm).replace(tzinfo=zone),
                days=to_ptb_days(reminder.weekdays),
                data=ReminderJob(reminder.id, hhmm, signature),
                name=job_name(reminder.id, hhmm),
                # A loop busy with a large fan-out must not make APScheduler drop the job: our
                # own catch-up rule decides what is too late.
                job_kwargs={
                    "misfire_grace_time": int(self.catch_up_window.total_seconds()),
                    "coalesce": True,
                },
            )
        if reminder.snoozed_until is not None:
            delay = max(reminder.snoozed_until - self.now(), timedelta(0))
            self.job_queue.run_once(
                self._on_snooze_job,
                when=delay,
                data=ReminderJob(reminder.id, "", signature),
                name=snooze_job_name(reminder.id),
                job_kwargs={"misfire_grace_time": int(self.catch_up_window.total_seconds())},
            )

    def drop(self, reminder_id: int) -> None:
        for job in self.reminder_jobs().get(reminder_id, []):
            job.schedule_removal()

    async def refresh(self, reminder_id: int) -> Reminder | None:
        """Reschedule one reminder after a change (or drop its jobs if it is off or gone)."""
        self.drop(reminder_id)
        reminder = await self.deps.reminders.get(reminder_id)
        if reminder is None or not reminder.enabled:
            return reminder
        chat = await self.deps.chats.get(reminder.chat_id)
        if chat is not None and not chat.active:
            return reminder
        self._add_jobs(reminder)
        return reminder

    async def refresh_chat(self, chat_id: int) -> None:
        for reminder in await self.deps.reminders.for_chat(chat_id):
            await self.refresh(reminder.id)

    async def drop_chat(self, chat_id: int) -> None:
        for reminder in await self.deps.reminders.for_chat(chat_id):
            self.drop(reminder.id)

    async def _on_resync(self, context: AnyContext) -> None:
        await self.rebuild()

    async def _on_daily_job(self, context: AnyContext) -> None:
        job = context.job
        if job is not None and isinstance(job.data, ReminderJob):
            await self.deliver_due(job.data.reminder_id, job.data.time)

    async def _on_snooze_job(self, context: AnyContext) -> None:
        job = context.job
        if job is not None and isinstance(job.data, ReminderJob):
            await self.deliver_snooze(job.data.reminder_id)

    # -- what is due ---------------------------------------------------------------------------

    async def deliver_due(self, reminder_id: int, hhmm: str | None = None) -> DeliveryOutcome:
        """What a daily job runs: send the slot due now for `hhmm` (any time when None)."""
        reminder = await self.deps.reminders.get(reminder_id)
        if reminder is None or not reminder.enabled:
            self.drop(reminder_id)
            return "disabled"
        schedule = schedule_of(reminder)
        if hhmm is not None:
            schedule = schedule.only(hhmm)
        occurrence = schedule.due_now(self.now(), grace=FIRE_GRACE, window=self.catch_up_window)
        if occurrence is None:
            return "not_due"
        if (
            reminder.kind == "private"
            and reminder.snoozed_until is not None
            and occurrence.due_at < reminder.snoozed_until
        ):
            return "snoozed"
        return await self._deliver(reminder, occurrence)

    async def catch_up(self) -> list[DeliveryOutcome]:
        """Send, late and once, each reminder's latest slot missed in the last hour."""
        now = self.now()
        deliveries: list[Awaitable[DeliveryOutcome]] = []
        for reminder in await self.deps.reminders.all_enabled():
            missed = schedule_of(reminder).missed(now, window=self.catch_up_window)
            snoozed = reminder.snoozed_until
            if snoozed is not None and snoozed <= now:
                deliveries.append(self.deliver_snooze(reminder.id))
                if missed is not None and missed.due_at < snoozed:
                    missed = None
            if missed is not None:
                deliveries.append(self._deliver(reminder, missed))
        return list(await asyncio.gather(*deliveries))

    async def snooze(self, reminder_id: int, minutes: int) -> Reminder | None:
        """Repeat a private reminder in `minutes` (rounded up to a whole minute)."""
        until = self.now() + timedelta(minutes=minutes)
        if until.second or until.microsecond:
            until = until.replace(second=0, microsecond=0) + timedelta(minutes=1)
        reminder = await self.deps.reminders.update(reminder_id, snoozed_until=until)
        if reminder is not None:
            await self.refresh(reminder_id)
        return reminder

    async def deliver_snooze(self, reminder_id: int) -> DeliveryOutcome:
        reminder = await self.deps.reminders.get(reminder_id)
        if reminder is None or not reminder.enabled or reminder.snoozed_until is None:
            return "disabled" if reminder is None or not reminder.enabled else "not_due"
        due = reminder.snoozed_until
        now = self.now()
        if due - now > FIRE_GRACE:
            await self.refresh(reminder_id)
            return "not_due"
        # Cleared before sending: a snooze pressed on the new message must not be wiped out.
        reminder = await self.deps.reminders.update(reminder_id, snoozed_until=None) or reminder
        await self.refresh(reminder_id)
        if now - due >= self.catch_up_window:
            return "not_due"
        local = due.astimezone(load_zone(reminder.timezone))
        occurrence = Occurrence(snooze_slot(due), local.strftime("%H:%M"), local.date(), due)
        return await self._deliver(reminder, occurrence)

    # -- sending ---------------------------------------------------------------------------------

    async def _deliver(self, reminder: Reminder, occurrence: Occurrence) -> DeliveryOutcome:
        outcome = await self._claim_and_send(reminder, occurrence)
        metrics_of(self.application).reminder_delivered(
            outcome, late=self.now() - occurrence.due_at > FIRE_GRACE
        )
        return outcome

    async def _claim_and_send(
        self, reminder: Reminder, occurrence: Occurrence
    ) -> DeliveryOutcome:
        """Claim the slot, prepare, wait for the pacer, send.

        Everything slow (the claim and other database work, the Quran Foundation goal check)
        happens before the send gate, so that what the gate spaces out reaches Telegram spaced
        out: a database write between the gate and the request was enough to bunch sends up
        into 429s. Claims pass their own gate of the same rate, so a fan-out is claimed only
        about as fast as it can be sent: a crash loses at most the few claimed-but-unsent
        reminders in the pipeline (a clean stop finishes them: jobs are shielded).
        """
        deps = self.deps
        chat = await deps.chats.get(reminder.chat_id)
        if chat is not None and not chat.active:
            return "disabled"
        if reminder.kind == "group" and self.group_jitter > 0 and self.claims.waiting:
            await self._sleep(
                jitter_seconds(f"{reminder.chat_id}|{occurrence.slot}", self.group_jitter)
            )
        turn = await self.claims.wait()
        if not await deps.reminders.claim_slot(reminder.id, occurrence.slot):
            # Another instance sends this one: the turn goes to a claim that leads to a send.
            self.claims.give_back(turn)
            return "duplicate"
        try:
            plan: TodaysPlan | None = None
            if reminder.kind == "private":
                plan = await self._todays_plan(reminder)
                if plan is not None and plan.progress is not None and plan.progress >= 1:
                    self.claims.give_back(turn)
                    return "goal_done"
            t = get_translator(chat.language if chat else None)
            text, markup = reminder_message(reminder, occurrence.slot, t, plan=plan)
            return await self._send_claimed(reminder, occurrence, text, markup)
        except BaseException:
            # Cancelled mid-send (shutdown) or a bug: give the slot back for the catch-up.
            await deps.reminders.release_slot(reminder.id, occurrence.slot)
            raise

    async def _send_claimed(
        self,
        reminder: Reminder,
        occurrence: Occurrence,
        text: str,
        markup: InlineKeyboardMarkup,
    ) -> DeliveryOutcome:
        chat_id = reminder.chat_id
        try:
            message = await self._send_with_retries(chat_id, text, markup)
        except ChatMigrated as migrated:
            await self.follow_migration(chat_id, migrated.new_chat_id)
            chat_id = migrated.new_chat_id
            try:
                message = await self._send_with_retries(chat_id, text, markup)
            except Forbidden:
                await self.deactivate_chat(chat_id)
                return "blocked"
        except Forbidden:
            logger.info("reminder %s: chat %s blocked or removed the bot", reminder.id, chat_id)
            await self.deactivate_chat(chat_id)
            return "blocked"
        except BadRequest as error:
            if "chat not found" in str(error).lower():
                await self.deactivate_chat(chat_id)
                return "blocked"
            logger.error("reminder %s refused by Telegram: %s", reminder.id, error)
            return "failed"
        except TimedOut:
            # The message may have arrived; keeping the claim risks a missed nudge, never a
            # duplicate one.
            logger.warning("reminder %s slot %s timed out", reminder.id, occurrence.slot)
            return "failed"
        except (RetryAfter, NetworkError) as error:
            logger.warning("reminder %s slot %s not sent: %s", reminder.id, occurrence.slot, error)
            await self.deps.reminders.release_slot(reminder.id, occurrence.slot)
            return "failed"
        await self.deps.reminders.set_slot_message(reminder.id, occurrence.slot, message.message_id)
        return "sent"

    async def _send_with_retries(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup
    ) -> Message:
        """Send through the gate, retrying after a 429 that got past AIORateLimiter's own retry.

        Only `MAX_IN_FLIGHT` sends may be past the gate and unanswered: when a 429 makes
        AIORateLimiter pause every request, the gate must not keep feeding it, or the queue it
        built up would leave as one burst when the pause ends and earn the next 429.
        """
        attempt = 0
        while True:
            try:
                async with self._in_flight:
                    await self.sends.wait()
                    message: Message = await self.application.bot.send_message(
                        chat_id, text, reply_markup=markup
                    )
                return message
            except RetryAfter as error:
                attempt += 1
                if attempt > FLOOD_RETRIES:
                    raise
                await self._sleep(_retry_seconds(error))

    async def _todays_plan(self, reminder: Reminder) -> TodaysPlan | None:
        """Today's plan of a private reminder's owner, or None (not linked, no goal, QF down:
        then the reminder goes out anyway)."""
        user_id = reminder.user_id or reminder.chat_id
        deps = self.deps
        if await deps.accounts.get(user_id) is None:
            return None
        settings = await deps.chats.get(reminder.chat_id)
        mushaf_id = settings.mushaf_id if settings is not None else DEFAULT_MUSHAF_ID
        try:
            session = deps.qf.for_user(user_id, timezone=reminder.timezone)
            return await session.find_todays_plan(mushaf_id)
        except QFError as error:
            logger.info("reminder %s: today's plan unavailable (%s)", reminder.id, error)
            return None

    # -- chat life -------------------------------------------------------------------------------

    async def deactivate_chat(self, chat_id: int) -> None:
        """The bot was blocked, kicked or removed: no reminder may try this chat again."""
        deps = self.deps
        await deps.chats.set_active(chat_id, False)
        await deps.reminders.disable_chat(chat_id)
        await self.drop_chat(chat_id)

    async def follow_migration(self, old_chat_id: int, new_chat_id: int) -> bool:
        """Move settings, reminders and chat_data to the supergroup; True if this call did it.

        Safe to call for both service messages and from a failed send: only the first call
        finds the old chat row, so chat_data is moved once (PTB's `migrate_chat_data` would
        otherwise overwrite the moved data with an empty dict).
        """
        moved = await self.deps.chats.migrate(old_chat_id, new_chat_id)
        if moved is None:
            return False
        if old_chat_id in self.application.chat_data:
            self.application.migrate_chat_data(old_chat_id=old_chat_id, new_chat_id=new_chat_id)
        await self.refresh_chat(new_chat_id)
        return True

    async def apply_chat_timezone(self, chat_id: int, timezone: str) -> None:
        """A chat's (or, for chat id == user id, a user's) timezone changed: move its reminders
        along so 21:00 stays 21:00 on the wall clock there."""
        for reminder in await self.deps.reminders.for_chat(chat_id):
            if reminder.timezone != timezone:
                await self.deps.reminders.update(reminder.id, timezone=timezone)
                await self.refresh(reminder.id)
