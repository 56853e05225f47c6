"""bot.notes: note length rules, collecting parts, and splitting long notes for Telegram."""

from __future__ import annotations

import html
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.notes import (
    NOTE_MAX_LENGTH,
    NOTE_MIN_LENGTH,
    add_part,
    characters_missing,
    characters_over,
    is_valid_body,
    join_parts,
    note_length,
)
from bot.i18n import get_translator
from bot.presentation.notes import (
    DISPLAY_CHUNK,
    TELEGRAM_MESSAGE_LIMIT,
    describe_ranges,
    format_count,
    format_day,
    html_chunks,
    preview,
)
from bot.qf import Note
from bot.services.notes import find_saved_copy, newest_first
from sandbox.telegram import FakeUser, TelegramWorld

SPECS = Path(__file__).resolve().parent.parent / "sandbox" / "specs"


def _note(note_id: str, body: str, ranges: list[str], minutes: int = 0) -> Note:
    created = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    return Note(id=note_id, created_at=created, updated_at=created, body=body, ranges=ranges)


@pytest.mark.parametrize(
    "spec", ["user-api.production.json", "user-api.prelive.json",
             "user-api.prelive-2026-03-29.json"],
)
def test_body_limits_match_every_spec(spec: str) -> None:
    document = json.loads((SPECS / spec).read_text(encoding="utf-8"))
    create = next(
        operations["post"] for path, operations in document["paths"].items()
        if path == "/v1/notes"
    )
    body = create["requestBody"]["content"]["application/json"]["schema"]["properties"]["body"]
    assert (body["minLength"], body["maxLength"]) == (NOTE_MIN_LENGTH, NOTE_MAX_LENGTH)


def test_length_counts_code_points_like_json_schema() -> None:
    assert note_length("بسم الله") == 8
    assert note_length("🌙" * 3) == 3  # one code point each, though two UTF-16 units


def test_minimum_ignores_surrounding_whitespace() -> None:
    assert characters_missing("  abc  ") == 3
    assert characters_missing("abcdef") == 0
    assert not is_valid_body("     .")
    assert is_valid_body("a" * NOTE_MAX_LENGTH)
    assert characters_over("a" * (NOTE_MAX_LENGTH + 7)) == 7


def test_parts_are_joined_with_a_line_break() -> None:
    assert join_parts(["first", "", "second"]) == "first\nsecond"
    added = add_part("first", "second")
    assert added.accepted and added.body == "first\nsecond"
    assert added.room == NOTE_MAX_LENGTH - len("first\nsecond") - 1  # the next separator
    assert add_part("", "only").body == "only"


def test_a_part_that_overflows_is_refused_whole_and_the_body_kept() -> None:
    body = "x" * 9_000
    added = add_part(body, "y" * 1_500)
    assert not added.accepted
    assert added.body == body
    assert added.over_by == 9_000 + 1 + 1_500 - NOTE_MAX_LENGTH
    assert added.room == 999  # a line break will precede the next part


def test_a_part_that_fills_the_note_exactly_is_accepted() -> None:
    added = add_part("x" * 5_000, "y" * 4_999)
    assert added.accepted and note_length(added.body) == NOTE_MAX_LENGTH and added.room == 0


def test_short_text_is_one_escaped_chunk() -> None:
    assert html_chunks("<b>x</b> & <script>") == ["&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;"]
    assert html_chunks("   ") == []


def test_long_text_splits_on_line_breaks() -> None:
    paragraphs = [f"Paragraph {n}: " + "word " * 150 for n in range(20)]
    text = "\n".join(paragraphs)
    chunks = html_chunks(text, 2_000)
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk) <= 2_000
        assert chunk.startswith("Paragraph")  # every piece starts at a paragraph


def test_ampersands_never_split_an_entity() -> None:
    text = "&" * 9_000  # escapes to 45,000 characters
    chunks = html_chunks(text, 3_000)
    assert all(len(chunk) <= 3_000 for chunk in chunks)
    assert all(chunk.replace("&amp;", "") == "" for chunk in chunks)
    assert "".join(html.unescape(chunk) for chunk in chunks) == text


def test_first_chunk_leaves_room_for_a_header() -> None:
    chunks = html_chunks("a " * 3_000, 3_800, first_limit=1_000)
    assert len(chunks[0]) <= 1_000
    assert all(len(chunk) <= 3_800 for chunk in chunks[1:])


