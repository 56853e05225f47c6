"""Sending a due reminder exactly once, at Telegram's pace, and catching up after a restart.

A timer (see `bot.services.reminders`) fires `deliver_due` for its reminder and time, or
`deliver_snooze` for a snoozed repeat; `start` rebuilds the timers and sends, late and once, the
latest slot of each reminder missed in the last hour.

Exactly once: `_deliver` claims the (reminder, slot) row in the send log *before* anything is
sent, so a second timer, a restart or another instance on the same database finds the slot taken
and stays silent. The claim is given back only when the send definitely failed (flood control
after retries, a network error before the request went out) so the catch-up at the next start
may try again; after a timeout the message may have arrived, and a missing nudge is better than
a duplicate one.

Flood limits: claims and sends pass the gates of a `bot.domain.pacing.FanOut`. What the message
looks like and how it reaches Telegram is the `ReminderSender`'s business
(`handlers.reminders.delivery`); its answer says what became of the chat: blocked or removed
(the chat is deactivated) or migrated to a supergroup (everything follows it, and the reminder
is sent there).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, Protocol

from bot.domain.pacing import GROUP_JITTER_SECONDS, FanOut, jitter_seconds
from bot.domain.reminders import CATCH_UP_WINDOW, FIRE_GRACE, Occurrence, load_zone, snooze_slot
from bot.qf import TodaysPlan
from bot.services.deps import Deps, HasBotData
from bot.services.reminders import Reminders, schedule_of, todays_plan
from bot.services.wird import ShownPortion, portion_for_send
from storage import Reminder

logger = logging.getLogger(__name__)

#: `bot_data` key of the application's `ReminderDelivery`.
DELIVERY_KEY = "reminder_delivery"
#: How often each instance re-reads the schedule (changes made through another instance).
RESYNC_SECONDS = 300.0

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
    """What the timers run: due slots, snoozed repeats, and the catch-up at start.

    `Deps.clock` (aware UTC) decides which slot is due; tests replace it with a controllable
    one. The `FanOut`'s sleep also spreads groups by `group_jitter` during a fan-out.
    """

    def __init__(
        self,
        reminders: Reminders,
        sender: ReminderSender,
        fan_out: FanOut,
        *,
        group_jitter: float = GROUP_JITTER_SECONDS,
        catch_up_window: timedelta = CATCH_UP_WINDOW,
        resync_seconds: float = RESYNC_SECONDS,
        on_delivered: Callable[[str, bool], None] | None = None,
    ) -> None:
        self.reminders = reminders
        #: Told of every attempt (outcome, sent late?): the wiring counts them in the metrics.
        self.on_delivered = on_delivered
        self.sender = sender
        self.fan_out = fan_out
        self.group_jitter = group_jitter
        self.catch_up_window = catch_up_window
        self.resync_seconds = resync_seconds

    @property
    def deps(self) -> Deps:
        return self.reminders.deps

    def set_send_limit(self, limit: int, *, min_gap: float | None = None) -> None:
        """Sends per second from this instance (several instances share Telegram's 30)."""
        self.fan_out.set_send_limit(limit, min_gap=min_gap)

    async def start(self) -> list[DeliveryOutcome]:
        """Timers from the database, the periodic resync, then the catch-up of slots missed
        while the bot was down."""
        await self.reminders.rebuild()
        self.reminders.timers.resync_every(self.resync_seconds, self.reminders.rebuild)
        return await self.catch_up()

    # -- what is due ---------------------------------------------------------------------------

    async def deliver_due(self, reminder_id: int, hhmm: str | None = None) -> DeliveryOutcome:
        """What a daily timer runs: send the slot due now for `hhmm` (any time when None)."""
        reminder = await self.deps.reminders.get(reminder_id)
        if reminder is None or not reminder.enabled:
            self.reminders.drop(reminder_id)
            return "disabled"
        schedule = schedule_of(reminder)
        if hhmm is not None:
            schedule = schedule.only(hhmm)
        occurrence = schedule.due_now(
            self.deps.clock(), grace=FIRE_GRACE, window=self.catch_up_window
        )
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
        now = self.deps.clock()
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

    async def deliver_snooze(self, reminder_id: int) -> DeliveryOutcome:
        """What a snooze timer runs: the repeat, once, if it is due."""
        reminder = await self.deps.reminders.get(reminder_id)
        if reminder is None or not reminder.enabled or reminder.snoozed_until is None:
            return "disabled" if reminder is None or not reminder.enabled else "not_due"
        due = reminder.snoozed_until
        now = self.deps.clock()
        if due - now > FIRE_GRACE:
            await self.reminders.refresh(reminder_id)
            return "not_due"
        # Cleared before sending: a snooze pressed on the new message must not be wiped out.
        reminder = await self.deps.reminders.update(reminder_id, snoozed_until=None) or reminder
        await self.reminders.refresh(reminder_id)
        if now - due >= self.catch_up_window:
            return "not_due"
        local = due.astimezone(load_zone(reminder.timezone))
        occurrence = Occurrence(snooze_slot(due), local.strftime("%H:%M"), local.date(), due)
        return await self._deliver(reminder, occurrence)

    # -- sending ---------------------------------------------------------------------------------

    async def _deliver(self, reminder: Reminder, occurrence: Occurrence) -> DeliveryOutcome:
        outcome = await self._claim_and_send(reminder, occurrence)
        if self.on_delivered is not None:
            self.on_delivered(outcome, self.deps.clock() - occurrence.due_at > FIRE_GRACE)
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
