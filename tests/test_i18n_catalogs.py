"""The catalogs cover every message the code uses, in every language, correctly.

These fail as soon as code gains a `t.gettext("…")` that the catalogs lack: run
`python -m bot.i18n`, translate, and run them again (docs/adding-a-language.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.i18n import (
    DEFAULT_LANGUAGE,
    LRI,
    PDI,
    RLM,
    SUPPORTED_LANGUAGES,
    catalog_path,
    normalize_rtl,
    read_catalog,
)
from bot.i18n.catalog_tool import (
    CatalogProblem,
    catalog_problems,
    extract_messages,
    main,
    new_catalog,
)


@pytest.fixture(scope="module")
def template() -> Catalog:
    return extract_messages()


def _report(problems: list[CatalogProblem]) -> str:
    return "\n".join(str(p) for p in problems[:40]) + (
        f"\n… and {len(problems) - 40} more" if len(problems) > 40 else ""
    )


def test_the_code_uses_a_few_hundred_messages(template: Catalog) -> None:
    # Guards the guard: if extraction silently found nothing, every check below would pass.
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    assert len(ids) > 200
    assert "Choose the bot's language" in ids  # N_() at module level (handlers/menu/commands.py)
    assert "{n} day" in ids  # ngettext


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_catalog_parses_with_its_own_plural_rule(language: str) -> None:
    path = catalog_path(language)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, abort_invalid=True)
    assert str(catalog.locale) == language
    expected = {"en": 2, "ar": 6}.get(language)
    if expected is not None:
        assert catalog.num_plurals == expected
    for message in catalog:
        strings = message.string
        if isinstance(message.id, tuple) and isinstance(strings, tuple) and any(strings):
            assert len(strings) == catalog.num_plurals, message.id


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_message_the_code_uses_is_in_every_catalog(
    language: str, template: Catalog
) -> None:
    missing = [p for p in catalog_problems(language, template) if p.kind == "missing"]
    assert not missing, "run `python -m bot.i18n`:\n" + _report(missing)


@pytest.mark.parametrize("language", [code for code in SUPPORTED_LANGUAGES
                                      if code != DEFAULT_LANGUAGE])
def test_every_message_is_translated(language: str, template: Catalog) -> None:
    untranslated = [p for p in catalog_problems(language, template)
                    if p.kind in ("untranslated", "fuzzy")]
    assert not untranslated, _report(untranslated)


def test_english_plural_entries_carry_both_forms(template: Catalog) -> None:
    problems = [p for p in catalog_problems(DEFAULT_LANGUAGE, template)
                if p.kind in ("untranslated", "plural_forms")]
    assert not problems, _report(problems)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_translations_keep_the_placeholders_and_markup(language: str, template: Catalog) -> None:
    problems = [p for p in catalog_problems(language, template)
                if p.kind in ("placeholders", "markup", "plural_forms")]
    assert not problems, _report(problems)


def test_arabic_translations_carry_their_bidi_marks(template: Catalog) -> None:
    problems = [p for p in catalog_problems("ar", template) if p.kind == "direction"]
    assert not problems, _report(problems)


def test_every_translation_formats_with_the_values_the_code_passes(template: Catalog) -> None:
    # Stronger than comparing names: a stray brace or a format spec breaks only here.
    for language in SUPPORTED_LANGUAGES:
        catalog = read_catalog(language)
        assert catalog is not None
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
            values = {name: "x" for name in _names(" ".join(ids))}
            strings = message.string if isinstance(message.string, (tuple, list)) else (
                message.string,)
            for text in strings:
                if text:
                    text.format(**values)


def _names(text: str) -> set[str]:
    from bot.i18n.catalog_tool import placeholder_names

    return placeholder_names(text) | {"n"}


def test_arabic_catalog_writes_numbers_in_examples_in_arabic_indic_digits() -> None:
    catalog = read_catalog("ar")
    assert catalog is not None
    entry = catalog.get("Send at least one verse, for example 2:255 or 2:255-257.")
    assert entry is not None and isinstance(entry.string, str)
    assert f"{LRI}٢:٢٥٥{PDI}" in entry.string and f"{LRI}٢:٢٥٥-٢٥٧{PDI}" in entry.string


def test_check_command_passes_on_the_shipped_catalogs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert ", 0 problems" in capsys.readouterr().out


# -- the checker itself, on catalogs made to be wrong -----------------------------------------


def _write(locale_dir: Path, language: str, entries: dict[str, str]) -> None:
    catalog = new_catalog(language)
    for message_id, text in entries.items():
        catalog.add(message_id, text)
    path = catalog_path(language, locale_dir)
    path.parent.mkdir(parents=True)
    with path.open("wb") as handle:
        write_po(handle, catalog)


def _template(*messages: str | tuple[str, str]) -> Catalog:
    template = Catalog()
    for message in messages:
        template.add(message)
    return template


def test_checker_reports_a_message_the_catalog_lacks(tmp_path: Path) -> None:
    _write(tmp_path, "ar", {"Hello": "مرحبًا"})
    problems = catalog_problems("ar", _template("Hello", "New message"), tmp_path)
    assert [(p.kind, p.message) for p in problems] == [("missing", "New message")]


def test_checker_reports_untranslated_and_broken_placeholders(tmp_path: Path) -> None:
    _write(tmp_path, "ar", {"Hi {name}": "مرحبًا {nmae}", "Bye": "",
                            "<b>Bold</b>": "<b>عريض"})
    problems = catalog_problems("ar", _template("Hi {name}", "Bye", "<b>Bold</b>"), tmp_path)
    assert {(p.kind, p.message) for p in problems} == {
        ("placeholders", "Hi {name}"), ("untranslated", "Bye"), ("markup", "<b>Bold</b>")
    }


def test_checker_reports_arabic_that_would_render_left_to_right(tmp_path: Path) -> None:
    _write(tmp_path, "ar", {"{n} pages left": "{n} صفحات متبقية",
                            "Send /help": "أرسل /help"})
    problems = catalog_problems("ar", _template("{n} pages left", "Send /help"), tmp_path)
    assert {(p.kind, p.message) for p in problems} == {
        ("direction", "{n} pages left"), ("direction", "Send /help")
    }


def test_checker_reports_a_missing_catalog_file(tmp_path: Path) -> None:
    [problem] = catalog_problems("ar", _template("Hello"), tmp_path)
    assert problem.kind == "missing"


def test_extraction_finds_calls_inside_f_strings(tmp_path: Path) -> None:
    # Python 3.11's tokenizer hides these from Babel; they must still reach the catalogs.
    for package in ("bot", "handlers", "storage"):
        (tmp_path / package).mkdir()
    (tmp_path / "handlers" / "page.py").write_text(
        'def page(t, url):\n'
        '    return f"<a href=\'{url}\'>{t.gettext(\'Return to Telegram\')}</a>"\n'
        'LABEL = N_("Marked at import")\n'
        'def count(t, n):\n'
        '    return t.ngettext("{n} note", "{n} notes", n)\n',
        encoding="utf-8",
    )
    found = {m.id for m in extract_messages(tmp_path) if m.id}
    assert found == {"Return to Telegram", "Marked at import", ("{n} note", "{n} notes")}


def test_normalize_rtl_isolates_ltr_runs_and_marks_ltr_openings() -> None:
    text = "أرسل /read 2:1-2:40 15min أو <code>/timezone Cairo</code>\n{n} آيات"
    fixed = normalize_rtl(text)
    assert fixed == (
        f"أرسل {LRI}/read 2:1-2:40 15min{PDI} أو {LRI}<code>/timezone Cairo</code>{PDI}\n"
        f"{RLM}{{n}} آيات"
    )
    assert normalize_rtl(fixed) == fixed
    assert normalize_rtl("Quran.com") == "Quran.com"  # nothing right-to-left: left alone
