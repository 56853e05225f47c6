"""A group's follow-ups to its reminders: the evening nudge of members who have not read yet,
the weekly summary, and erasing what a group left behind once the bot is gone.

A periodic job (`bot.app.scheduler`) runs `GroupFollowUps.run`; when each is due is
`bot.domain.group_reading`, and each group reminder stores when its next one may be
(`follow_up_at`, indexed), so a run reads only the groups with something due instead of every
reminder. Each is claimed in storage before it is sent
(`ReminderRepository.mark_done`: the nudge per local day, the summary per ISO week), so two
instances or a job firing twice never send it twice; a send that fails is not repeated (a
missing nudge is better than a second one).

The nudge is admin-enabled (off by default); it never mentions a member who said `/quiet` in
that group. The summary is on unless an admin turns it off. Both are one message per group at
most once a day, far inside Telegram's 20 messages a minute per group, and go through the send
budget as bulk (after replies to people).

The summary asks the /khatm board through `khatm_progress` only, so the two features meet in
one place; a group without a board (or whose last round is closed) gets no khatm line.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, Protocol

from bot.domain.group_reading import (
    ACTIVE_DAYS,
    NUDGE_WINDOW,
    STREAK_LOOKBACK_DAYS,
    SUMMARY_WINDOW,
    Member,
    WeekSummary,
    iso_week,
    members_to_nudge,
    nudge_due_at,
    summary_due_at,
    week_summary,
)
from bot.domain.khatm import KhatmProgress
from bot.domain.reminders import load_zone, parse_slot, slot_key
from bot.services.deps import Deps
from bot.services.khatm import KhatmService
from bot.services.reminders import follow_up_at
from storage import Reminder, erase_departed_groups

logger = logging.getLogger(__name__)

#: How long a group's data stays after the bot was removed (it may be added back by mistake).
DEPARTED_GRACE = timedelta(days=30)
#: Groups claimed per batch, and how long a claim holds them (see `ReminderRepository`).
CLAIM_BATCH = 200
CLAIM_LEASE = timedelta(minutes=30)
#: A group whose follow-ups failed with an error is tried again this much later.
RETRY_FAILED_AFTER = timedelta(minutes=15)

FollowUpResult = Literal["sent", "blocked", "failed"]
FollowUpOutcome = Literal["nudged", "summarised", "blocked", "failed", "nobody"]


async def khatm_progress(deps: Deps, chat_id: int) -> KhatmProgress | None:
    """The group's khatm board for the weekly summary; None when it has none, or when its
    last round was closed before it was finished (nothing to report any more)."""
    progress = await KhatmService(deps).progress(chat_id)
    if progress is None or (progress.status == "closed" and progress.finished < 30):
        return None
    return progress


@dataclass(frozen=True, slots=True)
class Nudge:
    chat_id: int
    language: str | None
    members: list[Member]


@dataclass(frozen=True, slots=True)
class Summary:
    chat_id: int
    language: str | None
    week: WeekSummary
    khatm: KhatmProgress | None


class FollowUpSender(Protocol):
    """Puts a nudge or a summary into its group (`handlers.reminders.follow_ups`)."""

    async def send_nudge(self, nudge: Nudge) -> FollowUpResult: ...

    async def send_summary(self, summary: Summary) -> FollowUpResult: ...


def _dated(check_ins: list[tuple[int, str | None, str]]) -> list[tuple[Member, date]]:
    dated: list[tuple[Member, date]] = []
    for user_id, name, slot in check_ins:
        try:
            day, _ = parse_slot(slot)
        except ValueError:
            continue
        dated.append((Member(user_id, name), day))
    return dated


class GroupFollowUps:
    def __init__(
        self,
        deps: Deps,
        sender: FollowUpSender,
        on_blocked: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self.deps = deps
        self.sender = sender
        #: A group that removed or blocked the bot: its reminders are switched off.
        self.on_blocked = on_blocked

    async def run(self) -> list[FollowUpOutcome]:
        """Send every nudge and summary due now; erase groups gone past the grace period."""
        outcomes: list[FollowUpOutcome] = []
        while True:
            now = self.deps.clock()
            lease = now + CLAIM_LEASE
            claimed = await self.deps.reminders.claim_due(
                "follow_up_at", due_by=now, lease_until=lease, limit=CLAIM_BATCH
            )
            for reminder in claimed:
                outcomes.extend(await self._follow_up_or_retry(reminder, now, lease))
            if len(claimed) < CLAIM_BATCH:
                break
        await erase_departed_groups(
            self.deps.database, before=self.deps.clock() - DEPARTED_GRACE
        )
        return outcomes

    async def _follow_up_or_retry(
        self, reminder: Reminder, now: datetime, lease: datetime
    ) -> list[FollowUpOutcome]:
        """One group's error (a bug, a database hiccup) is logged and that group tried again a
        little later; the other groups claimed with it still get theirs now."""
        try:
            return await self._follow_up(reminder, now, lease)
        except Exception:
            logger.exception("group follow-ups of reminder %s failed", reminder.id)
            await self.deps.reminders.settle_due(
                "follow_up_at", reminder.id, lease_until=lease, next_at=now + RETRY_FAILED_AFTER
            )
            return ["failed"]

    async def _follow_up(
        self, reminder: Reminder, now: datetime, lease: datetime
    ) -> list[FollowUpOutcome]:
        """A claimed group's nudge and summary, then when its next one may be due."""
        outcomes: list[FollowUpOutcome] = []
        if reminder.enabled and reminder.kind == "group":
            if reminder.nudge_enabled and (outcome := await self.nudge(reminder, now)):
                outcomes.append(outcome)
            if reminder.summary_enabled and (outcome := await self.summary(reminder, now)):
                outcomes.append(outcome)
        fresh = await self.deps.reminders.get(reminder.id)
        next_at = follow_up_at(fresh, now) if fresh is not None and fresh.enabled else None
        await self.deps.reminders.settle_due(
            "follow_up_at", reminder.id, lease_until=lease, next_at=next_at
        )
        return outcomes

    async def _check_ins(self, reminder: Reminder, since: date) -> list[tuple[Member, date]]:
        rows = await self.deps.reminders.check_ins_since(reminder.id, slot_key(since, "00:00"))
        return _dated([(row.user_id, row.name, row.slot) for row in rows])

    async def nudge(self, reminder: Reminder, now: datetime) -> FollowUpOutcome | None:
        zone = load_zone(reminder.timezone)
        today = now.astimezone(zone).date()
        due = nudge_due_at(today, reminder.times, zone)
        if (
            today.weekday() not in reminder.weekdays
            or due is None
            or not due <= now < due + NUDGE_WINDOW
            or reminder.nudged_on == today
        ):
            return None
        sent_today = [
            await self.deps.reminders.sent(reminder.id, slot_key(today, hhmm))
            for hhmm in reminder.times
        ]
        if not any(sent_today):
            return None  # no reminder went out today: nothing to follow up
        check_ins = await self._check_ins(reminder, today - timedelta(days=ACTIVE_DAYS))
        quiet = await self.deps.reminders.quiet_members(reminder.chat_id)
        members = members_to_nudge(check_ins, today, quiet)
        if not members:
            return "nobody"
        if not await self.deps.reminders.mark_done(reminder.id, nudged_on=today):
            return None
        chat = await self.deps.chats.get(reminder.chat_id)
        nudge = Nudge(reminder.chat_id, chat.language if chat else None, members)
        return await self._outcome(reminder, await self.sender.send_nudge(nudge), "nudged")

    async def summary(self, reminder: Reminder, now: datetime) -> FollowUpOutcome | None:
        zone = load_zone(reminder.timezone)
        today = now.astimezone(zone).date()
        due = summary_due_at(today, reminder.times, reminder.weekdays, zone)
        week = iso_week(today)
        if due is None or not due <= now < due + SUMMARY_WINDOW or reminder.summary_week == week:
            return None
        check_ins = await self._check_ins(
            reminder, today - timedelta(days=STREAK_LOOKBACK_DAYS + 7)
        )
        result = week_summary(check_ins, today, reminder.weekdays)
        khatm = await khatm_progress(self.deps, reminder.chat_id)
        if not result.days_read and khatm is None:
            return "nobody"  # a week nobody checked in: no report of zeros
        if not await self.deps.reminders.mark_done(reminder.id, summary_week=week):
            return None
        chat = await self.deps.chats.get(reminder.chat_id)
        summary = Summary(reminder.chat_id, chat.language if chat else None, result, khatm)
        return await self._outcome(
            reminder, await self.sender.send_summary(summary), "summarised"
        )

    async def _outcome(
        self, reminder: Reminder, result: FollowUpResult, done: Literal["nudged", "summarised"]
    ) -> FollowUpOutcome:
        if result == "blocked" and self.on_blocked is not None:
            await self.on_blocked(reminder.chat_id)
        return done if result == "sent" else result
