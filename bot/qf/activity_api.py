"""Reading activity on Quran.com: crediting activity days, reading-time estimates, streaks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from cachetools import TTLCache

from bot.qf.models import ActivityDay, Streak, current_streak_days_from, seconds_from
from bot.qf.user_api import UserApi
from bot.qf.wire import envelope_data, parse_model

#: Quran.com estimates reading time from the average speed it observes across its readers, not
#: from the user, so the same verses get the same answer for everyone: one answer serves every
#: member crediting a group's portion of the day, or every reader of al-Kahf on a Friday, and
#: their credit waits for one round trip less. A day is short next to how slowly an average
#: moves; the bound keeps memory flat.
ESTIMATES_KEPT_SECONDS = 24 * 3600
ESTIMATES_KEPT = 4096


def reading_time_estimates() -> TTLCache[str, int]:
    """The process's remembered estimates, by ranges (one per `QuranFoundationClient`)."""
    return TTLCache(maxsize=ESTIMATES_KEPT, ttl=ESTIMATES_KEPT_SECONDS)


class ActivityApi(UserApi):
    """The `/v1/activity-days` and `/v1/streaks` operations of one user (type QURAN)."""

    async def add_activity_day(
        self,
        ranges: Sequence[str],
        seconds: int,
        mushaf_id: int,
        date: dt.date | None = None,
    ) -> None:
        """Credit reading. Never retried after an ambiguous failure (credit could double): the
        `QFTimeout`/`QFConnectionError` with `ambiguous=True` reaches the caller."""
        wire: dict[str, Any] = {
            "type": "QURAN",
            "seconds": max(1, int(seconds)),
            "ranges": list(ranges),
            "mushafId": mushaf_id,
        }
        if date is not None:
            wire["date"] = date.isoformat()
        await self._write("POST", "/v1/activity-days", json=wire, zoned=True)

    async def list_activity_days(self, from_date: dt.date, to_date: dt.date) -> list[ActivityDay]:
        params: dict[str, Any] = {
            "from": from_date.isoformat(), "to": to_date.isoformat(), "type": "QURAN",
            "first": 20,
        }
        return [
            parse_model(ActivityDay, item) for item in await self._relay_pages("/v1/activity-days",
                                                                           params)
        ]

    async def estimate_reading_time(self, ranges: Sequence[str]) -> int:
        """Seconds an average reader needs for `ranges`, rounded up (remembered for a day:
        see `ESTIMATES_KEPT_SECONDS`)."""
        wire_ranges = ",".join(ranges)
        remembered = self._client.reading_time_estimates.get(wire_ranges)
        if remembered is not None:
            return remembered
        payload = await self._get(
            "/v1/activity-days/estimate-reading-time", {"ranges": wire_ranges}
        )
        data = envelope_data(payload)
        seconds = seconds_from(data.get("seconds") if isinstance(data, dict) else None)
        self._client.reading_time_estimates[wire_ranges] = seconds
        return seconds

    async def list_streaks(self, *, status: str | None = None) -> list[Streak]:
        params: dict[str, Any] = {"type": "QURAN", "first": 20}
        if status:
            params["status"] = status
        items = await self._relay_pages("/v1/streaks", params, zoned=True)
        return [parse_model(Streak, item) for item in items]

    async def current_streak_days(self) -> int:
        payload = await self._get(
            "/v1/streaks/current-streak-days", {"type": "QURAN"}, zoned=True
        )
        return current_streak_days_from(envelope_data(payload))
