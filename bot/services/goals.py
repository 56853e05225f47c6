"""Goals on Quran.com: finding the current goal, setting, deleting and undoing one, and the
record the bot keeps.

QF has no list-goals endpoint, and the 2026-03-29 contract's today's plan has no `goalId`, so
the id from create (with what the goal was) is kept in the user's persisted `user_data` as a
`StoredGoal`. `goalId` (the goal) and the plan's `id` (today's activity-day record) are never
swapped.

The functions that change the record take the user's `user_data` mapping and update it; the
caller persists it at once (the record is the only handle on the goal, see `StoredGoal`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from bot.domain.goals import GoalSpec, GoalType
from bot.domain.reading import new_offer_token
from bot.domain.verses import VerseRange, VerseRangeError
from bot.qf import GoalEstimate, GoalInput, NotFound, TodaysPlan, UserSession
from bot.qf import GoalType as WireGoalType
from bot.services.reader import Reader

logger = logging.getLogger(__name__)

#: `user_data` key of the goal this bot created or last changed (survives restarts: persisted).
GOAL_KEY = "goal"
#: `user_data` key of the offer to undo the last goal set with a one-liner.
UNDO_KEY = "goal_undo"


# ---------------------------------------------------------------------------------------------
# The goal record kept in user_data


@dataclass(frozen=True)
class StoredGoal:
    """A goal as this bot set it: the id QF returned, what it was, and the day it started."""

    id: str | None
    spec: GoalSpec
    mushaf_id: int
    start: date | None = None

    def to_data(self) -> dict[str, Any]:
        """JSON-compatible, for the persisted `user_data`."""
        return {
            "id": self.id,
            "type": self.spec.type.value,
            "amount": self.spec.amount,
            "duration": self.spec.duration_days,
            "mushaf": self.mushaf_id,
            "start": self.start.isoformat() if self.start else None,
        }

    @classmethod
    def from_data(cls, data: Any) -> StoredGoal | None:
        """Tolerant of anything an older version stored: unreadable records count as none."""
        if not isinstance(data, Mapping):
            return None
        try:
            goal_type = GoalType(str(data["type"]))
            amount = data["amount"]
            if goal_type is GoalType.QURAN_RANGE:
                amount = VerseRange.from_key(str(amount)).key
            elif not isinstance(amount, int) or isinstance(amount, bool):
                return None
            duration = data.get("duration")
            if duration is not None and (not isinstance(duration, int) or duration < 1):
                return None
            start_text = data.get("start")
            start = date.fromisoformat(start_text) if isinstance(start_text, str) else None
            goal_id = data.get("id")
            return cls(
                id=str(goal_id) if goal_id else None,
                spec=GoalSpec(goal_type, amount, duration),
                mushaf_id=int(data["mushaf"]),
                start=start,
            )
        except (KeyError, ValueError, TypeError, VerseRangeError):
            return None

    def days_left(self, today: date) -> int | None:
        """Days still to go, today included, for a goal with an end; None for daily goals."""
        if self.spec.duration_days is None or self.start is None:
            return None
        elapsed = (today - self.start).days
        return max(self.spec.duration_days - max(elapsed, 0), 0)


def stored_goal(user_data: Mapping[str, Any] | None) -> StoredGoal | None:
    if not user_data:
        return None
    return StoredGoal.from_data(user_data.get(GOAL_KEY))


def remember_goal(user_data: MutableMapping[str, Any], goal: StoredGoal | None) -> None:
    if goal is None:
        user_data.pop(GOAL_KEY, None)
    else:
        user_data[GOAL_KEY] = goal.to_data()


@dataclass(frozen=True)
class CurrentGoal:
    """The user's goal as far as the bot can tell: its id for PUT/DELETE (never the plan's
    activity-day `id`), our record of it when we made it, and today's plan."""

    goal_id: str | None
    known: StoredGoal | None
    plan: TodaysPlan | None = None

    @property
    def can_change(self) -> bool:
        return self.goal_id is not None


