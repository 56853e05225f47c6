"""One message catalog mechanism for every user-visible string.

Catalogs are gettext `.po` files under `bot/locale/<lang>/LC_MESSAGES/bot.po`, read with Babel at
start, so translators work with the usual tools and no compile step is needed on deploy. Code marks
strings with `t.gettext("...")`, `t.ngettext(...)` or `N_("...")` (a no-op marker for strings that
are defined at import time and translated later); `python -m bot.i18n` re-extracts them.

Placeholders use `str.format` names (`{minutes}`), never positional `%s`, so a translation may
reorder them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "bot"
DEFAULT_LANGUAGE = "en"
#: Languages with a complete catalog, in the order they are offered to users.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "ar")
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "ar": "العربية"}
RTL_LANGUAGES = frozenset({"ar"})

_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


@dataclass(frozen=True)
class Translator:
    """Translations for one language. Cheap to pass around; catalogs are loaded once."""

    language: str
    _singular: dict[str, str] = field(repr=False)
    _plural: dict[str, tuple[str, ...]] = field(repr=False)

    @property
    def is_rtl(self) -> bool:
        return self.language in RTL_LANGUAGES

    def gettext(self, message: str, **params: Any) -> str:
        text = self._singular.get(message) or message
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: Any) -> str:
        forms = self._plural.get(singular)
        if forms and all(forms):
            text = forms[_plural_index(self.language, n)]
        else:
            text = singular if n == 1 else plural
        return text.format(n=self.number(n), **params)

    def number(self, value: int | float | str) -> str:
        """Digits as the language writes them (Arabic-Indic in Arabic)."""
        text = str(value)
        return text.translate(_ARABIC_INDIC) if self.language == "ar" else text

    def isolate(self, text: str) -> str:
        """Wrap left-to-right runs (verse keys, times) so they do not scramble RTL sentences."""
        return f"\u2066{text}\u2069" if self.is_rtl else text


def _plural_index(language: str, n: int) -> int:
    # Arabic has six plural forms (CLDR); the catalog header orders them as gettext expects.
    if language == "ar":
        if n == 0:
            return 0
        if n == 1:
            return 1
        if n == 2:
            return 2
        if 3 <= n % 100 <= 10:
            return 3
        if 11 <= n % 100 <= 99:
            return 4
        return 5
    return 0 if n == 1 else 1


@cache
def _load(language: str) -> Translator:
    singular: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            if isinstance(message.id, (tuple, list)):
                strings = message.string if isinstance(message.string, (tuple, list)) else ()
                plural[str(message.id[0])] = tuple(str(s) for s in strings)
            elif isinstance(message.string, str) and message.string:
                singular[str(message.id)] = message.string
    return Translator(language, singular, plural)


def resolve_language(*candidates: str | None) -> str:
    """The first supported language among stored choices and Telegram's `language_code`."""
    for candidate in candidates:
        if not candidate:
            continue
        base = candidate.replace("_", "-").split("-")[0].lower()
        if base in SUPPORTED_LANGUAGES:
            return base
    return DEFAULT_LANGUAGE


def get_translator(language: str | None) -> Translator:
    return _load(resolve_language(language))


def extract_messages() -> Any:
    """Extract every marked message from the source tree into a Babel catalog."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parent.parent
    catalog = Catalog(domain=DOMAIN)
    keywords = {"gettext": None, "ngettext": (1, 2), "N_": None, "_": None}
    for package in ("bot", "handlers", "storage"):
        for filename, lineno, message, comments, _context in extract_from_dir(
            root / package,
            method_map=[("**.py", "python")],
            keywords=keywords,
            comment_tags=("TRANSLATORS:",),
        ):
            catalog.add(message, None, [(f"{package}/{filename}", lineno)],
                        auto_comments=comments)
    return catalog


def update_catalogs() -> None:
    """Merge newly extracted messages into each language's `.po` (keeps translations)."""
    from babel.messages.pofile import write_po

    template = extract_messages()
    for language in SUPPORTED_LANGUAGES:
        path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            from babel.messages.catalog import Catalog

            catalog = Catalog(locale=language, domain=DOMAIN)
            catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)
    _load.cache_clear()


if __name__ == "__main__":
    update_catalogs()
    sys.stdout.write("catalogs updated\n")
