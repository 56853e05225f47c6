"""Goals: one Quran goal per account (time, pages or a range), today's plan, estimates, and
how a day's reading measures up against the goal.

Part of `FakeQuranFoundation`. The day report is shared with the activity-days listing, which
shows the same progress fields.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date, timedelta
from typing import Any, Final

from sandbox.quran_foundation.errors import ApiError
from sandbox.quran_foundation.formats import new_id
from sandbox.quran_foundation.model import Answer, Call, Goal, UserState
from sandbox.quran_foundation.state import FakeState
from sandbox.quran_foundation.verses import format_range, format_ranges, parse_range

PAGES_PER_VERSE: Final = 604 / 6236


class Goals(FakeState):
    def _create_goal(self, call: Call) -> Answer:
        body = call.body
        _check_goal_amount(body["type"], body["amount"])
        if body["category"] != "QURAN":
            raise ApiError(422, "Quran goal types belong to the QURAN category")
        if any(g.category == body["category"] for g in call.user.goals.values()):
            raise ApiError(422, f"a {body['category']} goal already exists; update or delete it")
        goal = Goal(
            id=new_id(),
            type=body["type"],
            amount=body["amount"],
            duration=body.get("duration"),
            category=body["category"],
            mushaf_id=int(call.query["mushafId"]),
            start_date=call.today,
        )
        call.user.goals[goal.id] = goal
        return Answer({"success": True, "data": {"id": goal.id}})

    def _update_goal(self, call: Call) -> Answer:
        goal = call.user.goals.get(call.path_params["id"])
        if goal is None:
            raise ApiError(404, "goal not found")
        body = call.body or {}
        goal_type = body.get("type", goal.type)
        amount = body.get("amount", goal.amount)
        _check_goal_amount(goal_type, amount)
        goal.type, goal.amount = goal_type, amount
        if "duration" in body:
            goal.duration = body["duration"]
            goal.start_date = call.today
        goal.mushaf_id = int(call.query["mushafId"])
        return Answer({"success": True, "data": {}})

    def _delete_goal(self, call: Call) -> Answer:
        goal = call.user.goals.get(call.path_params["id"])
        if goal is None or goal.category != call.query["category"]:
            raise ApiError(404, "goal not found")
        del call.user.goals[goal.id]
        return Answer({"success": True, "data": {"message": "goal deleted"}})

    def _todays_plan(self, call: Call) -> Answer:
        goal = quran_goal(call.user)
        if goal is None or goal.type != call.query["type"]:
            return Answer({"success": True, "data": {"hasGoal": False}})
        mushaf_id = int(call.query.get("mushafId", goal.mushaf_id))
        report = day_report(call.user, goal, call.today, mushaf_id)
        if self.contract != "2026-03-29":
            data = {"hasGoal": True, "goalId": goal.id, **report}
        else:
            data = {"hasGoal": True, **report}
        return Answer({"success": True, "data": data})

    def _estimate_goal(self, call: Call) -> Answer:
        goal_type = call.query["type"]
        raw_amount = call.query["amount"]
        duration = int(call.query["duration"]) if "duration" in call.query else None
        amount: int | str = int(raw_amount) if raw_amount.isdigit() else raw_amount
        _check_goal_amount(goal_type, amount)
        week: list[dict[str, Any]] = []
        if isinstance(amount, str):
            goal = Goal("", goal_type, amount, duration, "QURAN", 0, call.today)
            for offset in range(min(duration or 1, 7)):
                day = call.today + timedelta(days=offset)
                verses = _range_goal_slice(goal, day)
                if not verses:
                    break
                week.append(
                    {"date": _day_start(day), "amount": format_range(min(verses), max(verses))}
                )
        else:
            for offset in range(min(duration or 7, 7)):
                week.append(
                    {"date": _day_start(call.today + timedelta(days=offset)), "amount": amount}
                )
        return Answer({"success": True, "data": {"week": week}})


# --------------------------------------------------------------------------------------------
# How a day measures up against the goal


def _check_goal_amount(goal_type: str, amount: Any) -> None:
    if goal_type == "QURAN_RANGE":
        if not isinstance(amount, str):
            raise ApiError(422, "a QURAN_RANGE goal needs a verse range amount")
        parse_range(amount)
    elif goal_type in ("QURAN_TIME", "QURAN_PAGES"):
        if not isinstance(amount, int):
            raise ApiError(422, f"a {goal_type} goal needs an integer amount")
    else:
        raise ApiError(422, f"the fake supports Quran goals only, not {goal_type}")


def quran_goal(user: UserState) -> Goal | None:
    return next((g for g in user.goals.values() if g.category == "QURAN"), None)


def _range_goal_slice(goal: Goal, on: date) -> set[int]:
    """The verses a range goal asks for on day `on` (the range spread evenly over its days)."""
    assert isinstance(goal.amount, str)
    start, end = parse_range(goal.amount)
    days = goal.duration or 1
    per_day = math.ceil((end - start + 1) / days)
    day_index = min(max((on - goal.start_date).days, 0), days - 1)
    first = start + day_index * per_day
    return set(range(first, min(end, first + per_day - 1) + 1))


def day_report(user: UserState, goal: Goal | None, on: date, mushaf_id: int) -> dict[str, Any]:
    day = user.activity_days.get(on)
    verses = day.verses if day else set()
    seconds = day.seconds if day else 0
    pages = round(len(verses) * PAGES_PER_VERSE, 4)
    report: dict[str, Any] = {
        "id": day.id if day else day_id(user, on),
        "date": on.isoformat(),
        "progress": 0,
        "type": "QURAN",
        "ranges": format_ranges(verses),
        "pagesRead": pages,
        "secondsRead": seconds,
        "versesRead": len(verses),
        "manuallyAddedSeconds": day.manually_added_seconds if day else 0,
        "mushafId": mushaf_id,
    }
    if goal is None:
        return report
    progress: float
    if goal.type == "QURAN_TIME":
        assert isinstance(goal.amount, int)
        report["dailyTargetSeconds"] = goal.amount
        progress = seconds / goal.amount
    elif goal.type == "QURAN_PAGES":
        assert isinstance(goal.amount, int)
        report["dailyTargetPages"] = goal.amount
        progress = pages / goal.amount
    else:
        target = _range_goal_slice(goal, on)
        remaining = target - verses
        report["dailyTargetRanges"] = format_ranges(target)
        report["remainingDailyTargetRanges"] = format_ranges(remaining)
        progress = 1 - len(remaining) / len(target) if target else 1
    report["progress"] = round(min(max(progress, 0.0), 1.0), 4)
    return report


def day_id(user: UserState, on: date) -> str:
    """Activity-day ids are stable per date even before any reading is logged that day."""
    digest = hashlib.sha256(f"{user.sub}|{on.isoformat()}".encode()).hexdigest()
    return "c" + digest[:24]


def _day_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00.000Z"
