"""The wire models accept every documented shape (production, pre-live, 2026-03-29)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.qf.models import (
    GoalEstimate,
    GoalInput,
    GoalType,
    Note,
    NoteInput,
    NotePage,
    Profile,
    Streak,
    TodaysPlan,
    current_streak_days_from,
    seconds_from,
)


def test_note_input_sends_save_to_qr_with_the_exact_wire_name() -> None:
    wire = NoteInput(body="Reflecting on this verse", ranges=["2:255-2:255"], save_to_qr=True)
    assert wire.to_wire() == {
        "body": "Reflecting on this verse",
        "ranges": ["2:255-2:255"],
        "saveToQR": True,
    }


def test_goal_input_omits_duration_for_a_daily_goal() -> None:
    assert GoalInput(type=GoalType.QURAN_TIME, amount=600).to_wire() == {
        "type": "QURAN_TIME",
        "amount": 600,
        "category": "QURAN",
    }
    assert GoalInput(type="QURAN_RANGE", amount="1:1-114:6", duration=30).to_wire()[
        "duration"
    ] == 30


def test_todays_plan_with_has_goal_and_goal_id_keeps_both_ids_apart() -> None:
    plan = TodaysPlan.model_validate(
        {
            "hasGoal": True,
            "goalId": "goal-1",
            "id": "activity-1",
            "date": "2024-03-01",
            "progress": 0.5,
            "type": "QURAN",
            "dailyTargetSeconds": 600,
            "secondsRead": 300,
            "mushafId": 4,
            "somethingNew": "ignored",
        }
    )
    assert plan.goal_id == "goal-1"
    assert plan.id == "activity-1"
    assert plan.has_active_goal
    assert plan.date == date(2024, 3, 1)
    assert plan.daily_target_seconds == 600


def test_todays_plan_without_has_goal_infers_it_from_the_record() -> None:
    with_record = TodaysPlan.model_validate(
        {"id": "a", "date": "2024-03-01", "progress": 0, "type": "QURAN", "mushafId": 4}
    )
    assert with_record.has_active_goal
    assert with_record.goal_id is None
    assert not TodaysPlan.model_validate({"hasGoal": False}).has_active_goal
    assert not TodaysPlan.model_validate({}).has_active_goal


def test_streak_dates_parse_from_datetimes_and_plain_dates() -> None:
    production = Streak.model_validate(
        {
            "id": "s",
            "startDate": "2023-09-01T00:00:00.000Z",
            "endDate": "2023-09-30T23:59:59.999Z",
            "type": "QURAN",
            "status": "ACTIVE",
            "days": 30,
        }
    )
    drifted = Streak.model_validate(
        {"id": "s", "startDate": "2023-09-01", "endDate": "2023-09-30", "status": "BROKEN",
         "days": 30}
    )
    assert production.start_date == drifted.start_date == date(2023, 9, 1)
    assert production.end_date == drifted.end_date == date(2023, 9, 30)
    assert production.active and not drifted.active
    assert drifted.type is None


def test_current_streak_days_reads_object_list_and_empty_shapes() -> None:
    assert current_streak_days_from({"days": 5}) == 5
    assert current_streak_days_from([{"days": 7}]) == 7
    assert current_streak_days_from([]) == 0
    assert current_streak_days_from(None) == 0


def test_reading_time_estimate_rounds_fractions_up() -> None:
    assert seconds_from(66.8) == 67
    assert seconds_from(60) == 60
    assert seconds_from("n/a") == 0


def test_goal_estimate_days_accept_datetimes_and_mixed_amounts() -> None:
    estimate = GoalEstimate.model_validate(
        {"week": [{"date": "2023-01-21T07:28:13.023Z", "amount": "1:5-1:7"},
                  {"date": "2023-01-22", "amount": 600}]}
    )
    assert [day.date for day in estimate.week] == [date(2023, 1, 21), date(2023, 1, 22)]
    assert [day.amount for day in estimate.week] == ["1:5-1:7", 600]


def test_note_page_exposes_the_next_cursor_only_when_there_is_a_next_page() -> None:
    note = {"id": "n", "createdAt": "2023-01-21T07:28:13.023Z",
            "updatedAt": "2023-01-21T07:28:13.023Z", "body": "A reflection"}
    more = NotePage.model_validate(
        {"notes": [note], "pagination": {"endCursor": "c2", "hasNextPage": True}}
    )
    last = NotePage.model_validate(
        {"notes": [note], "pagination": {"endCursor": "c3", "hasNextPage": False}}
    )
    assert more.next_cursor == "c2"
    assert last.next_cursor is None
    assert more.notes[0].created_at == datetime(2023, 1, 21, 7, 28, 13, 23000, tzinfo=UTC)


def test_note_tolerates_missing_optional_fields() -> None:
    note = Note.model_validate(
        {"id": "n", "createdAt": "2023-01-21T07:28:13Z", "updatedAt": "2023-01-21T07:28:13Z",
         "body": "A reflection"}
    )
    assert note.ranges == []
    assert note.attached_entities == []


def test_profile_display_name_prefers_full_name_then_username() -> None:
    assert Profile.model_validate(
        {"id": "1", "firstName": "Aisha", "lastName": "Khan", "username": "ak"}
    ).display_name == "Aisha Khan"
    assert Profile.model_validate({"id": "1", "username": "ak"}).display_name == "ak"
    assert Profile.model_validate({"id": "1"}).display_name is None
