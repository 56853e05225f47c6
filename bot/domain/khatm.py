"""A group's collective khatm, as pure rules: the board's state, what a press on it means, and
what the board shows (no telegram, no storage).

The board is one message with the 30 juz as buttons. A free juz is taken by pressing it; the
taker finishes or releases it with the board's "I finished" / "Release" buttons (or from their
private "My juz" list). `judge_press` says what a member's press asks for, given the board as
it is; the database then makes it so only if the board still allows it (`storage.khatm`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from bot.domain.chapters import JUZ_COUNT, juz_bounds

#: The longest deadline an admin may give, in days.
MAX_DEADLINE_DAYS = 366
#: Juz buttons per keyboard row: 6 rows of 5 fit a phone's width with a mark beside the number.
BUTTONS_PER_ROW = 5

Status = Literal["open", "done", "closed"]


def juz_range_key(juz: int) -> str:
    """The juz as the API's verse range: juz 30 is "78:1-114:6"."""
    (first_chapter, first_verse), (last_chapter, last_verse) = juz_bounds(juz)
    return f"{first_chapter}:{first_verse}-{last_chapter}:{last_verse}"


# --------------------------------------------------------------------------------------------
# Starting a board: `/khatm`, `/khatm 30 days`, `/khatm by 2027-01-05`, `/khatm ٣٠ يوم`


class DeadlineError(ValueError):
    """The words after /khatm are no deadline; `reason` says which rule they broke."""

    def __init__(self, reason: Literal["unreadable", "past", "too_far"]) -> None:
        super().__init__(reason)
        self.reason = reason


