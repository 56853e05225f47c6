"""Activity days and streaks: reading logged per local day, listed with goal progress, and the
runs of consecutive days that make streaks.

Part of `FakeQuranFoundation`. Logging the same day again adds to its totals (seconds add up,
verse ranges unite); a streak stays current through the day after its last reading day.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final

from sandbox.quran_foundation.errors import ApiError
from sandbox.quran_foundation.formats import parse_date, relay_page
from sandbox.quran_foundation.goals import day_id, day_report, quran_goal
from sandbox.quran_foundation.model import ActivityDay, Answer, Call, UserState
from sandbox.quran_foundation.state import FakeState
from sandbox.quran_foundation.verses import parse_ranges, verses_in

SECONDS_PER_VERSE: Final = 6


class ActivityDays(FakeState):
    def _add_activity_day(self, call: Call) -> Answer:
        body = call.body
        on = call.today
        if "date" in body:
            try:
                on = date.fromisoformat(body["date"])
            except ValueError as error:
                raise ApiError(422, f"{body['date']!r} is not a date") from error
            if on > call.today:
                raise ApiError(422, "date can't be in the future")
        verses = verses_in(parse_ranges(body["ranges"]))
        day = call.user.activity_days.get(on)
        if day is None:
            day = ActivityDay(day_id(call.user, on), on, body["type"], body["mushafId"])
            call.user.activity_days[on] = day
        day.seconds += body["seconds"]
        if not verses:
            day.manually_added_seconds += body["seconds"]
        day.verses |= verses
        day.mushaf_id = body["mushafId"]
        return Answer({"success": True, "data": {}})

    def _list_activity_days(self, call: Call) -> Answer:
        query = call.query
        days = sorted(call.user.activity_days.values(), key=lambda d: d.date)
        if "from" in query:
            days = [d for d in days if d.date >= parse_date(query["from"])]
        if "to" in query:
            days = [d for d in days if d.date <= parse_date(query["to"])]
        if "type" in query:
            days = [d for d in days if d.type == query["type"]]
        if query.get("dateOrderBy", "desc") == "desc":
            days.reverse()
        page, pagination = relay_page(days, lambda d: d.date.isoformat(), query)
        goal = quran_goal(call.user)
        data = [day_report(call.user, goal, d.date, d.mushaf_id) for d in page]
        return Answer({"success": True, "data": data, "pagination": pagination})

    def _estimate_reading_time(self, call: Call) -> Answer:
        verses = verses_in(parse_ranges([call.query["ranges"]]))
        return Answer({"success": True, "data": {"seconds": len(verses) * SECONDS_PER_VERSE}})

    @staticmethod
    def _streak_runs(user: UserState) -> list[tuple[date, date]]:
        dates = sorted(d.date for d in user.activity_days.values() if d.type == "QURAN")
        runs: list[tuple[date, date]] = []
        for day in dates:
            if runs and day == runs[-1][1] + timedelta(days=1):
                runs[-1] = (runs[-1][0], day)
            else:
                runs.append((day, day))
        return runs

    def _list_streaks(self, call: Call) -> Answer:
        query = call.query
        yesterday = call.today - timedelta(days=1)
        runs = self._streak_runs(call.user)
        if "from" in query:
            runs = [r for r in runs if r[1] >= parse_date(query["from"])]
        if "to" in query:
            runs = [r for r in runs if r[0] <= parse_date(query["to"])]
        items: list[dict[str, Any]] = []
        for start, end in runs:
            status = "ACTIVE" if end >= yesterday else "BROKEN"
            if query.get("status", status) != status:
                continue
            item: dict[str, Any] = {"id": day_id(call.user, start).replace("c", "s", 1)}
            if self.contract != "2026-03-29":
                item |= {
                    "startDate": f"{start.isoformat()}T00:00:00.000Z",
                    "endDate": f"{end.isoformat()}T23:59:59.999Z",
                    "type": "QURAN",
                }
            else:
                item |= {"startDate": start.isoformat(), "endDate": end.isoformat()}
            item |= {"status": status, "days": (end - start).days + 1}
            items.append(item)
        if query.get("orderBy", "startDate") == "days":
            items.sort(key=lambda i: (i["days"], i["startDate"]))
        else:
            items.sort(key=lambda i: str(i["startDate"]))
        if query.get("sortOrder", "desc") == "desc":
            items.reverse()
        page, pagination = relay_page(items, lambda i: str(i["id"]), query)
        return Answer({"success": True, "data": page, "pagination": pagination})

    def current_streak_days(self, sub: str, today: date) -> int:
        """The streak the user is on as of `today` (their local date)."""
        for start, end in reversed(self._streak_runs(self.users[sub])):
            if end >= today - timedelta(days=1) and end <= today:
                return (end - start).days + 1
        return 0

    def _current_streak_days(self, call: Call) -> Answer:
        days = self.current_streak_days(call.user.sub, call.today)
        data: Any = [{"days": days}] if self.contract == "2026-03-29" else {"days": days}
        return Answer({"success": True, "data": data})
