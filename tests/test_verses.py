"""Verse ranges (bot.domain.verses, verse_parsing) and the chapter facts behind them."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.domain.chapters import (
    ALIASES,
    ARABIC_NAMES,
    CHAPTER_COUNT,
    ENGLISH_NAMES,
    JUZ_STARTS,
    TOTAL_VERSES,
    VERSE_COUNTS,
    chapter_name,
    find_chapter,
    juz_bounds,
    juz_of,
    name_key,
    suggest_chapter,
    verse_at,
    verse_count,
    verse_ordinal,
)
from bot.domain.verse_parsing import (
    MAX_RANGES,
    normalise_verse_ranges,
    parse_verse_ranges,
    split_leading_ranges,
)
from bot.domain.verses import (
    VerseRange,
    VerseRangeError,
    format_ranges,
    merge_ranges,
    range_keys,
)
from bot.i18n import get_translator

EN = get_translator("en")
AR = get_translator("ar")
ERROR_CODES = {
    "empty",
    "syntax",
    "unknown_surah",
    "chapter_out_of_range",
    "verse_out_of_range",
    "juz_out_of_range",
    "reversed",
    "too_many",
}


def keys(text: str) -> list[str]:
    return [item.key for item in parse_verse_ranges(text)]


# --------------------------------------------------------------------------------------------
# Chapters


def test_chapter_table_adds_up_to_the_whole_quran() -> None:
    assert len(VERSE_COUNTS) == len(ENGLISH_NAMES) == len(ARABIC_NAMES) == CHAPTER_COUNT
    assert sum(VERSE_COUNTS) == TOTAL_VERSES == 6236
    assert verse_count(2) == 286
    with pytest.raises(ValueError):
        verse_count(115)


def test_chapter_names_follow_quran_com_in_both_languages() -> None:
    assert chapter_name(1) == "Al-Fatihah"
    assert chapter_name(3, "en") == "Ali 'Imran"
    assert chapter_name(114, "en") == "An-Nas"
    assert chapter_name(2, "ar") == "البقرة"
    assert chapter_name(67, "ar-SA") == "الملك"


def test_verse_positions_round_trip_through_the_whole_mushaf() -> None:
    assert verse_ordinal(1, 1) == 1
    assert verse_ordinal(2, 1) == 8
    assert verse_ordinal(114, 6) == TOTAL_VERSES
    for ordinal in range(1, TOTAL_VERSES + 1):
        assert verse_ordinal(*verse_at(ordinal)) == ordinal
    with pytest.raises(ValueError):
        verse_ordinal(1, 8)


def test_juz_bounds_tile_the_quran_without_gaps() -> None:
    assert juz_bounds(1) == ((1, 1), (2, 141))
    assert juz_bounds(30) == ((78, 1), (114, 6))
    assert juz_bounds(29) == ((67, 1), (77, 50))
    covered = 0
    for juz in range(1, 31):
        (start_chapter, start_verse), (end_chapter, end_verse) = juz_bounds(juz)
        assert (start_chapter, start_verse) == JUZ_STARTS[juz - 1]
        covered += verse_ordinal(end_chapter, end_verse) - verse_ordinal(
            start_chapter, start_verse
        ) + 1
        assert juz_of(start_chapter, start_verse) == juz
        assert juz_of(end_chapter, end_verse) == juz
    assert covered == TOTAL_VERSES
    with pytest.raises(ValueError):
        juz_bounds(31)


def test_no_two_chapters_share_a_name_key() -> None:
    # Every official name and alias must reduce to a key owned by exactly one chapter, or a
    # user typing it would land in the wrong surah.
    owners: dict[str, set[int]] = {}
    for chapter in range(1, CHAPTER_COUNT + 1):
        names = (ENGLISH_NAMES[chapter - 1], ARABIC_NAMES[chapter - 1], *ALIASES.get(chapter, ()))
        for name in names:
            owners.setdefault(name_key(name), set()).add(chapter)
    assert {key: chapters for key, chapters in owners.items() if len(chapters) > 1} == {}


@pytest.mark.parametrize(
    ("typed", "chapter"),
    [
        ("Fatiha", 1),
        ("al-fatihah", 1),
        ("Baqara", 2),
        ("AL BAQARAH", 2),
        ("Ali Imran", 3),
        ("Aal-e-Imran", 3),
        ("آل عمران", 3),
        ("Yaseen", 36),
        ("Yasin", 36),
        ("Ya-Sin", 36),
        ("يس", 36),
        ("Mulk", 67),
        ("سورة الملك", 67),
        ("Kahf", 18),
        ("Rahman", 55),
        ("Ikhlas", 112),
        ("الإخلاص", 112),
        ("الاخلاص", 112),
        ("Al-'Alaq", 96),
        ("Surah An-Nas", 114),
        ("An-Nasr", 110),
        ("البَقَرَة", 2),
    ],
)
def test_common_spellings_find_their_chapter(typed: str, chapter: int) -> None:
    assert find_chapter(typed) == chapter


def test_everyday_words_are_not_surah_names() -> None:
    for word in ("the", "light", "cow", "الحمد", "تبارك", "hello", ""):
        assert find_chapter(word) is None


def test_misspelt_names_get_a_suggestion() -> None:
    assert suggest_chapter("Baqqarra") == 2
    assert suggest_chapter("Ikhlass") == 112
    assert suggest_chapter("xy") is None


# --------------------------------------------------------------------------------------------
# Accepted forms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2:255", ["2:255-2:255"]),
        ("2:255-257", ["2:255-2:257"]),
        ("2:255-2:257", ["2:255-2:257"]),
        ("2:255–257", ["2:255-2:257"]),
        ("2:255—2:257", ["2:255-2:257"]),
        ("  2 : 255 - 257  ", ["2:255-2:257"]),
        ("2:280-3:5", ["2:280-3:5"]),
        ("2:255, 3:1-3:5", ["2:255-2:255", "3:1-3:5"]),
        ("2:255، 3:5", ["2:255-2:255", "3:5-3:5"]),
        ("2:255; 3:5", ["2:255-2:255", "3:5-3:5"]),
        ("2:255 and 3:5", ["2:255-2:255", "3:5-3:5"]),
        ("٢:٢٥٥", ["2:255-2:255"]),
        ("٢:٢٥٥-٢٥٧", ["2:255-2:257"]),
        ("۲:۲۵۵–۲۵۷", ["2:255-2:257"]),
        ("Al-Baqarah 255", ["2:255-2:255"]),
        ("baqarah 255-257", ["2:255-2:257"]),
        ("Baqarah:255", ["2:255-2:255"]),
        ("البقرة ٢٥٥", ["2:255-2:255"]),
        ("سورة البقرة ٢٥٥-٢٥٧", ["2:255-2:257"]),
        ("Al-Mulk", ["67:1-67:30"]),
        ("Surah Al-Mulk", ["67:1-67:30"]),
        ("surah yaseen 1-12", ["36:1-36:12"]),
        ("Ali 'Imran 5", ["3:5-3:5"]),
        ("Al-'Alaq 1-5", ["96:1-96:5"]),
        ("Baqarah 280 - Ali Imran 5", ["2:280-3:5"]),
        ("2", ["2:1-2:286"]),
        ("2-3", ["2:1-3:200"]),
        ("114", ["114:1-114:6"]),
        ("surah 2 ayah 255", ["2:255-2:255"]),
        ("2:255 to 257", ["2:255-2:257"]),
        ("juz 30", ["78:1-114:6"]),
        ("juz 1-2", ["1:1-2:252"]),
        ("(2:255)", ["2:255-2:255"]),
        ("2:255.", ["2:255-2:255"]),
        ("2:255,", ["2:255-2:255"]),
        ("Mulk, Kahf 1-10", ["67:1-67:30", "18:1-18:10"]),
        ("002:007", ["2:7-2:7"]),
    ],
)
def test_accepted_forms_parse_to_api_keys(text: str, expected: list[str]) -> None:
    assert keys(text) == expected


def test_normalise_joins_keys_with_commas() -> None:
    assert normalise_verse_ranges("Al-Baqarah 255-257, ١:١") == "2:255-2:257,1:1-1:1"


# --------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("", "empty", {}),
        ("   ,  ", "empty", {}),
        ("2:300", "verse_out_of_range", {"chapter": 2, "verse": 300, "verse_count": 286}),
        ("2:0", "verse_out_of_range", {"chapter": 2, "verse": 0, "verse_count": 286}),
        ("1:1-8", "verse_out_of_range", {"chapter": 1, "verse": 8, "verse_count": 7}),
        ("115", "chapter_out_of_range", {"chapter": 115}),
        ("0:1", "chapter_out_of_range", {"chapter": 0}),
        ("115:1", "chapter_out_of_range", {"chapter": 115}),
        ("2:257-255", "reversed", {"start": "2:257", "end": "2:255"}),
        ("3:5-2:280", "reversed", {"start": "3:5", "end": "2:280"}),
        ("Baqqqqra zz 255", "unknown_surah", {"name": "Baqqqqra zz"}),
        ("juz 31", "juz_out_of_range", {"juz": 31}),
        ("@@", "syntax", {"text": "@@"}),
        ("10min", "syntax", {"text": "10min"}),
        ("2:255 hello", "syntax", {"text": "hello"}),
        ("2:255-", "syntax", {"text": "-"}),
    ],
)
def test_each_error_has_a_machine_code_and_params(
    text: str, code: str, params: dict[str, object]
) -> None:
    with pytest.raises(VerseRangeError) as caught:
        parse_verse_ranges(text)
    assert caught.value.code == code
    for name, value in params.items():
        assert caught.value.params[name] == value


def test_verse_out_of_range_message_names_the_verse_count() -> None:
    with pytest.raises(VerseRangeError) as caught:
        parse_verse_ranges("2:300")
    assert caught.value.describe(EN) == "Surah 2 has 286 verses."


def test_unknown_surah_message_suggests_the_nearest_name_and_escapes_html() -> None:
    # Doubled letters fold away, so this misspelling is simply understood.
    assert keys("Baqqarra 255") == ["2:255-2:255"]
    with pytest.raises(VerseRangeError) as caught:
        parse_verse_ranges("Ikhlaz 1")
    assert caught.value.code == "unknown_surah"
    assert caught.value.params["suggestion"] == 112
    assert "Al-Ikhlas" in caught.value.describe(EN)
    with pytest.raises(VerseRangeError) as caught:
        parse_verse_ranges("@<b>bold</b>")
    message = caught.value.describe(EN)
    assert "<b>" not in message and "&lt;b&gt;" in message
    message = VerseRangeError("unknown_surah", name="<i>x</i>").describe(EN)
    assert "<i>" not in message and "&lt;i&gt;" in message


def test_too_many_ranges_are_refused() -> None:
    text = ", ".join(["1:1"] * (MAX_RANGES + 1))
    with pytest.raises(VerseRangeError) as caught:
        parse_verse_ranges(text)
    assert caught.value.code == "too_many"
    assert len(parse_verse_ranges(", ".join(["1:1"] * MAX_RANGES))) == MAX_RANGES


def test_absurdly_long_numbers_are_out_of_range_not_a_crash() -> None:
    with pytest.raises(VerseRangeError) as caught:
        parse_verse_ranges("1:" + "9" * 5000)
    assert caught.value.code == "verse_out_of_range"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_error_code_describes_itself_without_placeholders(language: str) -> None:
    t = get_translator(language)
    samples = [
        VerseRangeError("empty"),
        VerseRangeError("syntax", text="x"),
        VerseRangeError("unknown_surah", name="x", suggestion=2),
        VerseRangeError("unknown_surah", name="x", suggestion=None),
        VerseRangeError("chapter_out_of_range", chapter=115),
        VerseRangeError("verse_out_of_range", chapter=2, verse=300, verse_count=286),
        VerseRangeError("juz_out_of_range", juz=31),
        VerseRangeError("reversed", start="2:5", end="2:1"),
        VerseRangeError("too_many", limit=MAX_RANGES),
    ]
    assert {error.code for error in samples} == ERROR_CODES
    for error in samples:
        message = error.describe(t)
        assert message and "{" not in message


# --------------------------------------------------------------------------------------------
# VerseRange


def test_verse_range_properties() -> None:
    verse = VerseRange.single(2, 255)
    assert verse.key == "2:255-2:255"
    assert verse.start_key == verse.end_key == "2:255"
    assert verse.verse_count == 1
    assert verse.quran_url == "https://quran.com/2/255"
    assert verse.display() == "2:255"

    kursi = VerseRange(2, 255, 2, 257)
    assert kursi.verse_count == 3
    assert kursi.display() == "2:255–257"
    assert kursi.display("ar") == "٢:٢٥٥–٢٥٧"
    assert kursi.display("en", names=True) == "Al-Baqarah 255–257"
    assert kursi.display("ar", names=True) == "البقرة ٢٥٥–٢٥٧"
    assert kursi.quran_url == "https://quran.com/2/255-257"

    across = VerseRange(2, 280, 3, 5)
    assert across.verse_count == 7 + 5
    assert across.display() == "2:280–3:5"
    assert across.quran_url == "https://quran.com/2?startingVerse=280"

    mulk = VerseRange.whole_chapter(67)
    assert mulk.key == "67:1-67:30" and mulk.is_whole_chapter
    assert mulk.display("en", names=True) == "Al-Mulk"
    assert mulk.quran_url == "https://quran.com/67"
    assert VerseRange.whole_quran().verse_count == TOTAL_VERSES
    assert VerseRange.juz(30).key == "78:1-114:6"


def test_verse_range_refuses_to_exist_invalid() -> None:
    with pytest.raises(VerseRangeError):
        VerseRange(2, 10, 2, 9)
    with pytest.raises(VerseRangeError):
        VerseRange(1, 1, 1, 8)
    with pytest.raises(VerseRangeError):
        VerseRange.from_key("2:255-abc")


def test_from_key_reads_the_api_format() -> None:
    assert VerseRange.from_key("2:255-2:257") == VerseRange(2, 255, 2, 257)
    assert VerseRange.from_key("2:255") == VerseRange.single(2, 255)


def test_merge_joins_overlapping_and_touching_ranges() -> None:
    merged = merge_ranges(parse_verse_ranges("2:10-2:20, 2:1-2:5, 2:15-2:30, 2:6, 3:1"))
    assert range_keys(merged) == ["2:1-2:6", "2:10-2:30", "3:1-3:1"]
    assert range_keys(merge_ranges(parse_verse_ranges("1:7, 2:1"))) == ["1:7-2:1"]


def test_format_ranges_uses_the_languages_list_separator() -> None:
    ranges = parse_verse_ranges("2:255, 1:1-7")
    assert format_ranges(ranges) == "2:255, 1:1–7"
    assert format_ranges(ranges, "ar") == "٢:٢٥٥، ١:١–٧"


# --------------------------------------------------------------------------------------------
# One-liners


@pytest.mark.parametrize(
    ("text", "strict", "expected", "rest"),
    [
        ("2:255-257 my reflection", True, ["2:255-2:257"], "my reflection"),
        ("2:1-2:40 15min", False, ["2:1-2:40"], "15min"),
        ("2:255 - my reflection", True, ["2:255-2:255"], "my reflection"),
        ("2:255: a note", True, ["2:255-2:255"], "a note"),
        ("2:255, 3:5 two verses", True, ["2:255-2:255", "3:5-3:5"], "two verses"),
        ("2:255, and more", True, ["2:255-2:255"], "and more"),
        ("Al-Baqarah 255 beautiful", True, ["2:255-2:255"], "beautiful"),
        ("البقرة ٢٥٥ تأمل", True, ["2:255-2:255"], "تأمل"),
        ("Surah Al-Mulk protects", True, ["67:1-67:30"], "protects"),
        ("juz 30 done", True, ["78:1-114:6"], "done"),
        ("5 things I learnt", True, [], "5 things I learnt"),
        ("الحمد لله على كل حال", True, [], "الحمد لله على كل حال"),
        ("Al-Mulk is great", True, [], "Al-Mulk is great"),
        ("Al-Mulk is great", False, ["67:1-67:30"], "is great"),
        ("mulk 10min", False, ["67:1-67:30"], "10min"),
        ("mulk 10 min", False, ["67:1-67:30"], "10 min"),
        ("2 15min", False, ["2:1-2:286"], "15min"),
        ("", True, [], ""),
        ("just words", False, [], "just words"),
    ],
)
def test_split_leading_ranges_separates_reference_and_rest(
    text: str, strict: bool, expected: list[str], rest: str
) -> None:
    ranges, remainder = split_leading_ranges(text, strict=strict)
    assert [item.key for item in ranges] == expected
    assert remainder == rest


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ('2:255 "No fatigue overtakes Him" is striking', '"No fatigue overtakes Him" is striking'),
        ("2:255 (parenthesised) start note", "(parenthesised) start note"),
        ("2:255 <hello> world", "<hello> world"),
        ("2:255 [sic] as written", "[sic] as written"),
        ("2:255 «لا تأخذه سنة» عجيب", "«لا تأخذه سنة» عجيب"),
        ("2:255 “curly quotes” too", "“curly quotes” too"),
        ("2:255 'single quotes' too", "'single quotes' too"),
        ("2:255 ,leading comma kept", ",leading comma kept"),
        ("2:255 ... and so on", "... and so on"),
        ("2:255 .5 of a percent", ".5 of a percent"),
        ("2:255 - my reflection", "my reflection"),
        ("2:255 — my reflection", "my reflection"),
        ("2:255— my reflection", "my reflection"),
        ("2:255: my reflection", "my reflection"),
        ("(2:255) my reflection", "my reflection"),
        ('"2:255": my reflection', "my reflection"),
        ("2:255\n- first point\n- second point", "- first point\n- second point"),
    ],
)
def test_note_text_after_a_key_is_kept_exactly_but_for_the_joiner(text: str, rest: str) -> None:
    ranges, remainder = split_leading_ranges(text)
    assert [item.key for item in ranges] == ["2:255-2:255"]
    assert remainder == rest


@pytest.mark.parametrize(
    "text",
    [
        '2:255 "- a quote"', '2:255 "and 3:5 are related"', "2:255 (to 7 people)",
        "2:255 'to 7 people'", "2:255\n-5 degrees outside", "2:255\nand then",
    ],
)
def test_quoted_or_next_line_text_never_extends_the_reference(text: str) -> None:
    ranges, remainder = split_leading_ranges(text)
    assert [item.key for item in ranges] == ["2:255-2:255"]
    assert remainder == text[len("2:255"):].strip()


@pytest.mark.parametrize(
    "word", ["second", "seconds", "minute", "minutes", "min", "hours", "hr", "s", "m", "h", "d",
             "x", "xxxx", "times", "pages", "days"],
)
def test_a_time_like_word_after_a_key_is_note_text_not_an_amount(word: str) -> None:
    for key, expected in (("1:2", "1:2-1:2"), ("2:255", "2:255-2:255"),
                          ("2:255-257", "2:255-2:257"), ("Al-Baqarah 255", "2:255-2:255")):
        ranges, rest = split_leading_ranges(f"{key} {word} note about praise")
        assert [item.key for item in ranges] == [expected]
        assert rest == f"{word} note about praise"


def test_read_arguments_still_leave_the_amount_for_the_reading_handler() -> None:
    assert split_leading_ranges("2:1-2:7 15min", strict=False) == (
        [VerseRange(2, 1, 2, 7)], "15min")
    assert split_leading_ranges("2:255 10 min", strict=False) == (
        [VerseRange.single(2, 255)], "10 min")
    assert split_leading_ranges("mulk 10 min", strict=False) == (
        [VerseRange.whole_chapter(67)], "10 min")


def test_split_leading_ranges_still_reports_impossible_verses() -> None:
    with pytest.raises(VerseRangeError) as caught:
        split_leading_ranges("2:300 my note")
    assert caught.value.code == "verse_out_of_range"


# --------------------------------------------------------------------------------------------
# Properties

_FRAGMENTS = [
    "2", "255", "1", "7", "0", "114", "115", "286", "300", "30", "999999999", "٢", "٢٥٥", "۲۵",
    ":", ":", "-", "–", "—", ",", "،", ";", " ", " ", "  ", ".", "/", "to", " and ",
    "Baqarah", "Al-Mulk", "mulk", "البقرة", "surah ", "سورة ", "juz ", "ayah ", "Ali 'Imran",
    "x", "min", "'", "(", ")", "~", "\u200f", "\n", "Yaseen", "ق", "hello", "الحمد",
]
grammar_text = st.lists(st.sampled_from(_FRAGMENTS), max_size=14).map("".join)
any_text = st.one_of(st.text(max_size=60), grammar_text)


def _check_ranges(ranges: list[VerseRange]) -> None:
    assert len(ranges) <= MAX_RANGES
    for item in ranges:
        assert 1 <= item.start_ordinal <= item.end_ordinal <= TOTAL_VERSES
        assert VerseRange.from_key(item.key) == item


@settings(
    max_examples=3500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(any_text)
def test_parsing_arbitrary_text_only_ever_raises_verse_range_error(text: str) -> None:
    try:
        ranges = parse_verse_ranges(text)
    except VerseRangeError as error:
        assert error.code in ERROR_CODES
        assert error.describe(EN)
        assert error.describe(AR)
    else:
        assert ranges
        _check_ranges(ranges)
        # Normalising is idempotent: the keys read back to the same ranges.
        assert parse_verse_ranges(normalise_verse_ranges(text)) == ranges
    for strict in (True, False):
        try:
            leading, rest = split_leading_ranges(text, strict=strict)
        except VerseRangeError as error:
            assert error.code in ERROR_CODES
        else:
            _check_ranges(leading)
            assert rest in text
            if not leading:
                assert rest == text.strip()


verse_ranges = st.tuples(
    st.integers(1, TOTAL_VERSES), st.integers(1, TOTAL_VERSES)
).map(lambda pair: VerseRange.from_ordinals(min(pair), max(pair)))


_STYLES = ("key", "display", "arabic", "names", "arabic-names")
_DASHES = ("-", "–", "—", " - ", " to ")
_SEPARATORS = (",", ", ", "،", " ، ", ";", " and ")
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
#: One range and how it is written, drawn as one number (style, dash, Persian digits, upper
#: case): one draw instead of four keeps thousands of examples fast.
written_range = st.tuples(
    verse_ranges, st.integers(0, len(_STYLES) * len(_DASHES) * 4 - 1)
)


def _write(item: VerseRange, how: int) -> str:
    how, style_index = divmod(how, len(_STYLES))
    how, dash_index = divmod(how, len(_DASHES))
    persian, upper = how & 1, how & 2
    style = _STYLES[style_index]
    if style == "key":
        text = item.key
    elif style == "display":
        text = item.display("en")
    elif style == "arabic":
        text = item.display("ar")
    elif style == "names":
        text = item.display("en", names=True)
    else:
        text = item.display("ar", names=True)
    text = text.replace(" – ", "–").replace("–", _DASHES[dash_index])
    if persian:
        text = text.translate(_PERSIAN_DIGITS)
    return text.upper() if upper else text


@settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(written_range, min_size=1, max_size=4), st.sampled_from(_SEPARATORS))
def test_ranges_written_any_supported_way_parse_back_to_themselves(
    written: list[tuple[VerseRange, int]], separator: str
) -> None:
    ranges = [item for item, _ in written]
    text = separator.join(_write(item, how) for item, how in written)
    assert parse_verse_ranges(text) == ranges
    assert normalise_verse_ranges(text) == ",".join(item.key for item in ranges)


#: How a note body may begin after `/note 2:255 `: quotes, brackets, symbols, words. (A joiner
#: followed by a space, "2:255 - text", joins the reference; the next-line test covers those.)
_BODY_STARTS = (
    '"', "“", "„", "«", "»", "(", ")", "[", "{", "<", "'", "‘", "*", "!", "?", "…", "#", "@",
    "🌙", "my note", "تأمل", "second", "x", "'to", "\"and", "(-",
)
_JOINER_STARTS = (",", ".", ":", "-", "—")
#: How a body on the line after the reference may begin: list markers and joiners too.
_NEXT_LINE_STARTS = (
    *_BODY_STARTS, *_JOINER_STARTS, "- ", "— ", ", ", ": ", "; ", ". ", "1. ", "and 3:5 ", "-5 ",
    "to 7",
)
_body_rest = st.text(max_size=40)


def _write_key(item: VerseRange, arabic: bool) -> str:
    return item.display("ar") if arabic else item.key


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(verse_ranges, st.booleans()), min_size=1, max_size=4),
    st.sampled_from(_BODY_STARTS + _JOINER_STARTS),
    _body_rest,
)
def test_one_liner_body_survives_exactly_after_any_ranges(
    written: list[tuple[VerseRange, bool]], start: str, rest: str
) -> None:
    if start in _JOINER_STARTS:  # ",text" is text; ", text" joins the reference
        assume(rest[:1] and not rest[0].isspace() and rest[0] not in _JOINER_STARTS)
        # "-257" and ",3:5" continue the reference, as they should.
        assume(start == "." or not rest[0].isalnum())
    ranges = [item for item, _ in written]
    body = (start + rest).strip()
    text = ", ".join(_write_key(item, arabic) for item, arabic in written) + " " + body
    assert split_leading_ranges(text) == (ranges, body)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(verse_ranges, min_size=1, max_size=4),
    st.sampled_from(_NEXT_LINE_STARTS),
    _body_rest,
)
def test_body_on_the_next_line_survives_exactly(
    ranges: list[VerseRange], start: str, rest: str
) -> None:
    body = (start + rest).strip()
    text = ", ".join(item.key for item in ranges) + "\n" + body
    assert split_leading_ranges(text) == (ranges, body)


@settings(max_examples=1000, deadline=None)
@given(st.lists(verse_ranges, max_size=8))
def test_merged_ranges_cover_exactly_the_same_verses(ranges: list[VerseRange]) -> None:
    def coverage(items: list[VerseRange]) -> bytearray:
        marks = bytearray(TOTAL_VERSES + 1)
        for item in items:
            marks[item.start_ordinal : item.end_ordinal + 1] = b"\x01" * item.verse_count
        return marks

    merged = merge_ranges(ranges)
    assert coverage(merged) == coverage(ranges)
    assert merged == sorted(merged)
    # Disjoint and not touching: no verse is credited twice and nothing is left to join.
    for before, after in pairwise(merged):
        assert before.end_ordinal + 1 < after.start_ordinal


def test_verse_zero_says_verses_start_at_one() -> None:
    with pytest.raises(VerseRangeError) as caught:
        parse_verse_ranges("2:0")
    message = caught.value.describe(get_translator("en"))
    assert message == "Verses are numbered from 1, so the first verse is 2:1."
