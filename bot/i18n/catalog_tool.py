"""Catalog tooling, apart from the runtime: `python -m bot.i18n` re-extracts messages into the
catalogs and `python -m bot.i18n check` lists what a catalog still lacks
(docs/adding-a-language.md). Shared with the catalog tests."""

from __future__ import annotations

import argparse
import ast
import io
import string
import sys
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog

from bot.i18n import (
    _TAG,
    DEFAULT_LANGUAGE,
    DOMAIN,
    LOCALE_DIR,
    PLURAL_FORMS,
    RTL_LANGUAGES,
    SUPPORTED_LANGUAGES,
    catalog_path,
    normalize_rtl,
    read_catalog,
    reload_catalogs,
)

#: Source folders whose marked strings make up the catalogs.
SOURCE_PACKAGES: tuple[str, ...] = ("bot", "handlers", "storage")


# ---------------------------------------------------------------------------------------------
# Extraction and checks (`python -m bot.i18n`), shared with the catalog tests.

_KEYWORDS: dict[str, Any] = {"gettext": None, "ngettext": (1, 2), "N_": None, "_": None}


def extract_messages(root: Path | None = None) -> Catalog:
    """Every marked message in the source tree, as a Babel template catalog."""
    from babel.messages.extract import extract_from_dir

    base = root or Path(__file__).resolve().parents[2]
    template = Catalog(domain=DOMAIN, project="Quran Companion")
    for package in SOURCE_PACKAGES:
        for filename, lineno, message, comments, _context in extract_from_dir(
            base / package,
            method_map=[("**.py", "bot.i18n.catalog_tool:extract_python")],
            keywords=_KEYWORDS,
            comment_tags=("TRANSLATORS:",),
        ):
            template.add(message, None, [(f"{package}/{filename}", lineno)],
                         auto_comments=comments)
    return template


#: One extraction result as Babel's extractor protocol yields it:
#: (line, function name, message or tuple of call arguments, translator comments).
Extracted = tuple[int, str, str | tuple[str | None, ...], list[str]]


def extract_python(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Any
) -> Iterator[Extracted]:
    """Babel's Python extractor, plus calls it cannot see: on Python < 3.12 a `t.gettext("…")`
    inside an f-string is part of one string token, so Babel skips it and the catalog would
    silently lack the message. An `ast` pass finds those."""
    from babel.messages.extract import extract_python as babel_extract_python

    source = fileobj.read()
    found: set[tuple[str, ...]] = set()
    results: Iterable[tuple[Any, ...]] = babel_extract_python(
        io.BytesIO(source), keywords, comment_tags, options
    )
    for lineno, funcname, messages, comments in results:
        found.add(_literal_args(messages if isinstance(messages, tuple) else (messages,)))
        yield lineno, funcname, messages, comments
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute):
            name = node.func.attr
        elif isinstance(node.func, ast.Name):
            name = node.func.id
        else:
            continue
        if name not in keywords:
            continue
        args = tuple(
            arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
            for arg in node.args
        )
        first = args[0] if args else None
        if first is not None and _literal_args(args) not in found:
            found.add(_literal_args(args))
            yield node.lineno, name, args if len(args) > 1 else first, []


def _literal_args(args: tuple[str | None, ...]) -> tuple[str, ...]:
    return tuple(arg for arg in args if arg is not None)


def new_catalog(language: str) -> Catalog:
    catalog = Catalog(
        locale=language,
        domain=DOMAIN,
        project="Quran Companion",
        copyright_holder="Quran Companion contributors",
        fuzzy=False,
    )
    if language in PLURAL_FORMS:
        catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[language])]
    return catalog


def update_catalogs(
    languages: Iterable[str] = SUPPORTED_LANGUAGES, locale_dir: Path = LOCALE_DIR
) -> None:
    """Merge newly extracted messages into each language's `.po` (keeps translations)."""
    from babel.messages.pofile import write_po

    template = extract_messages()
    for language in languages:
        path = catalog_path(language, locale_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = read_catalog(language, locale_dir) or new_catalog(language)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        if language == DEFAULT_LANGUAGE:
            _fill_source_plurals(catalog)
        if language in RTL_LANGUAGES:
            _normalize_catalog(catalog)
        with path.open("wb") as handle:
            # No locations and a sorted order: moving code between modules (or adding a message
            # in two branches) must not reshuffle the catalog, so diffs show only real changes.
            write_po(
                handle, catalog, width=100, ignore_obsolete=True, include_lineno=False,
                no_location=True, sort_output=True,
            )
    reload_catalogs()


def _fill_source_plurals(catalog: Catalog) -> None:
    """The source language's plural entries are its own two forms, so nobody types them."""
    for message in catalog:
        if isinstance(message.id, (tuple, list)) and not all(message.string or ()):
            message.string = (str(message.id[0]), str(message.id[1]))


def _normalize_catalog(catalog: Catalog) -> None:
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.string, (tuple, list)):
            message.string = tuple(normalize_rtl(str(form)) for form in message.string)
        elif message.string:
            message.string = normalize_rtl(str(message.string))