async def find_current_goal(
    session: UserSession, mushaf_id: int, stored: StoredGoal | None
) -> CurrentGoal | None:
    """The active goal from today's plan (trying the three Quran types), or None.

    Production plans carry `goalId`; the 2026-03-29 contract's do not, and then the id we kept
    from create is used if our record has the same type.
    """
    plan = await session.find_todays_plan(mushaf_id)
    if plan is None:
        return None
    known: StoredGoal | None = None
    if stored is not None:
        same_goal = (
            stored.id == plan.goal_id
            if plan.goal_id
            else plan.goal_type is not None and stored.spec.type.value == plan.goal_type.value
        )
        known = stored if same_goal else None
    goal_id = plan.goal_id or (known.id if known else None)
    return CurrentGoal(goal_id=goal_id, known=known, plan=plan)


#: What a goal version looks like on a button: 8 hex digits (`goal_version`).
GOAL_VERSION_PATTERN = r"[0-9a-f]{8}"


def goal_version(current: CurrentGoal) -> str:
    """A short fingerprint of the goal as the bot would show it now: its id, type, amount,
    duration and start day (type and id alone for a goal made elsewhere).

    Buttons that act on a goal (Undo, Delete) carry it, and the press compares it with the
    goal in force: a goal changed since (by the wizard, another one-liner, Quran.com itself,
    on any device) no longer matches, so an old button cannot act on a newer goal. It is
    computed from Quran.com's answer and the persisted record, so it survives restarts.
    """
    known = current.known
    live_type = plan_goal_type(current.plan) if current.plan is not None else None
    parts: tuple[object, ...]
    if known is not None and live_type in (None, known.spec.type):
        spec = known.spec
        parts = (current.goal_id, spec.type.value, spec.amount, spec.duration_days, known.start)
    else:
        parts = (current.goal_id, live_type.value if live_type else None, "made elsewhere")
    text = "|".join(str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def stored_goal_version(goal: StoredGoal) -> str:
    """The version of `goal` right after the bot set it (see `goal_version`), as its
    persisted record will read back at the press."""
    kept = StoredGoal.from_data(goal.to_data()) or goal
    return goal_version(CurrentGoal(goal_id=kept.id, known=kept))


def goal_input(spec: GoalSpec) -> GoalInput:
    return GoalInput(
        type=WireGoalType(spec.type.value), amount=spec.api_amount, duration=spec.duration_days
    )


async def apply_goal(
    session: UserSession,
    spec: GoalSpec,
    mushaf_id: int,
    current: CurrentGoal | None,
    *,
    today: date | None,
) -> StoredGoal:
    """Make `spec` the user's goal, replacing `current` rather than adding a second one.

    PUT changes a goal in place, but it cannot take a goal's end date away (`duration` must be
    ≥ 1 and leaving it out keeps the old one). So turning a goal that has (or may have) an end
    into an open-ended daily goal deletes the old goal and creates the new one. A delete that
    finds nothing (already gone) is fine: retrying after a failed create is then safe.
    """
    body = goal_input(spec)
    if current is None or current.goal_id is None:
        goal_id = await session.create_goal(body, mushaf_id)
        return StoredGoal(goal_id, spec, mushaf_id, today)
    previous_open_ended = current.known is not None and current.known.spec.duration_days is None
    if spec.duration_days is not None or previous_open_ended:
        await session.update_goal(current.goal_id, body, mushaf_id)
        # A PUT with a duration restarts the count of days; a daily goal has none to count.
        return StoredGoal(current.goal_id, spec, mushaf_id, today)
    try:
        await session.delete_goal(current.goal_id)
    except NotFound:
        logger.info("goal to replace was already gone; creating the new one")
    goal_id = await session.create_goal(body, mushaf_id)
    return StoredGoal(goal_id, spec, mushaf_id, today)


def plan_goal_type(plan: TodaysPlan) -> GoalType | None:
    kind = plan.goal_type.value if plan.goal_type else plan.type
    try:
        return GoalType(str(kind))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Use cases: the goal now, setting, confirming, undoing and deleting one


async def current_goal(reader: Reader, user_data: Mapping[str, Any] | None) -> CurrentGoal | None:
    """The reader's goal now, matched with the record kept in their `user_data`."""
    return await find_current_goal(reader.session, reader.mushaf_id, stored_goal(user_data))


def goal_day(reader: Reader, current: CurrentGoal | None) -> date:
    """The day a goal set now starts: today's plan's day (Quran.com's), else the reader's."""
    plan = current.plan if current else None
    return (plan.date if plan else None) or reader.today()


async def estimate_goal(reader: Reader, spec: GoalSpec, mushaf_id: int) -> GoalEstimate:
    """Quran.com's plan for the days ahead if `spec` were the goal, counted in `mushaf_id`."""
    return await reader.session.estimate_goal(
        spec.type.value, spec.api_amount, mushaf_id, spec.duration_days
    )


class GoalChangeOutcome(StrEnum):
    SET = "set"
    #: The current goal was made on Quran.com and its id is unknown: it can't be changed here.
    CANNOT_CHANGE = "cannot_change"
    #: The current goal is one this bot knows nothing about: ask before replacing it.
    ASK_FIRST = "ask_first"


@dataclass(frozen=True)
class GoalChange:
    """What `set_goal` did: the goal it replaced (or found), the new one, the undo offer."""

    outcome: GoalChangeOutcome
    current: CurrentGoal | None
    goal: StoredGoal | None = None
    #: Set when the change can be undone: the token the undo offer is kept under.
    undo_token: str | None = None


async def set_goal(
    reader: Reader,
    spec: GoalSpec,
    user_data: MutableMapping[str, Any],
    *,
    replace_unknown: bool,
) -> GoalChange:
    """Make `spec` the reader's goal (a one-liner such as `/goal 15min`), replacing the current
    one. A goal made elsewhere is only replaced with `replace_unknown` (the user said yes).

    The change can be undone when the bot knows what it replaced (or it replaced nothing).
    Raises QFError.
    """
    current = await current_goal(reader, user_data)
    if current is not None and not current.can_change:
        return GoalChange(GoalChangeOutcome.CANNOT_CHANGE, current)
    if current is not None and current.known is None and not replace_unknown:
        return GoalChange(GoalChangeOutcome.ASK_FIRST, current)
    goal = await apply_goal(
        reader.session, spec, reader.mushaf_id, current, today=goal_day(reader, current)
    )
    remember_goal(user_data, goal)
    previous = current.known if current else None
    token = None
    if current is None or previous is not None:
        token = offer_undo(user_data, goal, previous)
    return GoalChange(GoalChangeOutcome.SET, current, goal, token)


async def confirm_goal(
    reader: Reader,
    spec: GoalSpec,
    mushaf_id: int,
    replacing: CurrentGoal | None,
    user_data: MutableMapping[str, Any],
    *,
    recheck: bool,
) -> StoredGoal:
    """The goal wizard's Confirm: make `spec` the goal in place of `replacing`.

    `recheck` after an attempt that may have been applied (no answer in time): the current goal
    is looked up again rather than a second goal added. If it is then one whose id Quran.com
    does not tell (the 2026-03-29 contract), the goal is taken as saved and the record has no
    id. Raises QFError.
    """
    current = replacing
    if recheck:
        current = await find_current_goal(reader.session, mushaf_id, stored_goal(user_data))
        if current is not None and not current.can_change:
            saved = StoredGoal(None, spec, mushaf_id, goal_day(reader, current))
            remember_goal(user_data, saved)
            return saved
    goal = await apply_goal(
        reader.session, spec, mushaf_id, current, today=goal_day(reader, current)
    )
    remember_goal(user_data, goal)
    return goal


@dataclass(frozen=True)
class UndoOffer:
    """What a one-liner's Undo puts back: the goal before it (None: there was none)."""

    goal_id: str
    goal: StoredGoal
    previous: StoredGoal | None


def offer_undo(
    user_data: MutableMapping[str, Any], goal: StoredGoal, previous: StoredGoal | None
) -> str:
    """Keep what Undo needs (replacing any earlier offer); returns the offer's token, which the
    Undo button carries so that only the latest offer can be taken."""
    token = new_offer_token()
    user_data[UNDO_KEY] = {
        "token": token,
        "goal": goal.to_data(),
        "previous": previous.to_data() if previous else None,
    }
    return token


def pending_undo(user_data: MutableMapping[str, Any], token: str) -> UndoOffer | None:
    """The offer under `token`, or None when it was taken, replaced or is unreadable."""
    undo = user_data.get(UNDO_KEY)
    if not isinstance(undo, dict) or undo.get("token") != token:
        return None
    goal = StoredGoal.from_data(undo.get("goal"))
    if goal is None or goal.id is None:
        user_data.pop(UNDO_KEY, None)
        return None
    return UndoOffer(goal.id, goal, StoredGoal.from_data(undo.get("previous")))


async def undo_goal(
    reader: Reader, offer: UndoOffer, user_data: MutableMapping[str, Any]
) -> StoredGoal | None:
    """Put the previous goal back (or remove the new one when there was none); returns the goal
    now in force. A goal already gone counts as removed. Raises QFError."""
    restored: StoredGoal | None = None
    if offer.previous is None:
        try:
            await reader.session.delete_goal(offer.goal_id)
        except NotFound:
            logger.info("goal to undo was already gone")
    else:
        restored = await apply_goal(
            reader.session, offer.previous.spec, offer.previous.mushaf_id,
            CurrentGoal(goal_id=offer.goal_id, known=offer.goal),
            today=reader.today(),
        )
    user_data.pop(UNDO_KEY, None)
    remember_goal(user_data, restored)
    return restored


class UndoOutcome(StrEnum):
    #: The one-liner's goal was removed (there was none before it).
    REMOVED = "removed"
    #: The goal before the one-liner is back.
    RESTORED = "restored"
    #: The goal changed after the Undo was offered: nothing was done.
    CHANGED = "changed"
    #: The offer was already taken or replaced by a newer one: nothing was done.
    NOTHING = "nothing"


@dataclass(frozen=True)
class UndoResult:
    outcome: UndoOutcome
    restored: StoredGoal | None = None


async def undo_if_unchanged(
    reader: Reader, user_data: MutableMapping[str, Any], token: str, version: str
) -> UndoResult:
    """Undo the one-liner offer `token`, only if the goal in force is still the one the Undo
    was shown for (`version`, see `goal_version`). The concrete case: `/goal 10min` offers
    Undo; the wizard then turns the same goal into a khatm; the old Undo must not delete the
    khatm. Raises QFError."""
    offer = pending_undo(user_data, token)
    if offer is None:
        return UndoResult(UndoOutcome.NOTHING)
    current = await current_goal(reader, user_data)
    if current is None or current.goal_id != offer.goal_id or goal_version(current) != version:
        return UndoResult(UndoOutcome.CHANGED)
    restored = await undo_goal(reader, offer, user_data)
    return UndoResult(UndoOutcome.RESTORED if restored else UndoOutcome.REMOVED, restored)


class DeleteOutcome(StrEnum):
    DELETED = "deleted"
    #: The goal in force is not the one the question named: nothing was deleted.
    CHANGED = "changed"
    #: There is no goal any more.
    NO_GOAL = "no_goal"


async def delete_if_unchanged(
    reader: Reader, user_data: MutableMapping[str, Any], version: str
) -> DeleteOutcome:
    """Delete the goal in force if it is still the one "Delete it?" was asked about
    (`version`). Raises QFError."""
    current = await current_goal(reader, user_data)
    if current is None or current.goal_id is None:
        return DeleteOutcome.NO_GOAL
    if goal_version(current) != version:
        return DeleteOutcome.CHANGED
    await delete_goal(reader, current.goal_id, user_data)
    return DeleteOutcome.DELETED


async def delete_goal(
    reader: Reader, goal_id: str, user_data: MutableMapping[str, Any]
) -> None:
    """Delete the goal on Quran.com (already gone is fine) and forget it here: its record when
    it is the goal we kept, and any offer to undo. Raises QFError."""
    try:
        await reader.session.delete_goal(goal_id)
    except NotFound:
        logger.info("goal to delete was already gone")
    user_data.pop(UNDO_KEY, None)
    known = stored_goal(user_data)
    if known is None or known.id in (None, goal_id):
        remember_goal(user_data, None)
