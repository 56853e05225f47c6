"""The /goal domain: parsing goal commands, presets, summaries, progress bars, mushafs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.goals import (
    DAY_SECONDS,
    MAX_DURATION_DAYS,
    GoalInputError,
    GoalSpec,
    GoalType,
    goal_presets,
    juz_count,
    parse_duration_seconds,
    parse_goal_command,
    preset_by_key,
)
from bot.domain.mushafs import (
    DEFAULT_MUSHAF_ID,
    MUSHAF_IDS,
    is_valid_mushaf,
    mushaf_name,
    page_count,
    pages_per_juz,
)
from bot.i18n import get_translator
from bot.presentation.goals import describe_goal, format_duration, progress_bar

EN = get_translator("en")
AR = get_translator("ar")


# --------------------------------------------------------------------------------------------
# Mushafs


def test_the_nine_quran_foundation_mushafs_are_known_with_their_page_counts() -> None:
    assert MUSHAF_IDS == (1, 2, 3, 4, 5, 6, 7, 11, 19)
    assert {mushaf_id: page_count(mushaf_id) for mushaf_id in MUSHAF_IDS} == {
        1: 604, 2: 604, 3: 604, 4: 604, 5: 604, 6: 610, 7: 548, 11: 604, 19: 604,
    }
    assert is_valid_mushaf(DEFAULT_MUSHAF_ID)
    assert not is_valid_mushaf(8)


def test_unknown_mushaf_falls_back_to_quran_coms_default_page_count_and_a_plain_name() -> None:
    assert page_count(17) == 604
    assert mushaf_name(17, EN) == "Mushaf 17"
    assert mushaf_name(7, EN) == "IndoPak, 16 lines"


def test_a_juz_is_about_twenty_pages_except_in_the_short_indopak_print() -> None:
    assert pages_per_juz(1) == 20
    assert pages_per_juz(6) == 20
    assert pages_per_juz(7) == 18


# --------------------------------------------------------------------------------------------
# Parsing /goal


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("15min", GoalSpec(GoalType.QURAN_TIME, 900)),
        ("15 min", GoalSpec(GoalType.QURAN_TIME, 900)),
        ("15 minutes", GoalSpec(GoalType.QURAN_TIME, 900)),
        ("15 minutes a day", GoalSpec(GoalType.QURAN_TIME, 900)),
        ("15 min/day", GoalSpec(GoalType.QURAN_TIME, 900)),
        ("1h", GoalSpec(GoalType.QURAN_TIME, 3600)),
        ("1 hour 30 min", GoalSpec(GoalType.QURAN_TIME, 5400)),
        ("1h30", GoalSpec(GoalType.QURAN_TIME, 5400)),
        ("1.5 hours", GoalSpec(GoalType.QURAN_TIME, 5400)),
        ("half an hour", GoalSpec(GoalType.QURAN_TIME, 1800)),
        ("24h", GoalSpec(GoalType.QURAN_TIME, DAY_SECONDS)),
        ("١٥ دقيقة", GoalSpec(GoalType.QURAN_TIME, 900)),
        ("ساعة", GoalSpec(GoalType.QURAN_TIME, 3600)),
        ("ساعة ونصف", GoalSpec(GoalType.QURAN_TIME, 5400)),
        ("10 min for 2 weeks", GoalSpec(GoalType.QURAN_TIME, 600, 14)),
        ("2 pages", GoalSpec(GoalType.QURAN_PAGES, 2)),
        ("2p", GoalSpec(GoalType.QURAN_PAGES, 2)),
        ("a page daily", GoalSpec(GoalType.QURAN_PAGES, 1)),
        ("٣ صفحات", GoalSpec(GoalType.QURAN_PAGES, 3)),
        ("juz", GoalSpec(GoalType.QURAN_PAGES, 20)),
        ("1 juz", GoalSpec(GoalType.QURAN_PAGES, 20)),
        ("2 juz a day", GoalSpec(GoalType.QURAN_PAGES, 40)),
        ("جزء", GoalSpec(GoalType.QURAN_PAGES, 20)),
        ("1:1-114:6 in 30 days", GoalSpec(GoalType.QURAN_RANGE, "1:1-114:6", 30)),
        ("2:1-2:286 30d", GoalSpec(GoalType.QURAN_RANGE, "2:1-2:286", 30)),
        ("Al-Baqarah in 2 months", GoalSpec(GoalType.QURAN_RANGE, "2:1-2:286", 60)),
        ("khatm 30", GoalSpec(GoalType.QURAN_RANGE, "1:1-114:6", 30)),
        ("khatm in 60 days", GoalSpec(GoalType.QURAN_RANGE, "1:1-114:6", 60)),
        ("khatm", GoalSpec(GoalType.QURAN_RANGE, "1:1-114:6", 30)),
        ("ختم في ٦٠ يوم", GoalSpec(GoalType.QURAN_RANGE, "1:1-114:6", 60)),
        ("mulk", GoalSpec(GoalType.QURAN_RANGE, "67:1-67:30")),
        ("Surah Al-Mulk every day", GoalSpec(GoalType.QURAN_RANGE, "67:1-67:30")),
        ("الكهف", GoalSpec(GoalType.QURAN_RANGE, "18:1-18:110")),
        ("2:1-2:100, 2:101-2:286 in 10 days", GoalSpec(GoalType.QURAN_RANGE, "2:1-2:286", 10)),
    ],
)
def test_goal_commands_parse_to_specs(args: str, expected: GoalSpec) -> None:
    assert parse_goal_command(args) == expected


def test_juz_goal_follows_the_users_mushaf() -> None:
    assert parse_goal_command("1 juz", mushaf_id=7) == GoalSpec(GoalType.QURAN_PAGES, 18)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("0 min", "time_zero"),
        ("0h", "time_zero"),
        ("25 hours", "time_too_long"),
        ("24h 1min", "time_too_long"),
        ("0 pages", "pages_zero"),
        ("0 juz", "pages_zero"),
        ("605 pages", "pages_too_many"),
        ("2:286-2:1", "range"),
        ("2:300", "range"),
        ("mulkh in 3 days", "range"),
        ("2:1-2:5, 3:1-3:5", "range_multiple"),
        ("khatm 0", "duration_zero"),
        ("mulk in 0 days", "duration_zero"),
        ("khatm 3651", "duration_too_long"),
        ("15 min for 3651 days", "duration_too_long"),
        ("15", "missing_unit"),
        ("hello there", "syntax"),
        ("30 days", "syntax"),
    ],
)
def test_bad_goal_commands_are_refused_with_a_code(args: str, code: str) -> None:
    with pytest.raises(GoalInputError) as caught:
        parse_goal_command(args)
    assert caught.value.code == code


def test_too_many_pages_depends_on_the_mushaf() -> None:
    assert parse_goal_command("600 pages").amount == 600
    with pytest.raises(GoalInputError) as caught:
        parse_goal_command("600 pages", mushaf_id=7)
    assert caught.value.params == {"pages": 600, "page_count": 548}
    assert "548" in caught.value.describe(EN)


def test_range_errors_carry_the_verse_message() -> None:
    with pytest.raises(GoalInputError) as caught:
        parse_goal_command("2:286-2:1 in 10 days")
    assert caught.value.cause is not None and caught.value.cause.code == "reversed"
    assert "put the earlier verse first" in caught.value.describe(EN)
    with pytest.raises(GoalInputError) as caught:
        parse_goal_command("mulkh")
    # A near miss of a surah name is answered with the surah's name, not a generic error.
    assert "Al-Mulk" in caught.value.describe(EN)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_goal_error_describes_itself_without_placeholders(language: str) -> None:
    t = get_translator(language)
    for args in ("", "0 min", "25h", "0 pages", "700 pages", "2:300", "2:1, 3:1", "khatm 0",
                 "khatm 4000", "15", "<b>x</b>", "1:1 in 5000 days"):
        with pytest.raises(GoalInputError) as caught:
            parse_goal_command(args)
        message = caught.value.describe(t)
        assert message and "{" not in message and "<b>" not in message


def test_duration_parser_shared_with_read() -> None:
    assert parse_duration_seconds("15min") == 900
    assert parse_duration_seconds("90s") == 90
    assert parse_duration_seconds("2m30") == 150
    assert parse_duration_seconds("1 hour and 5 minutes") == 3900
    assert parse_duration_seconds("30 hours", maximum=None) == 30 * 3600
    for text, code in (("abc", "time_syntax"), ("0s", "time_zero"), ("25h", "time_too_long"),
                       ("15", "time_syntax"), ("15 parsecs", "time_syntax")):
        with pytest.raises(GoalInputError) as caught:
            parse_duration_seconds(text)
        assert caught.value.code == code


@settings(max_examples=500, deadline=None)
@given(
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from(["{h}h{m}m", "{h} hours {m} minutes", "{h}h {m}min", "{h} hr and {m} mins"]),
)
def test_any_written_hours_and_minutes_add_up(hours: int, minutes: int, template: str) -> None:
    text = template.format(h=hours, m=minutes)
    expected = hours * 3600 + minutes * 60
    if expected == 0:
        with pytest.raises(GoalInputError):
            parse_duration_seconds(text)
    else:
        assert parse_duration_seconds(text) == expected


# --------------------------------------------------------------------------------------------
# Presets and what the API receives


def test_presets_match_quran_coms_suggestions() -> None:
    presets = {preset.key: preset for preset in goal_presets()}
    assert presets["time10"].spec == GoalSpec(GoalType.QURAN_TIME, 600)
    assert presets["khatm30"].spec == GoalSpec(GoalType.QURAN_RANGE, "1:1-114:6", 30)
    assert presets["juz"].spec == GoalSpec(GoalType.QURAN_PAGES, 20)
    assert presets["mulk"].spec == GoalSpec(GoalType.QURAN_RANGE, "67:1-67:30")
    juz_in_sixteen_line_indopak = preset_by_key("juz", 7)
    assert juz_in_sixteen_line_indopak is not None
    assert juz_in_sixteen_line_indopak.spec.amount == 18
    assert preset_by_key("nope") is None


def test_api_amount_has_the_type_the_api_expects() -> None:
    assert GoalSpec(GoalType.QURAN_TIME, 900).api_amount == 900
    assert GoalSpec(GoalType.QURAN_PAGES, 2).api_amount == 2
    assert GoalSpec(GoalType.QURAN_RANGE, "2:1-2:286", 30).api_amount == "2:1-2:286"
    assert GoalSpec(GoalType.QURAN_RANGE, "2:255").api_amount == "2:255-2:255"
    assert GoalType.QURAN_PAGES == "QURAN_PAGES"


# --------------------------------------------------------------------------------------------
# Saying it back


@pytest.mark.parametrize(
    ("spec", "summary"),
    [
        (GoalSpec(GoalType.QURAN_TIME, 900), "15 minutes a day"),
        (GoalSpec(GoalType.QURAN_TIME, 5400), "1 hour and 30 minutes a day"),
        (GoalSpec(GoalType.QURAN_TIME, 60, 7), "1 minute a day for 7 days"),
        (GoalSpec(GoalType.QURAN_PAGES, 1), "1 page a day"),
        (GoalSpec(GoalType.QURAN_PAGES, 20), "20 pages a day"),
        (GoalSpec(GoalType.QURAN_RANGE, "1:1-114:6", 30), "Finish the whole Quran in 30 days"),
        (GoalSpec(GoalType.QURAN_RANGE, "67:1-67:30"), "Read Surah Al-Mulk every day"),
        (GoalSpec(GoalType.QURAN_RANGE, "2:1-2:40", 1), "Finish 2:1–40 in 1 day"),
    ],
)
def test_describe_goal_summarises_in_words(spec: GoalSpec, summary: str) -> None:
    assert describe_goal(spec, EN) == summary


def test_describe_goal_isolates_verse_keys_and_uses_arabic_digits_in_arabic() -> None:
    text = describe_goal(GoalSpec(GoalType.QURAN_RANGE, "2:1-2:40", 3), AR)
    assert "\u2066٢:١–٤٠\u2069" in text
    assert "٣" in text


def test_format_duration_lists_every_unit() -> None:
    assert format_duration(3725, EN) == "1 hour, 2 minutes and 5 seconds"
    assert format_duration(45, EN) == "45 seconds"
    assert format_duration(0, EN) == "0 seconds"


@pytest.mark.parametrize(
    ("fraction", "bar"),
    [
        (0.0, "▱▱▱▱▱▱▱▱▱▱ 0%"),
        (0.3, "▰▰▰▱▱▱▱▱▱▱ 30%"),
        (0.999, "▰▰▰▰▰▰▰▰▰▱ 99%"),
        (1.0, "▰▰▰▰▰▰▰▰▰▰ 100%"),
        (1.7, "▰▰▰▰▰▰▰▰▰▰ 100%"),
        (-0.5, "▱▱▱▱▱▱▱▱▱▱ 0%"),
        (float("nan"), "▱▱▱▱▱▱▱▱▱▱ 0%"),
    ],
)
def test_progress_bar_is_only_full_when_the_goal_is_met(fraction: float, bar: str) -> None:
    assert progress_bar(fraction) == bar


def test_progress_bar_width_and_arabic_digits_and_percent_sign() -> None:
    assert progress_bar(0.5, width=4) == "▰▰▱▱ 50%"
    assert progress_bar(0.5, width=4, t=AR) == "▰▰▱▱ ٥٠٪"


def test_max_duration_is_about_ten_years() -> None:
    assert parse_goal_command(f"khatm {MAX_DURATION_DAYS}").duration_days == MAX_DURATION_DAYS


# --------------------------------------------------------------------------------------------
# Two times, juz counts, verse zero


@pytest.mark.parametrize("text", ["5min 10min", "10 min 5 min", "30 min 1 hour", "1h 1h"])
def test_two_times_in_a_row_are_refused_rather_than_added_up(text: str) -> None:
    with pytest.raises(GoalInputError) as caught:
        parse_duration_seconds(text)
    assert caught.value.code == "time_twice"
    assert caught.value.describe(EN) == "Say the time once, for example 15min or 1h30."
    with pytest.raises(GoalInputError) as in_a_goal:
        parse_goal_command(text)
    assert in_a_goal.value.code == "time_twice"


@pytest.mark.parametrize(("text", "juz"), [("1 juz", 1), ("juz", 1), ("2 para", 2),
                                           ("٢ جزء", 2), ("3 juz a day", 3), ("20 pages", None),
                                           ("15min", None)])
def test_juz_count_keeps_a_goal_given_in_juz(text: str, juz: int | None) -> None:
    assert juz_count(text) == juz


def test_verse_zero_is_explained_as_verses_starting_at_one() -> None:
    with pytest.raises(GoalInputError) as caught:
        parse_goal_command("2:0-2:5")
    assert caught.value.describe(EN) == "Verses are numbered from 1, so the first verse is 2:1."
    arabic = caught.value.describe(AR)
    assert "٢:١" in arabic and "{" not in arabic
    # Other verse errors keep their own message.
    with pytest.raises(GoalInputError) as too_far:
        parse_goal_command("2:300")
    assert too_far.value.describe(EN) == "Surah 2 has 286 verses."