@dataclass(frozen=True)
class CatalogProblem:
    """Something a catalog lacks or gets wrong; `kind` is stable for tests and the CLI."""

    language: str
    kind: str  # missing | untranslated | fuzzy | placeholders | markup | plural_forms | direction
    message: str
    detail: str = ""

    def __str__(self) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        return f"[{self.language}] {self.kind}: {self.message!r}{extra}"


def placeholder_names(text: str) -> set[str]:
    """The `str.format` field names in a message (`{n}`, `{name}`)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return {"<unbalanced braces>"}




def markup_tags(text: str) -> Counter[str]:
    return Counter(_TAG.findall(text))


def catalog_problems(
    language: str, template: Catalog | None = None, locale_dir: Path = LOCALE_DIR
) -> list[CatalogProblem]:
    """What stops `language` from covering every message the code uses, correctly."""
    source = template if template is not None else extract_messages()
    catalog = read_catalog(language, locale_dir)
    if catalog is None:
        return [CatalogProblem(language, "missing", str(catalog_path(language, locale_dir)),
                               "no catalog file")]
    problems: list[CatalogProblem] = []
    for wanted in source:
        if not wanted.id:
            continue
        key = wanted.id[0] if isinstance(wanted.id, (tuple, list)) else wanted.id
        entry = catalog.get(wanted.id)
        if entry is None:
            problems.append(CatalogProblem(language, "missing", str(key)))
            continue
        problems.extend(_entry_problems(language, catalog, entry, str(key)))
    return problems


def _entry_problems(language: str, catalog: Catalog, entry: Any, key: str) -> list[CatalogProblem]:
    problems: list[CatalogProblem] = []

    def problem(kind: str, detail: str = "") -> None:
        problems.append(CatalogProblem(language, kind, key, detail))

    if entry.fuzzy:
        problem("fuzzy")
    if isinstance(entry.id, (tuple, list)):
        singular, plural = str(entry.id[0]), str(entry.id[1])
        forms = [str(s) for s in entry.string] if isinstance(entry.string, (tuple, list)) else []
        if not forms or not all(forms):
            problem("untranslated", "plural entries need every form")
            return problems
        if len(forms) != catalog.num_plurals:
            problem("plural_forms", f"{len(forms)} forms, header says {catalog.num_plurals}")
        allowed = placeholder_names(singular) | placeholder_names(plural)
        required = placeholder_names(plural) - {"n"}
        for index, form in enumerate(forms):
            names = placeholder_names(form)
            if not names <= allowed or not required <= names:
                problem("placeholders", f"form {index}: {sorted(names)} vs {sorted(allowed)}")
            if markup_tags(form) != markup_tags(plural):
                problem("markup", f"form {index}")
        texts = forms
    else:
        translated = str(entry.string or "")
        if not translated:
            if language != DEFAULT_LANGUAGE:
                problem("untranslated")
            return problems
        if placeholder_names(translated) != placeholder_names(key):
            problem("placeholders",
                    f"{sorted(placeholder_names(translated))} vs {sorted(placeholder_names(key))}")
        if markup_tags(translated) != markup_tags(key):
            problem("markup")
        texts = [translated]
    if language in RTL_LANGUAGES:
        for text in texts:
            if normalize_rtl(text) != text:
                problem("direction", "run `python -m bot.i18n` to add bidi marks: "
                        + repr(normalize_rtl(text)))
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.i18n", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("update", help="extract messages and merge them into every catalog "
                                       "(the default)")
    check = commands.add_parser("check", help="list what the catalogs lack; exit 1 if anything")
    check.add_argument("languages", nargs="*", default=list(SUPPORTED_LANGUAGES))
    args = parser.parse_args(argv)
    if args.command == "check":
        template = extract_messages()
        problems = [p for language in args.languages for p in catalog_problems(language, template)]
        for found in problems:
            sys.stdout.write(f"{found}\n")
        sys.stdout.write(f"{len(template)} messages, {len(problems)} problems\n")
        return 1 if problems else 0
    update_catalogs()
    sys.stdout.write("catalogs updated\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
