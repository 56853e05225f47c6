"""Schedule maths of reminders: slots in the reminder's zone, DST, weekdays, due times,
catch-up, follow-ups, pacing."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.group_reading import next_follow_up_at
from bot.domain.pacing import SendPacer, jitter_seconds, spread_plan
from bot.domain.reminders import (
    ALL_WEEKDAYS,
    TICK_GRACE,
    Schedule,
    next_due_at,
    parse_slot,
    parse_time,
    parse_weekdays,
    slot_key,
)

NEW_YORK = "America/New_York"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
        ) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_slot_key_is_the_wall_clock_time_in_the_reminders_zone() -> None:
    schedule = Schedule(("21:00",), ALL_WEEKDAYS, "Asia/Riyadh")
    upcoming = schedule.next_after(utc(2026, 11, 23, 12, 0))
    assert upcoming is not None
    assert upcoming.slot == "2026-11-23T21:00"
    assert upcoming.due_at == utc(2026, 11, 23, 18, 0)


def test_weekdays_follow_the_local_date_not_the_utc_one() -> None:
    # Monday 21:00 in Los Angeles is already Tuesday in UTC.
    schedule = Schedule(("21:00",), (0,), "America/Los_Angeles")
    upcoming = schedule.next_after(utc(2026, 11, 23, 12, 0))
    assert upcoming is not None
    assert upcoming.slot == "2026-11-23T21:00"
    assert upcoming.due_at == utc(2026, 11, 24, 5, 0)
    after = schedule.next_after(upcoming.due_at)
    assert after is not None and after.slot == "2026-11-30T21:00"


def test_same_wall_time_in_two_zones_is_two_different_instants() -> None:
    moment = utc(2026, 11, 22, 20, 0)  # before 07:00 on 23 November in both zones
    cairo = Schedule(("07:00",), ALL_WEEKDAYS, "Africa/Cairo").next_after(moment)
    jakarta = Schedule(("07:00",), ALL_WEEKDAYS, "Asia/Jakarta").next_after(moment)
    assert cairo is not None and jakarta is not None
    assert cairo.slot == "2026-11-23T07:00"
    assert jakarta.slot == "2026-11-23T07:00"
    assert cairo.due_at - jakarta.due_at == timedelta(hours=5)


def test_nonexistent_time_in_spring_gap_is_sent_an_hour_later_once() -> None:
    schedule = Schedule(("02:30",), ALL_WEEKDAYS, NEW_YORK)
    found = schedule.occurrences_between(utc(2026, 3, 7, 12, 0), utc(2026, 3, 9, 12, 0))
    assert [o.slot for o in found] == ["2026-03-08T02:30", "2026-03-09T02:30"]
    gap_day = found[0]
    # 02:30 does not exist on 8 March: it goes out at 03:30 EDT (07:30 UTC).
    assert gap_day.due_at == utc(2026, 3, 8, 7, 30)
    assert gap_day.due_at.astimezone(ZoneInfo(NEW_YORK)).strftime("%H:%M") == "03:30"
    assert found[1].due_at == utc(2026, 3, 9, 6, 30)  # 02:30 EDT


def test_ambiguous_time_in_autumn_fold_is_sent_at_its_first_occurrence_only() -> None:
    schedule = Schedule(("01:30",), ALL_WEEKDAYS, NEW_YORK)
    found = schedule.occurrences_between(utc(2026, 10, 31, 12, 0), utc(2026, 11, 1, 12, 0))
    assert [o.slot for o in found] == ["2026-11-01T01:30"]
    assert found[0].due_at == utc(2026, 11, 1, 5, 30)  # 01:30 EDT, not 01:30 EST (06:30 UTC)
    # APScheduler fires again at the second 01:30 (see the next test). By then the slot is an
    # hour old, and even with a longer window it has the same key, so claim_slot refuses it.
    assert schedule.due_now(utc(2026, 11, 1, 6, 30)) is None
    second = schedule.due_now(utc(2026, 11, 1, 6, 30), window=timedelta(hours=2))
    assert second is not None and second.slot == "2026-11-01T01:30"


def test_next_due_time_is_the_next_occurrence_or_an_earlier_snooze() -> None:
    schedule = Schedule(("07:00", "21:00"), ALL_WEEKDAYS, "Africa/Cairo")  # UTC+2
    monday_noon = utc(2026, 11, 23, 10, 0)
    assert next_due_at(schedule, None, monday_noon) == utc(2026, 11, 23, 19, 0)
    assert next_due_at(schedule, None, utc(2026, 11, 23, 19, 0)) == utc(2026, 11, 24, 5, 0)
    snoozed = utc(2026, 11, 23, 12, 30)
    assert next_due_at(schedule, snoozed, monday_noon) == snoozed
    # A snooze still owed (the bot was down when it came) is due at once.
    assert next_due_at(schedule, utc(2026, 11, 23, 9, 0), monday_noon) == utc(2026, 11, 23, 9, 0)
    assert next_due_at(Schedule((), ALL_WEEKDAYS, "UTC"), None, monday_noon) is None


@pytest.mark.parametrize(
    ("hhmm", "start"),
    [("02:30", utc(2026, 3, 7, 12, 0)), ("01:30", utc(2026, 10, 31, 12, 0)),
     ("21:00", utc(2026, 3, 7, 12, 0))],
)
def test_next_due_times_walk_every_slot_across_dst_once(hhmm: str, start: datetime) -> None:
    """Following next_due_at from each due time visits exactly the schedule's slots: the
    spring gap once an hour later, the autumn fold once."""
    schedule = Schedule((hhmm,), ALL_WEEKDAYS, NEW_YORK)
    end = start + timedelta(days=3)
    walked: list[datetime] = []
    moment = start
    while (due := next_due_at(schedule, None, moment)) is not None and due <= end:
        walked.append(due)
        moment = due
    assert walked == [o.due_at for o in schedule.occurrences_between(start, end)]
    assert len(walked) == 3


def test_follow_ups_are_due_at_the_nudge_and_the_weekly_summary() -> None:
    zone = ZoneInfo("Africa/Cairo")
    monday = utc(2026, 11, 23, 10, 0)
    times, days = ("21:00",), ALL_WEEKDAYS
    nudge = next_follow_up_at(times, days, zone, nudge=True, summary=True, after=monday)
    assert nudge == utc(2026, 11, 23, 20, 30)  # capped at 22:30 Cairo
    summary = next_follow_up_at(times, days, zone, nudge=False, summary=True, after=monday)
    assert summary == utc(2026, 11, 29, 21, 0)  # Sunday, two hours after the last reminder
    assert next_follow_up_at(times, days, zone, nudge=False, summary=False, after=monday) is None
    # Inside tonight's nudge window: a settings change keeps it, a finished run moves on.
    inside = utc(2026, 11, 23, 21, 0)
    assert next_follow_up_at(
        times, days, zone, nudge=True, summary=False, after=inside, open_windows=True
    ) == nudge
    assert next_follow_up_at(
        times, days, zone, nudge=True, summary=False, after=inside
    ) == utc(2026, 11, 24, 20, 30)



def test_a_check_a_little_early_or_late_finds_its_slot() -> None:
    schedule = Schedule(("21:00",), ALL_WEEKDAYS, "Africa/Cairo")  # 19:00 UTC in November
    early = schedule.due_now(utc(2026, 11, 23, 18, 59, 30))
    late = schedule.due_now(utc(2026, 11, 23, 19, 59))
    assert early is not None and early.slot == "2026-11-23T21:00"
    assert late is not None and late.slot == "2026-11-23T21:00"
    assert schedule.due_now(utc(2026, 11, 23, 20, 0)) is None  # a full hour late: skipped


def test_catch_up_sends_a_slot_missed_less_than_an_hour_ago() -> None:
    schedule = Schedule(("21:00",), ALL_WEEKDAYS, "Africa/Cairo")
    missed = schedule.due_now(utc(2026, 11, 23, 19, 40), grace=TICK_GRACE)
    assert missed is not None and missed.slot == "2026-11-23T21:00"
    assert schedule.due_now(utc(2026, 11, 23, 20, 5), grace=TICK_GRACE) is None
    assert schedule.due_now(utc(2026, 11, 23, 18, 59), grace=TICK_GRACE) is None  # not yet


def test_catch_up_sends_only_the_latest_missed_slot() -> None:
    schedule = Schedule(("20:15", "20:45"), ALL_WEEKDAYS, "UTC")
    missed = schedule.due_now(utc(2026, 11, 23, 21, 0), grace=TICK_GRACE)
    assert missed is not None and missed.slot == "2026-11-23T20:45"


def test_disabled_weekday_has_no_slot() -> None:
    schedule = Schedule(("21:00",), (4,), "UTC")  # Fridays only
    assert schedule.due_now(utc(2026, 11, 23, 21, 10)) is None  # a Monday
    assert schedule.occurrence_for("2026-11-23T21:00") is None
    friday = schedule.occurrence_for("2026-11-27T21:00")
    assert friday is not None and friday.due_at == utc(2026, 11, 27, 21, 0)
    assert schedule.occurrence_for("2026-11-27T22:00") is None
    assert schedule.occurrence_for("not a slot") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("21:00", "21:00"), ("9:30", "09:30"), ("9.30", "09:30"), ("2130", "21:30"),
     ("930", "09:30"), ("9", "09:00"), ("9pm", "21:00"), ("12am", "00:00"),
     ("12:15 pm", "12:15"), ("٢١:٠٠", "21:00"), ("21h30", "21:30"),
     ("24:00", None), ("21:60", None), ("13pm", None), ("soon", None), ("", None)],
)
def test_parse_time(text: str, expected: str | None) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("daily", [0, 1, 2, 3, 4, 5, 6]), ("mon-fri", [0, 1, 2, 3, 4]), ("sat,sun", [5, 6]),
     ("Fri", [4]), ("fri-mon", [0, 4, 5, 6]), ("الجمعة", [4]), ("mon wed fri", [0, 2, 4]),
     ("someday", None), ("", None)],
)
def test_parse_weekdays(text: str, expected: list[int] | None) -> None:
    assert parse_weekdays(text) == expected


def test_slot_keys_round_trip_and_reject_garbage() -> None:
    assert slot_key(date(2026, 11, 23), "21:00") == "2026-11-23T21:00"
    assert parse_slot("2026-11-23T21:00") == (date(2026, 11, 23), "21:00")
    for bad in ("2026-11-23T24:00", "2026-11-23 21:00", "x", "2026-11-23T21:00:00"):
        with pytest.raises(ValueError):
            parse_slot(bad)


def test_pacer_never_puts_more_than_thirty_sends_in_any_one_second_window() -> None:
    offsets = spread_plan(300)
    assert offsets == sorted(offsets)
    busiest = max(
        sum(1 for other in offsets if start <= other < start + 1.0) for start in offsets
    )
    assert busiest == 30
    # Even arriving up to 25 ms closer together than they left, 31 never share a second.
    assert all(later - earlier >= 1.025 - 1e-9
               for earlier, later in zip(offsets, offsets[30:], strict=False))
    assert min(b - a for a, b in itertools.pairwise(offsets)) >= 0.75 * 1.025 / 30 - 1e-9
    rate = (len(offsets) - 1) / offsets[-1]
    assert rate >= 0.95 * 30


def test_pacer_lets_a_lone_send_through_at_once() -> None:
    pacer = SendPacer(limit=10, window=1.0)
    assert pacer.wait_time(100.0) == 0
    pacer.record(100.0)
    assert pacer.wait_time(100.0) == pytest.approx(0.075)  # the minimum gap
    assert pacer.wait_time(105.0) == 0


def test_pacer_decides_on_real_send_times_so_late_wake_ups_do_not_burst() -> None:
    pacer = SendPacer(limit=10, window=1.0, min_gap=0.02)
    for moment in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        pacer.record(moment)
    # The loop woke everyone late, at 1.5: the window (0.5, 1.5] still holds five sends, so
    # five may leave now, each at least min_gap after the previous one, and no more.
    moment = 1.5
    released: list[float] = []
    while len(released) < 8:
        moment += pacer.wait_time(moment)
        pacer.record(moment)
        released.append(moment)
    assert released[0] == 1.5
    window_of_last = [t for t in released if released[-1] - 1.0 < t <= released[-1]]
    assert len(window_of_last) <= 10
    assert all(b - a >= 0.02 - 1e-9 for a, b in itertools.pairwise(released))


def test_group_jitter_is_stable_and_bounded() -> None:
    values = [jitter_seconds(f"-100{index}|2026-11-23T21:00", 2.0) for index in range(200)]
    assert all(0 <= value < 2.0 for value in values)
    assert len(set(values)) > 150
    assert jitter_seconds("-1001|2026-11-23T21:00", 2.0) == values[1]
    assert jitter_seconds("anything", 0) == 0
