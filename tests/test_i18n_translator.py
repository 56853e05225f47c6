"""Translator behaviour: plural rules from the catalog header, digits, direction, fallbacks."""

from __future__ import annotations

import logging

import pytest

from bot.i18n import (
    LANGUAGE_NAMES,
    LRI,
    PDI,
    RLM,
    RTL_LANGUAGES,
    Translator,
    get_translator,
    line_needs_rtl_mark,
    resolve_language,
)

AR = get_translator("ar")
EN = get_translator("en")


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "٠ آية"),
        (1, "آية واحدة"),
        (2, "آيتان"),
        (3, "٣ آيات"),
        (10, "١٠ آيات"),
        (11, "١١ آية"),
        (99, "٩٩ آية"),
        (100, "١٠٠ آية"),
        (103, "١٠٣ آيات"),
        (111, "١١١ آية"),
    ],
)
def test_arabic_counts_take_the_grammatical_form_for_the_number(count: int, expected: str) -> None:
    text = AR.ngettext("{n} verse", "{n} verses", count)
    assert text.lstrip(RLM) == expected


def test_arabic_plural_rule_is_the_catalog_headers() -> None:
    # CLDR order zero, one, two, few (3-10), many (11-99), other (100-102), as the header says.
    assert [AR.plural_form(n) for n in (0, 1, 2, 5, 11, 99, 100, 102, 203, 311)] == [
        0, 1, 2, 3, 4, 4, 5, 5, 3, 4
    ]


def test_english_plurals_use_the_catalogs_two_forms() -> None:
    assert EN.ngettext("{n} day", "{n} days", 1) == "1 day"
    assert EN.ngettext("{n} day", "{n} days", 0) == "0 days"
    assert EN.ngettext("{n} day", "{n} days", 21) == "21 days"


def test_an_untranslated_plural_falls_back_to_english_forms() -> None:
    t = Translator("ar", {}, {})
    assert t.ngettext("{n} apple", "{n} apples", 3) == "٣ apples"


def test_a_translation_with_wrong_placeholders_falls_back_to_the_source(
    caplog: pytest.LogCaptureFixture,
) -> None:
    t = Translator("ar", {"Hello {name}": "مرحبًا {nmae}"}, {})
    with caplog.at_level(logging.WARNING, logger="bot.i18n"):
        assert t.gettext("Hello {name}", name="Amina") == "Hello Amina"
    assert "placeholders" in caplog.text


def test_a_source_message_with_missing_values_still_raises() -> None:
    # A bug in the calling code must not be hidden by the fallback.
    with pytest.raises(KeyError):
        EN.gettext("Hello {name}", other="x")


def test_numbers_use_arabic_indic_digits_only_in_arabic() -> None:
    assert AR.number(2024) == "٢٠٢٤"
    assert AR.number("2:255") == "٢:٢٥٥"
    assert EN.number(2024) == "2024"


def test_isolate_wraps_only_in_right_to_left_languages() -> None:
    assert AR.isolate("2:255") == f"{LRI}2:255{PDI}"
    assert EN.isolate("2:255") == "2:255"


def test_direction_follows_the_locale() -> None:
    assert AR.direction == "rtl" and AR.is_rtl
    assert EN.direction == "ltr" and not EN.is_rtl
    assert frozenset({"ar"}) == RTL_LANGUAGES


def test_align_starts_every_line_right_to_left_but_leaves_pre_blocks() -> None:
    text = "/goal — حدّد هدفًا\nسطر عربي\n\n<pre>/read 2:1\n/note 2:255</pre>"
    assert AR.align(text) == (
        f"{RLM}/goal — حدّد هدفًا\n{RLM}سطر عربي\n\n<pre>/read 2:1\n/note 2:255</pre>"
    )
    assert AR.align(AR.align(text)) == AR.align(text)
    assert EN.align(text) == text


@pytest.mark.parametrize(
    ("line", "needs_mark"),
    [
        ("سطر عربي 2:255", False),
        ("2:255 سطر عربي", False),  # digits are weak: the Arabic word decides
        ("Quran.com مشغول", True),
        ("{n} آيات", True),  # a placeholder's content is unknown
        ("<b>عنوان</b>", False),  # tag names are not text
        ("&lt; عربي", False),  # an escaped "<" is punctuation
        ("&lt;b&gt; عربي", True),  # but the user sees a Latin "b" first
        ("English only", False),  # nothing RTL: nothing to fix
        (f"{RLM}Quran.com مشغول", False),
    ],
)
def test_which_lines_need_a_right_to_left_mark(line: str, needs_mark: bool) -> None:
    assert line_needs_rtl_mark(line) is needs_mark


def test_language_resolution_takes_the_first_supported_candidate() -> None:
    assert resolve_language(None, "ar-SA") == "ar"
    assert resolve_language("en", "ar") == "en"
    assert resolve_language("fr", "de") == "en"
    assert resolve_language(None, None) == "en"


def test_language_names_are_endonyms_from_cldr() -> None:
    assert LANGUAGE_NAMES == {"en": "English", "ar": "العربية"}


def test_catalog_translations_reach_the_translator() -> None:
    assert AR.gettext("Choose the bot's language") == "اختر لغة البوت"
    assert EN.gettext("Choose the bot's language") == "Choose the bot's language"
