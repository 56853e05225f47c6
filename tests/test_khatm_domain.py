"""The khatm board's pure rules: deadlines in English and Arabic, juz as verse ranges, what a
press means, and what the board shows."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.khatm import (
    Ask,
    Board,
    DeadlineError,
    Mark,
    Part,
    board_screen,
    judge_press,
    juz_range_key,
    parse_deadline,
    progress_of,
)

TODAY = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("", None),
        ("30 days", date(2027, 1, 4)),
        ("in 30 days", date(2027, 1, 4)),
        ("30d", date(2027, 1, 4)),
        ("2 weeks", date(2026, 12, 19)),
        ("by 2027-01-05", date(2027, 1, 5)),
        ("2027-01-05", date(2027, 1, 5)),
        ("٣٠ يوم", date(2027, 1, 4)),
        ("خلال 30 يوما", date(2027, 1, 4)),
        ("حتى ٢٠٢٧-٠١-٠٥", date(2027, 1, 5)),
        ("3 أسابيع", date(2026, 12, 26)),
    ],
)
def test_deadlines_read_in_english_and_arabic(text: str, deadline: date | None) -> None:
    assert parse_deadline(text, TODAY) == deadline


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("soon", "unreadable"),
        ("by 2027-02-30", "unreadable"),
        ("0 days", "past"),
        ("by 2026-12-05", "past"),
        ("400 days", "too_far"),
    ],
)
def test_bad_deadlines_say_why(text: str, reason: str) -> None:
    with pytest.raises(DeadlineError) as caught:
        parse_deadline(text, TODAY)
    assert caught.value.reason == reason


def test_each_juz_is_its_verse_range() -> None:
    assert juz_range_key(1) == "1:1-2:141"
    assert juz_range_key(30) == "78:1-114:6"
    assert juz_range_key(9) == "7:88-8:40"


def _board(*parts: Part, status: str = "open") -> Board:
    given = {part.juz: part for part in parts}
    return Board(
        id=1, round=2, status=status,  # type: ignore[arg-type]
        deadline=date(2026, 12, 20),
        parts=tuple(given.get(juz, Part(juz, None, None, False)) for juz in range(1, 31)),
    )


def test_a_press_means_take_yours_taken_or_finished() -> None:
    board = _board(Part(2, 7, "Yusuf", False), Part(3, 8, "Maryam", True))
    assert judge_press(board, Ask.JUZ, 1, 7).verdict == "take"
    assert judge_press(board, Ask.JUZ, 2, 7).verdict == "yours"
    assert judge_press(board, Ask.JUZ, 2, 8).verdict == "taken"
    assert judge_press(board, Ask.JUZ, 3, 7).verdict == "finished"
    assert judge_press(board, Ask.FINISH, 0, 7).part == Part(2, 7, "Yusuf", False)
    assert judge_press(board, Ask.RELEASE, 0, 8).verdict == "none_held"
    several = _board(Part(2, 7, "Yusuf", False), Part(4, 7, "Yusuf", False))
    assert judge_press(several, Ask.FINISH, 0, 7).verdict == "choose"
    closed = _board(status="closed")
    assert judge_press(closed, Ask.JUZ, 1, 7).verdict == "not_open"


def test_the_screen_shows_who_has_what_and_offers_the_next_round_when_done() -> None:
    board = _board(Part(2, 7, "Yusuf", False), Part(3, 8, "Maryam", True))
    screen = board_screen(board, TODAY)
    assert screen.days_left == 15 and screen.finished == 1 and screen.taken == 1
    assert [len(row) for row in screen.rows] == [5] * 6
    assert [(cell.juz, cell.mark) for cell in screen.claimed] == [
        (2, Mark.TAKEN), (3, Mark.FINISHED)
    ]
    assert screen.pressable and not screen.offers_next
    done = board_screen(_board(*(Part(j, 7, "Y", True) for j in range(1, 31)), status="done"),
                        TODAY)
    assert done.offers_next and not done.pressable and done.rows == ()
    progress = progress_of(board)
    assert (progress.round, progress.finished, progress.taken, progress.total) == (2, 1, 1, 30)
