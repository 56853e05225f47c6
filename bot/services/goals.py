"""Goals on Quran.com: finding the current goal, applying one, and the record the bot keeps.

QF has no list-goals endpoint, and the 2026-03-29 contract's today's plan has no `goalId`, so
the id from create (with what the goal was) is kept in the user's persisted `user_data` as a
`StoredGoal`. `goalId` (the goal) and the plan's `id` (today's activity-day record) are never
swapped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.goals import (
    GoalSpec,
    GoalType,
)
from bot.domain.verses import (
    VerseRange,
    VerseRangeError,
)
from bot.qf import (
    GoalInput,
    NotFound,
    TodaysPlan,
    UserSession,
)
from bot.qf import GoalType as WireGoalType

logger = logging.getLogger(__name__)

#: `user_data` key of the goal this bot created or last changed (survives restarts: persisted).
GOAL_KEY = "goal"


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
