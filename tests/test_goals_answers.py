"""The goal wizard's typed answers (bot.domain.goal_answers), without Telegram."""

from __future__ import annotations

import pytest

from bot.domain.goal_answers import (
    parse_day_count,
    parse_kind_answer,
    parse_minutes_answer,
    parse_mushaf_answer,
    parse_pages_answer,
    parse_range_answer,
    parse_schedule_answer,
)
from bot.domain.goals import GoalInputError, GoalSpec, GoalType
from bot.i18n import get_translator

EN = get_translator("en")


# --- wizard answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"), [("15", 900), ("١٥", 900), ("15min", 900), ("1h30", 5400)]
)
def test_minutes_answer(text: str, seconds: int) -> None:
    assert parse_minutes_answer(text) == seconds


@pytest.mark.parametrize(("text", "code"), [("0", "time_zero"), ("0 min", "time_zero"),
                                            ("1500", "time_too_long")])
def test_minutes_answer_boundaries(text: str, code: str) -> None:
    with pytest.raises(GoalInputError) as caught:
        parse_minutes_answer(text)
    assert caught.value.code == code


def test_pages_answer_respects_the_mushaf() -> None:
    assert parse_pages_answer("604", 2) == 604
    assert parse_pages_answer("1 juz", 7) == 18
    with pytest.raises(GoalInputError) as too_many:
        parse_pages_answer("605", 2)
    assert too_many.value.code == "pages_too_many"
    with pytest.raises(GoalInputError) as too_many_16_lines:
        parse_pages_answer("549", 7)
    assert too_many_16_lines.value.params["page_count"] == 548
    with pytest.raises(GoalInputError) as zero:
        parse_pages_answer("0", 2)
    assert zero.value.code == "pages_zero"


def test_range_answer_takes_one_range_and_optional_days() -> None:
    assert parse_range_answer("Al-Mulk") == GoalSpec(GoalType.QURAN_RANGE, "67:1-67:30")
    assert parse_range_answer("2:1-2:286 in 30 days").duration_days == 30
    assert parse_range_answer("khatm").amount == "1:1-114:6"
    with pytest.raises(GoalInputError) as reversed_range:
        parse_range_answer("2:10-2:1")
    assert reversed_range.value.cause is not None
    assert reversed_range.value.cause.code == "reversed"
    with pytest.raises(GoalInputError) as several:
        parse_range_answer("2:1-2:5, 3:1-3:5")
    assert several.value.code == "range_multiple"


@pytest.mark.parametrize(("text", "days"), [("30", 30), ("30 days", 30), ("6 weeks", 42),
                                            ("2 months", 60), ("٣٠", 30)])
def test_day_count(text: str, days: int) -> None:
    assert parse_day_count(text) == days


@pytest.mark.parametrize(("text", "code"), [("0", "duration_zero"), ("4000", "duration_too_long"),
                                            ("soon", "syntax")])
def test_day_count_boundaries(text: str, code: str) -> None:
    with pytest.raises(GoalInputError) as caught:
        parse_day_count(text)
    assert caught.value.code == code


# --- typed answers at the wizard's button steps ------------------------------------------------


@pytest.mark.parametrize(("text", "days"), [("every day", None), ("Daily", None),
                                            ("يومياً", None), ("30", 30), ("6 weeks", 42)])
def test_schedule_answer(text: str, days: int | None) -> None:
    assert parse_schedule_answer(text) == days


def test_schedule_answer_that_is_neither_is_a_syntax_error() -> None:
    with pytest.raises(GoalInputError) as caught:
        parse_schedule_answer("whenever")
    assert caught.value.code == "syntax"


@pytest.mark.parametrize(
    ("text", "mushaf_id"),
    [("7", 7), ("8", 11), ("19", 19), ("uthmani", 4), ("IndoPak, 16 lines", 7),
     ("indopak 16", 7), ("KFGQPC", 5), ("hafs", None), ("tajweed", None), ("12", None),
     ("0", None), ("", None)],
)
def test_mushaf_answer_by_place_id_or_name(text: str, mushaf_id: int | None) -> None:
    assert parse_mushaf_answer(text, EN) == mushaf_id


@pytest.mark.parametrize(("text", "kind"), [("time", GoalType.QURAN_TIME),
                                            ("Pages", GoalType.QURAN_PAGES),
                                            ("verses", GoalType.QURAN_RANGE), ("hello", None)])
def test_kind_answer(text: str, kind: GoalType | None) -> None:
    assert parse_kind_answer(text) == kind
