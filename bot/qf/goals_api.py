"""Reading goals on Quran.com: create, read today's plan, update, delete, estimate.

Every goal operation is zoned (`x-timezone`): QF decides what "today" is from it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.qf.errors import BadRequest, InvalidResponse, Unprocessable
from bot.qf.models import QURAN_GOAL_TYPES, GoalEstimate, GoalInput, GoalType, TodaysPlan
from bot.qf.user_api import UserApi
from bot.qf.wire import envelope_data, parse_model, path_segment

log = logging.getLogger(__name__)


class GoalsApi(UserApi):
    """The `/v1/goals` operations of one user."""

    async def create_goal(self, goal: GoalInput, mushaf_id: int) -> str:
        payload = await self._write(
            "POST", "/v1/goals", params={"mushafId": mushaf_id}, json=goal.to_wire(), zoned=True
        )
        data = envelope_data(payload)
        goal_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(goal_id, str | int) or goal_id == "":
            raise InvalidResponse(None, "invalid_response", "goal created without an id")
        return str(goal_id)

    async def todays_plan(self, goal_type: GoalType | str, mushaf_id: int) -> TodaysPlan:
        kind = GoalType(goal_type)
        payload = await self._get(
            "/v1/goals/get-todays-plan", {"type": kind.value, "mushafId": mushaf_id}, zoned=True
        )
        plan = parse_model(TodaysPlan, envelope_data(payload) or {})
        return plan.model_copy(update={"goal_type": kind})

    async def find_todays_plan(self, mushaf_id: int) -> TodaysPlan | None:
        """Today's plan of whichever Quran goal the user has (one made on Quran.com has an
        unknown type, and the endpoint needs one), or None without a goal.

        The three types are asked side by side: one round trip instead of up to three, which is
        what a user waits for on every /goal, /today and /read. A type the server refuses (400,
        422) is simply not the user's; any other failure is raised, the first type's first.
        """
        answers = await asyncio.gather(
            *(self.todays_plan(kind, mushaf_id) for kind in QURAN_GOAL_TYPES),
            return_exceptions=True,
        )
        for kind, answer in zip(QURAN_GOAL_TYPES, answers, strict=True):
            if isinstance(answer, BadRequest | Unprocessable):
                log.info("today's plan for %s refused: %s", kind.value, answer.code)
            elif isinstance(answer, BaseException):
                raise answer
        for answer in answers:
            if isinstance(answer, TodaysPlan) and answer.has_active_goal:
                return answer
        return None

    async def update_goal(self, goal_id: str, goal: GoalInput, mushaf_id: int) -> None:
        await self._write(
            "PUT", f"/v1/goals/{path_segment(goal_id)}", params={"mushafId": mushaf_id},
            json=goal.to_wire(), zoned=True,
        )

    async def delete_goal(self, goal_id: str, category: str = "QURAN") -> None:
        await self._write(
            "DELETE", f"/v1/goals/{path_segment(goal_id)}", params={"category": category},
            zoned=True,
        )

    async def estimate_goal(
        self,
        goal_type: GoalType | str,
        amount: int | str,
        mushaf_id: int,
        duration: int | None = None,
    ) -> GoalEstimate:
        params: dict[str, Any] = {
            "type": GoalType(goal_type).value, "amount": amount, "mushafId": mushaf_id,
        }
        if duration is not None:
            params["duration"] = duration
        payload = await self._get("/v1/goals/estimate", params, zoned=True)
        return parse_model(GoalEstimate, envelope_data(payload) or {})