def test_a_word_longer_than_a_message_is_cut_but_not_inside_a_combining_mark() -> None:
    text = ("ب" + "\u0651") * 3_000  # a letter with shadda, no spaces at all
    chunks = html_chunks(text, 1_001)
    for chunk in chunks:
        assert len(chunk) <= 1_001
        assert chunk[0] != "\u0651"


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("ab <>&\"'\n\tبسم🌙\u0651")), min_size=0, max_size=3_000,
    ),
    st.integers(min_value=40, max_value=600),
)
def test_chunks_fit_and_lose_only_whitespace_at_the_cuts(text: str, limit: int) -> None:
    chunks = html_chunks(text, limit)
    assert all(0 < len(chunk) <= limit for chunk in chunks)
    pieces = [html.unescape(chunk) for chunk in chunks]
    position = 0
    for piece in pieces:  # each piece is the next stretch of the text, in order
        found = text.find(piece, position)
        assert found >= position and text[position:found].strip() == ""
        position = found + len(piece)
    assert text[position:].strip() == ""


async def test_every_chunk_of_a_hostile_10000_character_note_is_accepted_by_telegram() -> None:
    world = TelegramWorld()
    user = FakeUser(42, "Reader")
    world.add_private_chat(user)
    hostile = ("<b>x</b> & <script>alert(1)</script> &amp; &#x3C; <a href='x'>\n" * 200)
    note = hostile[:NOTE_MAX_LENGTH]
    header = "📝 <b>Note on 2:255</b>"
    chunks = html_chunks(note, DISPLAY_CHUNK, first_limit=DISPLAY_CHUNK - len(header) - 2)
    messages = [header + "\n\n" + chunks[0], *chunks[1:]]
    received = []
    for text in messages:
        status, answer = await world.handle(
            "sendMessage", {"chat_id": user.id, "text": text, "parse_mode": "HTML"}
        )
        assert status == 200, answer
        received.append(answer["result"]["text"])
        assert len(answer["result"]["text"]) < TELEGRAM_MESSAGE_LIMIT
    shown = "\n".join(received).removeprefix("📝 Note on 2:255\n\n")
    assert "".join(shown.split()) == "".join(note.split())


def test_preview_is_one_line_and_cut_at_a_word() -> None:
    assert preview("Line one\n\nline   two") == "Line one line two"
    cut = preview("word " * 40, 30)
    assert cut.endswith("…") and len(cut) <= 31 and "  " not in cut
    assert not cut[:-1].endswith(" ")


def test_counts_and_dates_follow_the_language() -> None:
    english, arabic = get_translator("en"), get_translator("ar")
    assert format_count(english, 10_000) == "10,000"
    assert format_count(arabic, 1_234) == "١٬٢٣٤"
    assert format_day(english, date(2026, 3, 12)) == "12 Mar 2026"
    assert "٢٠٢٦" in format_day(arabic, date(2026, 3, 12))


def test_ranges_are_described_compactly_and_odd_keys_survive() -> None:
    english = get_translator("en")
    assert describe_ranges(["2:255-2:257", "3:5-3:5"], english) == "2:255–257, 3:5"
    assert describe_ranges(["not-a-key"], english) == "not-a-key"


def test_lists_from_several_lookups_are_merged_newest_first() -> None:
    first = [_note("a", "older note", ["2:255-2:255"], 0), _note("b", "newer", ["2:255-2:257"], 5)]
    second = [_note("b", "newer", ["2:255-2:257"], 5), _note("c", "newest", ["3:1-3:1"], 9)]
    assert [n.id for n in newest_first([first, second])] == ["c", "b", "a"]


def test_a_saved_copy_must_match_body_and_ranges() -> None:
    notes = [
        _note("a", "My reflection", ["2:255-2:255"], 0),
        _note("b", "My reflection", ["2:255-2:257"], 1),
        _note("c", "My reflection", ["2:255-2:257"], 2),
    ]
    assert find_saved_copy(notes, "My reflection", ["2:255-2:257"]) == notes[2]
    assert find_saved_copy(notes, "Other text", ["2:255-2:257"]) is None
    assert find_saved_copy(notes, "My reflection", ["3:1-3:1"]) is None
