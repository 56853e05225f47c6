"""When a group's follow-ups are due and what they count: the nudge of members who have not
read yet, and the weekly summary (days read per member, the group's streak).

Pure rules over plain values (check-ins as (user id, local date) pairs), shared by
`bot.services.group_follow_ups` and the tests.

The nudge goes out once a day, `NUDGE_DELAY` after the day's last reminder time (so members had
the evening to read), and never after `NUDGE_LATEST` local time: a mention at midnight helps
nobody. It mentions members who checked in during the last `ACTIVE_DAYS` days ("took part
before") and have not checked in today; people who said /quiet are left out by the service.

The weekly summary goes out once per ISO week, `SUMMARY_DELAY` after the last reminder time of
the group's last reminder weekday (Sunday for a daily reminder). The group's streak is the
number of consecutive reminder days, up to today, on which at least one member checked in; a
reminder day nobody checked in on (yet) today does not break it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.reminders import due_instant

NUDGE_DELAY = timedelta(hours=3)
NUDGE_LATEST = time(22, 30)
#: A nudge that could not go out within this long after it was due is skipped for the day.
NUDGE_WINDOW = timedelta(hours=2)
ACTIVE_DAYS = 14
SUMMARY_DELAY = timedelta(hours=2)
SUMMARY_WINDOW = timedelta(hours=6)
#: How far back the streak is counted (the summary then says "N+ days").
STREAK_LOOKBACK_DAYS = 120
#: Mentions in one nudge (Telegram notifies only a few per message anyway).
MAX_MENTIONS = 20


def nudge_due_at(day: date, times: Iterable[str], zone: ZoneInfo) -> datetime | None:
    """When the nudge of local `day` is due (aware UTC), or None when it would be too late."""
    if not (hhmm := max(times, default=None)):
        return None
    due = due_instant(day, hhmm, zone) + NUDGE_DELAY
    latest = datetime.combine(day, NUDGE_LATEST, tzinfo=zone)
    if due.astimezone(zone) > latest:
        due = latest.astimezone(due.tzinfo)
        if due <= due_instant(day, hhmm, zone):
            return None
    return due


def summary_due_at(
    day: date, times: Iterable[str], weekdays: Iterable[int], zone: ZoneInfo
) -> datetime | None:
    """When this week's summary is due if local `day` is the week's last reminder day."""
    days = list(weekdays)
    hhmm = max(times, default=None)
    if not days or hhmm is None or day.weekday() != max(days):
        return None
    return due_instant(day, hhmm, zone) + SUMMARY_DELAY


def next_follow_up_at(
    times: Sequence[str],
    weekdays: Sequence[int],
    zone: ZoneInfo,
    *,
    nudge: bool,
    summary: bool,
    after: datetime,
    open_windows: bool = False,
) -> datetime | None:
    """When a group's nudge or weekly summary is next due after `after` (None when both are
    off). With `open_windows`, one already due whose window is still open counts too: a change
    of settings must not skip tonight's nudge, while a run that just handled it moves on."""
    if not (nudge or summary) or not times or not weekdays:
        return None
    first_day = after.astimezone(zone).date() - timedelta(days=1)
    found: list[datetime] = []
    for offset in range(9):
        day = first_day + timedelta(days=offset)
        candidates: list[tuple[datetime | None, timedelta]] = []
        if nudge and day.weekday() in weekdays:
            candidates.append((nudge_due_at(day, times, zone), NUDGE_WINDOW))
        if summary:
            candidates.append((summary_due_at(day, times, weekdays, zone), SUMMARY_WINDOW))
        for due, window in candidates:
            if due is not None and (due > after or (open_windows and due + window > after)):
                found.append(due)
    return min(found, default=None)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True, slots=True)
class Member:
    user_id: int
    name: str | None


def members_to_nudge(
    check_ins: Iterable[tuple[Member, date]], today: date, quiet: set[int]
) -> list[Member]:
    """Members who checked in within `ACTIVE_DAYS` before today, not today, not quiet; most
    recent first, each once (with the latest name they checked in with)."""
    since = today - timedelta(days=ACTIVE_DAYS)
    read_today: set[int] = set()
    latest: dict[int, tuple[date, Member]] = {}
    for member, day in check_ins:
        if day == today:
            read_today.add(member.user_id)
        elif since <= day < today:
            seen = latest.get(member.user_id)
            if seen is None or day >= seen[0]:
                latest[member.user_id] = (day, member)
    chosen = [
        (day, member) for user_id, (day, member) in latest.items()
        if user_id not in read_today and user_id not in quiet
    ]
    chosen.sort(key=lambda item: (item[0], item[1].user_id), reverse=True)
    return [member for _, member in chosen]


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """Days read per member in the 7 days up to `last_day` (most first), and the streak."""

    last_day: date
    days_read: list[tuple[Member, int]]
    streak: int
    #: The streak reached the lookback: shown as "N+".
    streak_open_ended: bool


def week_summary(
    check_ins: Iterable[tuple[Member, date]], last_day: date, weekdays: Iterable[int]
) -> WeekSummary:
    reminder_days = set(weekdays)
    first_day = last_day - timedelta(days=6)
    per_member: dict[int, set[date]] = {}
    names: dict[int, Member] = {}
    read_days: set[date] = set()
    for member, day in check_ins:
        read_days.add(day)
        if first_day <= day <= last_day:
            per_member.setdefault(member.user_id, set()).add(day)
            names[member.user_id] = member
    days_read = sorted(
        ((names[user_id], len(days)) for user_id, days in per_member.items()),
        key=lambda item: (-item[1], item[0].name or "", item[0].user_id),
    )
    streak, day, looked = 0, last_day, 0
    if day not in read_days:
        day -= timedelta(days=1)  # today may still be read: it does not break the streak
    while looked < STREAK_LOOKBACK_DAYS:
        if day.weekday() in reminder_days:
            if day not in read_days:
                break
            streak += 1
        day -= timedelta(days=1)
        looked += 1
    return WeekSummary(last_day, days_read, streak, looked >= STREAK_LOOKBACK_DAYS)
