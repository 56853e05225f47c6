"""The callback registry: what a button may carry, and what a press is allowed to become.

Prefixes here start with "t." so the test types never collide with the product's own, which
share the one registry when the whole suite runs in one process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from handlers.callbacks import (
    HHMM,
    Between,
    CallbackData,
    ChatId,
    Count,
    Day,
    GoalId,
    Matches,
    NoteId,
    Slug,
    Small,
    UserId,
    Version,
    answer_stale,
    button,
    on_press,
    parse_any,
    registry,
    stale_button_fallback,
)
from sandbox.harness import DEMO_USER, BotHarness

STALE = "This button is no longer valid."


class Kind(StrEnum):
    UNDO = "undo"
    DELETE = "del"


@dataclass(frozen=True)
class UndoGoal(CallbackData, prefix="t.undo"):
    goal_id: GoalId
    version: Version
    owner: UserId


@dataclass(frozen=True)
class OpenNote(CallbackData, prefix="t.note"):
    note_id: NoteId


@dataclass(frozen=True)
class Plain(CallbackData, prefix="t.plain"):
    number: int
    token: str


@dataclass(frozen=True)
class Amount(CallbackData, prefix="t.amount"):
    pages: Count


@dataclass(frozen=True)
class Everything(CallbackData, prefix="t.all"):
    number: int
    token: str
    flag: bool
    kind: Kind
    day: Day
    at: HHMM
    user: UserId
    chat: ChatId
    version: Version
    count: Count
    index: Small
    slug: Slug
    note: NoteId


@dataclass(frozen=True)
class Refresh(CallbackData, prefix="t.refresh"):
    """No fields at all: the press itself is the message."""


@dataclass(frozen=True)
class Wide(CallbackData, prefix="t.wide"):
    text: Annotated[str, Matches(r"[a-z]{1,64}")]


EVERYTHING = Everything(
    number=-7, token="a_-9", flag=True, kind=Kind.DELETE, day=date(2026, 3, 29),
    at=time(6, 30), user=42, chat=-100123456789, version=3, count=604, index=2, slug="s",
    note="n1",
)


# -- building and reading -------------------------------------------------------------------


def test_pack_writes_prefix_and_fields_joined_by_colons() -> None:
    assert UndoGoal(goal_id="abc", version=3, owner=42).pack() == "t.undo:abc:3:42"


def test_round_trip_for_every_field_type() -> None:
    data = EVERYTHING.pack()
    assert data == "t.all:-7:a_-9:1:del:20260329:0630:42:-100123456789:3:604:2:s:n1"
    assert Everything.parse(data) == EVERYTHING


def test_a_type_without_fields_is_just_its_prefix() -> None:
    assert Refresh().pack() == "t.refresh"
    assert Refresh.parse("t.refresh") == Refresh()
    assert Refresh.parse("t.refresh:") is None


def test_parse_any_finds_the_type_by_prefix() -> None:
    assert parse_any("t.note:abc") == OpenNote(note_id="abc")
    assert parse_any(EVERYTHING.pack()) == EVERYTHING
    assert registry()["t.undo"] is UndoGoal


def test_button_carries_the_packed_data() -> None:
    pressed = button("Undo", UndoGoal(goal_id="abc", version=3, owner=42))
    assert (pressed.text, pressed.callback_data) == ("Undo", "t.undo:abc:3:42")


# -- what a forged press can never become ---------------------------------------------------


@pytest.mark.parametrize("forged", ["../x", "..", "a/b", "a.b", "a%2e", "a b", "", "ä", "a\n"])
def test_forged_dotdot_note_id_is_rejected(forged: str) -> None:
    assert OpenNote.parse(f"t.note:{forged}") is None
    with pytest.raises(ValueError, match="note_id"):
        OpenNote(note_id=forged)


def test_a_colon_inside_a_field_cannot_smuggle_in_another() -> None:
    assert OpenNote.parse("t.note:a:b") is None
    with pytest.raises(ValueError):
        OpenNote(note_id="a:b")


def test_id_over_2_pow_63_is_rejected() -> None:
    assert Plain.parse(f"t.plain:{2**63 - 1}:x") == Plain(number=2**63 - 1, token="x")
    assert Plain.parse(f"t.plain:{-(2**63 - 1)}:x") == Plain(number=-(2**63 - 1), token="x")
    assert Plain.parse(f"t.plain:{2**63}:x") is None
    assert Plain.parse(f"t.plain:{-(2**63)}:x") is None
    with pytest.raises(ValueError, match="number"):
        Plain(number=2**63, token="x")


def test_amount_of_10_pow_20_rejected_by_bounds() -> None:
    assert Amount.parse("t.amount:604") == Amount(pages=604)
    assert Amount.parse(f"t.amount:{10**20}") is None
    assert Amount.parse("t.amount:-1") is None
    with pytest.raises(ValueError, match="pages"):
        Amount(pages=10**20)


def test_user_ids_are_positive_and_below_2_pow_53() -> None:
    assert UndoGoal.parse(f"t.undo:g:0:{2**53 - 1}") is not None
    for owner in ("0", "-5", str(2**53)):
        assert UndoGoal.parse(f"t.undo:g:0:{owner}") is None


@pytest.mark.parametrize(
    "number", ["+5", " 5", "5 ", "05", "00", "-0", "٥", "5_000", "0x5", "5.0", "1e3", ""]
)
def test_only_the_canonical_spelling_of_an_int_parses(number: str) -> None:
    assert Plain.parse(f"t.plain:{number}:x") is None


def test_a_bool_is_neither_an_int_nor_any_truthy_text() -> None:
    with pytest.raises(ValueError, match="number"):
        Plain(number=True, token="x")
    data = EVERYTHING.pack()
    assert Everything.parse(data.replace(":1:del:", ":true:del:")) is None
    assert Everything.parse(data.replace(":1:del:", ":2:del:")) is None


def test_impossible_days_and_minutes_are_rejected() -> None:
    data = EVERYTHING.pack()
    for bad in ("20260230", "2026329", "2026-03-29", "٢٠٢٦٠٣٢٩"):
        assert Everything.parse(data.replace("20260329", bad)) is None
    for bad in ("2400", "0660", "630", "06:30"):
        assert Everything.parse(data.replace(":0630:", f":{bad}:")) is None


def test_times_and_days_that_would_lose_precision_are_refused_at_build() -> None:
    with pytest.raises(ValueError, match="day"):
        Everything(**{**vars(EVERYTHING), "day": datetime(2026, 3, 29, 6, 30)})
    with pytest.raises(ValueError, match="at"):
        Everything(**{**vars(EVERYTHING), "at": time(6, 30, 15)})


def test_an_enum_value_that_is_no_member_is_rejected() -> None:
    data = EVERYTHING.pack()
    assert Everything.parse(data.replace(":del:", ":undo:")) is not None
    assert Everything.parse(data.replace(":del:", ":DEL:")) is None
    assert Everything.parse(data.replace(":del:", ":drop:")) is None


def test_wrong_field_count_parses_to_none() -> None:
    assert UndoGoal.parse("t.undo:abc:3") is None
    assert UndoGoal.parse("t.undo:abc:3:42:7") is None
    assert UndoGoal.parse("t.undo") is None


@pytest.mark.parametrize("data", [None, 5, b"t.note:abc", ["t.note:abc"], "t.note:ab\udc80"])
def test_anything_but_ascii_text_parses_to_none(data: object) -> None:
    assert OpenNote.parse(data) is None
    assert parse_any(data) is None


def test_unknown_prefix_parses_to_none() -> None:
    assert parse_any("zz:1") is None
    assert parse_any("") is None
    assert parse_any("t.undo.x:abc:3:42") is None
    assert UndoGoal.parse("t.note:abc") is None


# -- Telegram's 64-byte limit ---------------------------------------------------------------


def test_data_over_64_bytes_refused_at_build() -> None:
    assert len(Wide(text="a" * 57).pack()) == 64
    with pytest.raises(ValueError, match="64"):
        Wide(text="a" * 58)


def test_data_over_64_bytes_parses_to_none() -> None:
    assert Wide.parse("t.wide:" + "a" * 57) is not None
    assert Wide.parse("t.wide:" + "a" * 58) is None


# -- declaring types ------------------------------------------------------------------------


def test_duplicate_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="already"):

        @dataclass(frozen=True)
        class Again(CallbackData, prefix="t.undo"):
            goal_id: GoalId

    assert registry()["t.undo"] is UndoGoal


@pytest.mark.parametrize("prefix", ["", "a:b", "a b", "ä", "x" * 33])
def test_a_prefix_that_could_not_be_parsed_back_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):

        class Bad(CallbackData, prefix=prefix):
            pass


def test_a_field_type_the_registry_cannot_carry_is_refused_at_class_creation() -> None:
    with pytest.raises(TypeError, match="ratio"):

        class Ratio(CallbackData, prefix="t.ratio"):
            ratio: float

    with pytest.raises(TypeError, match="count"):

        class Mixed(CallbackData, prefix="t.mixed"):
            count: Annotated[int, Matches("[0-9]+")]

    assert "t.ratio" not in registry()
    assert "t.mixed" not in registry()


def test_a_bound_beyond_64_bits_is_refused() -> None:
    with pytest.raises(ValueError):
        Between(0, 2**63)
    with pytest.raises(ValueError):
        Between(5, 1)


# -- properties -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Mixed(CallbackData, prefix="t.mix"):
    number: int
    flag: bool
    kind: Kind
    day: Day
    at: HHMM
    token: Annotated[str, Matches(r"[a-z]{1,5}")]


@dataclass(frozen=True)
class Ids(CallbackData, prefix="t.ids"):
    user: UserId
    chat: ChatId
    version: Version
    count: Count


_MIXED = st.builds(
    Mixed,
    number=st.integers(-(2**63 - 1), 2**63 - 1),
    flag=st.booleans(),
    kind=st.sampled_from(Kind),
    day=st.dates(),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    token=st.from_regex(r"[a-z]{1,5}", fullmatch=True),
)
_IDS = st.builds(
    Ids,
    user=st.integers(1, 2**53 - 1),
    chat=st.integers(-(2**53 - 1), 2**53 - 1),
    version=st.integers(0, 2**31 - 1),
    count=st.integers(0, 100_000),
)


@given(st.one_of(_MIXED, _IDS))
def test_parse_inverts_pack(value: Mixed | Ids) -> None:
    assert type(value).parse(value.pack()) == value
    assert parse_any(value.pack()) == value


#: Arbitrary text, text shaped like the test types' data, and near-misses with the right number
#: of fields ("t.ids:1:-0:05:+7"), so that both garbage and almost-valid data are tried.
_PRESSES = st.one_of(
    st.text(),
    st.from_regex(r"t\.(mix|ids|all|note|undo)(:[-+0-9a-z_. ]{0,21}){0,14}", fullmatch=True),
    st.lists(st.from_regex(r"[-+ 0٥]{0,2}[0-9]{0,3}", fullmatch=True), min_size=4, max_size=4)
    .map(lambda fields: ":".join(["t.ids", *fields])),
)


@given(_PRESSES)
def test_parse_never_raises_and_only_accepts_what_pack_would_write(data: str) -> None:
    parsed = parse_any(data)
    if parsed is not None:
        assert parsed.pack() == data
    for kind in (Mixed, Ids, Everything, OpenNote, UndoGoal):
        one = kind.parse(data)
        assert one is None or one.pack() == data


# -- in a running Application -------------------------------------------------------------


async def test_on_press_hands_valid_presses_over_parsed_and_answers_forged_ones_as_stale(
    tmp_path: Path,
) -> None:
    received: list[UndoGoal] = []

    async def undo(update: Update, context: ContextTypes.DEFAULT_TYPE, data: UndoGoal) -> None:
        received.append(data)
        assert update.callback_query is not None
        await update.callback_query.answer("Undone.")

    async with BotHarness(tmp_path) as bot:
        # Appended to group 0 after the product's handlers, none of which take "t." presses;
        # the product's own stale-button answer, registered last, makes way for this test's.
        for handler in list(bot.app.handlers[0]):
            if getattr(handler, "callback", None) is answer_stale:
                bot.app.remove_handler(handler)
        bot.app.add_handler(on_press(UndoGoal, undo))
        bot.app.add_handler(stale_button_fallback())
        pressed = UndoGoal(goal_id="abc", version=3, owner=DEMO_USER.id)
        markup = InlineKeyboardMarkup([[button("Undo", pressed)]])
        await bot.app.bot.send_message(DEMO_USER.id, "Goal saved.", reply_markup=markup)
        answers = bot.world.answered_callbacks

        await bot.press("Undo")
        assert received == [pressed]
        assert [a.text for a in answers] == ["Undone."]

        # Its prefix, but a path where the id should be: answered here, the callback never runs.
        await bot.press_data(f"t.undo:..%2Fetc:3:{DEMO_USER.id}")
        assert received == [pressed]
        assert [(a.text, a.show_alert) for a in answers[1:]] == [(STALE, False)]

        # No handler's prefix at all (a retired format): the fallback answers.
        await bot.press_data("zz.retired:abc")
        assert received == [pressed]
        assert [a.text for a in answers[2:]] == [STALE]