_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_DAYS = re.compile(
    r"^(?:in|within|خلال|في)?\s*(\d{1,4})\s*(?:d|day|days|يوم|يوما|يومًا|أيام|ايام)?$"
)
_WEEKS = re.compile(
    r"^(?:in|within|خلال|في)?\s*(\d{1,3})\s*(?:w|week|weeks|أسبوع|أسابيع|اسبوع|اسابيع)$"
)
_BY_DATE = re.compile(r"^(?:by|until|before|حتى|قبل|إلى|الى)?\s*(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_deadline(text: str, today: date) -> date | None:
    """The deadline the words after /khatm give (None for none); DeadlineError otherwise."""
    words = " ".join(text.translate(_ARABIC_DIGITS).lower().split())
    if not words:
        return None
    deadline: date | None = None
    if match := _DAYS.match(words):
        deadline = today + timedelta(days=int(match.group(1)))
    elif match := _WEEKS.match(words):
        deadline = today + timedelta(weeks=int(match.group(1)))
    elif match := _BY_DATE.match(words):
        try:
            deadline = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError as error:
            raise DeadlineError("unreadable") from error
    else:
        raise DeadlineError("unreadable")
    if deadline <= today:
        raise DeadlineError("past")
    if deadline > today + timedelta(days=MAX_DEADLINE_DAYS):
        raise DeadlineError("too_far")
    return deadline


# --------------------------------------------------------------------------------------------
# The board's state


@dataclass(frozen=True)
class Part:
    juz: int
    taker_id: int | None
    taker_name: str | None
    finished: bool

    @property
    def free(self) -> bool:
        return self.taker_id is None and not self.finished


@dataclass(frozen=True)
class Board:
    id: int
    round: int
    status: Status
    deadline: date | None
    parts: tuple[Part, ...]

    def part(self, juz: int) -> Part | None:
        return next((part for part in self.parts if part.juz == juz), None)

    def held_by(self, user_id: int) -> list[Part]:
        """The user's juz that still wait to be finished."""
        return [p for p in self.parts if p.taker_id == user_id and not p.finished]

    @property
    def finished_count(self) -> int:
        return sum(1 for part in self.parts if part.finished)

    @property
    def taken_count(self) -> int:
        """Juz taken and not yet finished."""
        return sum(1 for part in self.parts if part.taker_id is not None and not part.finished)


@dataclass(frozen=True)
class KhatmProgress:
    """How far a group's current khatm is (for summaries): the newest round of the chat."""

    round: int
    status: Status
    finished: int
    taken: int
    total: int
    deadline: date | None


def progress_of(board: Board) -> KhatmProgress:
    return KhatmProgress(
        round=board.round,
        status=board.status,
        finished=board.finished_count,
        taken=board.taken_count,
        total=len(board.parts),
        deadline=board.deadline,
    )


# --------------------------------------------------------------------------------------------
# What a member's press means


class Ask(StrEnum):
    """What a member's press on the board asks for."""

    JUZ = "juz"  # a juz button
    FINISH = "finish"  # "✅ I finished my juz"
    RELEASE = "release"  # "↩️ Release my juz"


Verdict = Literal[
    "take",  # the juz is free: take it
    "finish",  # finish the presser's one held juz
    "release",  # release the presser's one held juz
    "yours",  # they pressed their own juz: tell them how to finish or release it
    "taken",  # somebody else has it
    "finished",  # it is finished already
    "none_held",  # finish/release, but they hold no unfinished juz
    "choose",  # finish/release, but they hold several: choose in the private list
    "not_open",  # the board is done or closed
]


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    part: Part | None = None


def judge_press(board: Board, ask: Ask, juz: int, presser_id: int) -> Judgement:
    """What a press does on `board` as it is now (`juz` only matters for Ask.JUZ)."""
    if board.status != "open":
        return Judgement("not_open")
    if ask is Ask.JUZ:
        part = board.part(juz)
        if part is None:
            return Judgement("not_open")
        if part.finished:
            return Judgement("finished", part)
        if part.taker_id == presser_id:
            return Judgement("yours", part)
        if part.taker_id is not None:
            return Judgement("taken", part)
        return Judgement("take", part)
    held = board.held_by(presser_id)
    if not held:
        return Judgement("none_held")
    if len(held) > 1:
        return Judgement("choose")
    return Judgement("finish" if ask is Ask.FINISH else "release", held[0])


# --------------------------------------------------------------------------------------------
# What the board shows


class Mark(StrEnum):
    FREE = "free"
    TAKEN = "taken"
    FINISHED = "finished"


@dataclass(frozen=True)
class Cell:
    juz: int
    mark: Mark
    taker_name: str | None


@dataclass(frozen=True)
class BoardScreen:
    """The board message: its state line, who has what, and which buttons it carries."""

    round: int
    status: Status
    deadline: date | None
    #: Days until the deadline (0 = today, negative = passed); None without a deadline.
    days_left: int | None
    finished: int
    taken: int
    total: int
    #: Every juz, for the buttons (rows of `BUTTONS_PER_ROW`).
    rows: tuple[tuple[Cell, ...], ...]
    #: The juz somebody has or finished, for the text.
    claimed: tuple[Cell, ...]
    #: Whether members can still press (juz buttons, finish, release).
    pressable: bool
    #: A finished khatm offers the next round.
    offers_next: bool


def _cell(part: Part) -> Cell:
    if part.finished:
        return Cell(part.juz, Mark.FINISHED, part.taker_name)
    if part.taker_id is not None:
        return Cell(part.juz, Mark.TAKEN, part.taker_name)
    return Cell(part.juz, Mark.FREE, None)


def board_screen(board: Board, today: date) -> BoardScreen:
    """The board as its message shows it on `today` (the group's day)."""
    cells = tuple(_cell(part) for part in sorted(board.parts, key=lambda part: part.juz))
    rows = tuple(
        cells[start : start + BUTTONS_PER_ROW] for start in range(0, len(cells), BUTTONS_PER_ROW)
    )
    return BoardScreen(
        round=board.round,
        status=board.status,
        deadline=board.deadline,
        days_left=(board.deadline - today).days if board.deadline else None,
        finished=board.finished_count,
        taken=board.taken_count,
        total=len(board.parts) or JUZ_COUNT,
        rows=rows if board.status == "open" else (),
        claimed=tuple(cell for cell in cells if cell.mark is not Mark.FREE),
        pressable=board.status == "open",
        offers_next=board.status == "done",
    )
