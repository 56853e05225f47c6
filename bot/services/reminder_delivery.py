"""Sending due reminders exactly once, at Telegram's pace, from a tick once a minute.

Finding what is due: every reminder stores when it is next due (`bot.services.reminders`);
`tick` claims the reminders whose time has come, a batch at a time, sends what each owes and
stores its next due time. Nothing is held in memory per reminder, so start-up and memory do not
grow with the number of reminders, and several instances on one database share the work (a
claim is a lease: one instance holds a reminder, and if it dies the lease runs out and another
takes it over). The first tick at start is the catch-up: a slot missed while the bot was down is
sent late once if it is less than an hour old.

Exactly once: `_deliver` claims the (reminder, slot) row in the send log *before* anything is
sent, so a second tick, a restart or another instance on the same database finds the slot taken
and stays silent. The claim is given back only when the send definitely failed (flood control
after retries, a network error before the request went out) so a later tick may try again;
after a timeout the message may have arrived, and a missing nudge is better than a duplicate.

Flood limits: claims and sends pass the gates of a `bot.domain.pacing.FanOut`. What the message
looks like and how it reaches Telegram is the `ReminderSender`'s business
(`handlers.reminders.delivery`); its answer says what became of the chat: blocked or removed
(the chat is deactivated) or migrated to a supergroup (everything follows it, and the reminder
is sent there).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from bot.domain.pacing import GROUP_JITTER_SECONDS, FanOut, jitter_seconds
from bot.domain.reminders import (
    CATCH_UP_WINDOW,
    TICK_GRACE,
    Occurrence,
    load_zone,
    next_due_at,
    snooze_slot,
)
from bot.qf import TodaysPlan
from bot.services.deps import Deps, HasBotData
from bot.services.reminders import Reminders, schedule_of, todays_plan
from bot.services.wird import ShownPortion, portion_for_send
from storage import Reminder

logger = logging.getLogger(__name__)

#: `bot_data` key of the application's `ReminderDelivery`.
DELIVERY_KEY = "reminder_delivery"
#: Reminders claimed per batch of a tick: about as many as go out in half a minute at 30/s,
#: so a fan-out is claimed only a little ahead of its sends.
CLAIM_BATCH = 500
#: Deliveries started in one go of the event loop (see `ReminderDelivery._deliver_batch`).
START_TOGETHER = 20
#: How long a claim holds a reminder: several times what a batch takes to send (500 at 30/s is
#: 17 s, twice that with two instances sharing the rate), and short, because the batch an
#: instance held when it stopped or died goes out only once the lease runs out. A lease that
#: does run out mid-send is harmless: the (reminder, slot) claim stops a second send, and the
#: settle is a compare-and-set on the lease.
CLAIM_LEASE = timedelta(minutes=2)
#: A delivery that failed with an error is tried again this much later, not at the next tick:
#: a reminder that fails every time must not be the first one claimed every minute.
RETRY_FAILED_AFTER = timedelta(minutes=5)

DeliveryOutcome = Literal[
    "sent", "duplicate", "not_due", "disabled", "snoozed", "goal_done", "blocked", "failed"
]


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: int


@dataclass(frozen=True, slots=True)
class Migrated:
    """The group became a supergroup: nothing was sent, the chat lives at `new_chat_id`."""

    new_chat_id: int


#: Nothing arrived: "blocked" (the bot was blocked, kicked or the chat is gone), "not_sent"
#: (it surely did not go out: flood control after retries, a network error before the request)
#: or "maybe_sent" (a timeout, or Telegram refused the message: sending again could duplicate
#: it or fail the same way).
Undelivered = Literal["blocked", "not_sent", "maybe_sent"]
SendResult = Sent | Migrated | Undelivered


class ReminderSender(Protocol):
    """Puts a reminder into a chat (`handlers.reminders.delivery.TelegramReminderSender`)."""

    async def send(
        self, reminder: Reminder, slot: str, plan: TodaysPlan | None, *, chat_id: int,
        language: str | None, portion: ShownPortion | None = None,
    ) -> SendResult:
        """Compose and send, passing `FanOut.send_turn` right before each request; a group
        reminder shows `portion` (the day's portion of its wird, or its fixed portion)."""
        ...


class ReminderDelivery:
    """What the minute tick runs: due slots, snoozed repeats, and the catch-up at start.

    `Deps.clock` (aware UTC) decides what is due; tests replace it with a controllable one. The
    `FanOut`'s sleep also spreads groups by `group_jitter` during a fan-out.
    """

    def __init__(
        self,
        reminders: Reminders,
        sender: ReminderSender,
        fan_out: FanOut,
        *,
        group_jitter: float = GROUP_JITTER_SECONDS,
        catch_up_window: timedelta = CATCH_UP_WINDOW,
        on_delivered: Callable[[str, bool], None] | None = None,
    ) -> None:
        self.reminders = reminders
        #: Told of every attempt (outcome, sent late?): the wiring counts them in the metrics.
        self.on_delivered = on_delivered
        self.sender = sender
        self.fan_out = fan_out
        self.group_jitter = group_jitter
        self.catch_up_window = catch_up_window
        #: Set when the process stops: the tick claims no further batch.
        self.stopping = False

    @property
    def deps(self) -> Deps:
        return self.reminders.deps

    def set_send_limit(self, limit: int, *, min_gap: float | None = None) -> None:
        """Sends per second from this instance (several instances share Telegram's 30)."""
        self.fan_out.set_send_limit(limit, min_gap=min_gap)

    async def start(self) -> list[DeliveryOutcome]:
        """Due times for reminders stored without one, then the first tick: what was missed
        while the bot was down goes out now, late and once."""
        await self.reminders.backfill()
        return await self.tick()

    # -- what is due ---------------------------------------------------------------------------

    async def tick(self) -> list[DeliveryOutcome]:
        """Claim every reminder due now, a batch at a time, and deliver what each owes."""
        outcomes: list[DeliveryOutcome] = []
        while not self.stopping:
            now = self.deps.clock()
            lease = now + CLAIM_LEASE
            claimed = await self.deps.reminders.claim_due(
                "next_due_at", due_by=now + TICK_GRACE, lease_until=lease, limit=CLAIM_BATCH
            )
            for found in await self._deliver_batch(claimed, now, lease):
                outcomes.extend(found)
            if len(claimed) < CLAIM_BATCH:
                break
        return outcomes

    def stop_claiming(self) -> None:
        """The process is stopping: finish the batch in hand, claim no more (another instance,
        or this one after the restart, takes the rest as soon as it ticks)."""
        self.stopping = True

    async def _deliver_batch(
        self, claimed: list[Reminder], now: datetime, lease: datetime
    ) -> list[list[DeliveryOutcome]]:
        """Deliver a claimed batch side by side, starting them a few at a time.

        Each delivery's first step (reading its chat) runs as soon as its task exists, and the
        loop runs every ready step before it looks at anything else: 500 started at once kept
        every chat's answer waiting 50-80 ms. They then wait for their turn at the send gate
        anyway, so starting them `START_TOGETHER` at a time costs the fan-out nothing.

        One reminder's error (a bug, a database hiccup) is logged and counted as "failed"; the
        rest of the batch, and the batches after it, go on.
        """
        tasks: list[asyncio.Task[list[DeliveryOutcome]]] = []
        try:
            for reminder in claimed:
                tasks.append(
                    asyncio.ensure_future(self._deliver_claimed(reminder, now, lease))
                )
                if len(tasks) % START_TOGETHER == 0:
                    await asyncio.sleep(0)
        except BaseException:
            # Cancelled while starting them (a shutdown): those started stop like the others
            # would under gather (each gives its slot back, see _claim_and_send).
            for task in tasks:
                task.cancel()
            raise
        results = await asyncio.gather(*tasks, return_exceptions=True)
        delivered: list[list[DeliveryOutcome]] = []
        for reminder, result in zip(claimed, results, strict=True):
            if isinstance(result, Exception):
                logger.error("reminder %s: delivery failed", reminder.id, exc_info=result)
                delivered.append(["failed"])
            elif isinstance(result, BaseException):
                raise result
            else:
                delivered.append(result)
        return delivered

    async def _deliver_claimed(
        self, reminder: Reminder, now: datetime, lease: datetime
    ) -> list[DeliveryOutcome]:
        """Send what a claimed reminder owed at `now` (the claim's time), then store when it is
        next due (unless it was changed meanwhile: the change stored its own next time).

        The next due time is the first one after what this claim covered (`now` + the tick's
        grace), not after the moment the send finished: in a long fan-out that moment can be
        past the reminder's next time, which would then be skipped."""
        try:
            outcomes = await self._deliver_owed(reminder, now)
        except Exception:
            # A bug or a database error: tried again a little later (the send log keeps a
            # retry from sending twice).
            await self.deps.reminders.settle_due(
                "next_due_at", reminder.id, lease_until=lease,
                next_at=self.deps.clock() + RETRY_FAILED_AFTER,
            )
            raise
        except BaseException:
            # Shutdown: due again at once, so the next tick (here or on another instance)
            # finishes the job.
            await self.deps.reminders.settle_due(
                "next_due_at", reminder.id, lease_until=lease, next_at=self.deps.clock()
            )
            raise
        fresh = await self.deps.reminders.get(reminder.id)
        next_at = None
        if fresh is not None and fresh.enabled:
            next_at = next_due_at(schedule_of(fresh), fresh.snoozed_until, now + TICK_GRACE)
        await self.deps.reminders.settle_due(
            "next_due_at", reminder.id, lease_until=lease, next_at=next_at
        )
        return outcomes

    async def _deliver_owed(self, reminder: Reminder, now: datetime) -> list[DeliveryOutcome]:
        """A snoozed repeat that has come, and the latest daily slot not yet an hour old."""
        if not reminder.enabled:
            return ["disabled"]
        outcomes: list[DeliveryOutcome] = []
        snoozed = reminder.snoozed_until
        if snoozed is not None and snoozed - now <= TICK_GRACE:
            outcomes.append(await self._deliver_snooze(reminder, snoozed, now))
        occurrence = schedule_of(reminder).due_now(
            now, grace=TICK_GRACE, window=self.catch_up_window
        )
        if occurrence is None:
            return outcomes
        if reminder.kind == "private" and snoozed is not None and occurrence.due_at < snoozed:
            # The person put this slot off: its repeat is (or was just) the snoozed one.
            return outcomes or ["snoozed"]
        outcomes.append(await self._deliver(reminder, occurrence))
        return outcomes

    async def _deliver_snooze(
        self, reminder: Reminder, due: datetime, now: datetime
    ) -> DeliveryOutcome:
        # Cleared before sending: a snooze pressed on the new message must not be wiped out.
        reminder = await self.deps.reminders.update(reminder.id, snoozed_until=None) or reminder
        if now - due >= self.catch_up_window:
            return "not_due"
        local = due.astimezone(load_zone(reminder.timezone))
        occurrence = Occurrence(snooze_slot(due), local.strftime("%H:%M"), local.date(), due)
        return await self._deliver(reminder, occurrence)

    # -- sending ---------------------------------------------------------------------------------

    async def _deliver(self, reminder: Reminder, occurrence: Occurrence) -> DeliveryOutcome:
        outcome = await self._claim_and_send(reminder, occurrence)
        if self.on_delivered is not None:
            late = self.deps.clock() - occurrence.due_at > timedelta(minutes=1) + TICK_GRACE
            self.on_delivered(outcome, late)
        return outcome

    async def _claim_and_send(
        self, reminder: Reminder, occurrence: Occurrence
    ) -> DeliveryOutcome:
        """Claim the slot, prepare, then let the sender wait for the pacer and send.

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
        if reminder.kind == "group" and self.group_jitter > 0 and self.fan_out.busy:
            await self.fan_out.sleep(
                jitter_seconds(f"{reminder.chat_id}|{occurrence.slot}", self.group_jitter)
            )
        claims = self.fan_out.claims
        turn = await claims.wait()
        if not await deps.reminders.claim_slot(reminder.id, occurrence.slot):
            # Another instance sends this one: the turn goes to a claim that leads to a send.
            claims.give_back(turn)
            return "duplicate"
        try:
            plan: TodaysPlan | None = None
            if reminder.kind == "private":
                plan = await todays_plan(
                    deps, reminder.user_id or reminder.chat_id, reminder.timezone
                )
                if plan is not None and plan.progress is not None and plan.progress >= 1:
                    claims.give_back(turn)
                    return "goal_done"
            language = chat.language if chat else None
            portion: ShownPortion | None = None
            if reminder.kind == "group":
                portion = await portion_for_send(deps, reminder, occurrence.local_date, language)
                if portion is not None:
                    await deps.reminders.set_slot_portion(
                        reminder.id, occurrence.slot, portion.text, portion.ranges
                    )
            return await self._send_claimed(reminder, occurrence, plan, language, portion)
        except BaseException:
            # Cancelled mid-send (shutdown) or a bug: give the slot back for the catch-up.
            await deps.reminders.release_slot(reminder.id, occurrence.slot)
            raise

    async def _send_claimed(
        self,
        reminder: Reminder,
        occurrence: Occurrence,
        plan: TodaysPlan | None,
        language: str | None,
        portion: ShownPortion | None = None,
    ) -> DeliveryOutcome:
        chat_id = reminder.chat_id
        result = await self.sender.send(
            reminder, occurrence.slot, plan, chat_id=chat_id, language=language, portion=portion
        )
        if isinstance(result, Migrated):
            await self.reminders.follow_migration(chat_id, result.new_chat_id)
            chat_id = result.new_chat_id
            result = await self.sender.send(
                reminder, occurrence.slot, plan, chat_id=chat_id, language=language,
                portion=portion,
            )
        if isinstance(result, Sent):
            await self.deps.reminders.set_slot_message(
                reminder.id, occurrence.slot, result.message_id
            )
            return "sent"
        if result == "blocked":
            logger.info("reminder %s: chat %s blocked or removed the bot", reminder.id, chat_id)
            await self.reminders.deactivate_chat(chat_id)
            return "blocked"
        if result == "not_sent":
            await self.deps.reminders.release_slot(reminder.id, occurrence.slot)
        return "failed"


def delivery_of(source: HasBotData) -> ReminderDelivery:
    """The application's `ReminderDelivery` (installed by `bot.app.scheduler`)."""
    found = source.bot_data.get(DELIVERY_KEY)
    if not isinstance(found, ReminderDelivery):
        raise RuntimeError("no ReminderDelivery in bot_data: build the Application with bot.app")
    return found
