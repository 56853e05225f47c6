"""One message catalog mechanism for every user-visible string.

Catalogs are gettext `.po` files under
`bot/i18n/locale/<lang>/LC_MESSAGES/bot.po`, read with Babel at
start, so translators work with the usual tools and no compile step is needed on deploy. Code marks
strings with `t.gettext("...")`, `t.ngettext(...)` or `N_("...")` (a no-op marker for strings that
are defined at import time and translated later); `python -m bot.i18n` re-extracts them and
`python -m bot.i18n check` lists what a catalog still lacks (docs/adding-a-language.md).

Placeholders use `str.format` names (`{minutes}`), never positional `%s`, so a translation may
reorder them. Plural rules come from each catalog's `Plural-Forms` header, the same expression
translators' tools read, so code and catalog can never disagree on which form is which.
"""

from __future__ import annotations

import gettext as gnu_gettext
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

logger = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).parent / "locale"
#: An HTML tag in a message; the RTL pass skips tags and the catalog checks count them.
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
DOMAIN = "bot"
DEFAULT_LANGUAGE = "en"
#: Languages with a complete catalog, in the order they are offered to users.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "ar")

#: Digits a language writes numbers with, when not 0-9. CLDR now defaults Arabic to Latin
#: digits, but Arabic-Indic digits are what readers of a Quran app expect.
NATIVE_DIGITS: dict[str, str] = {"ar": "٠١٢٣٤٥٦٧٨٩"}
#: `Plural-Forms` for new catalogs where Babel's default is not what translators' tools use.
#: Babel 2.18 orders Arabic's last two forms (100-102 before 11-99) unlike GNU gettext, Weblate
#: and Poedit; the header of an existing catalog always wins (see `_load`).
PLURAL_FORMS: dict[str, str] = {
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
    "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
}
#: How a language separates list items, where CLDR's list pattern does not fit the bot's lists.
#: CLDR joins Arabic lists with "و" written onto the next word ("أ وب وج"), which breaks apart
#: when an item is a verse key or a Latin name; the Arabic comma reads right with any item.
LIST_SEPARATORS: dict[str, str] = {"ar": "، "}

#: Unicode bidi controls. An isolate keeps a left-to-right run (2:255, 21:00) from being
#: reordered with the Arabic around it; a right-to-left mark makes a line that would otherwise
#: open with Latin text or a placeholder read, and align, as Arabic.
LRI, PDI, RLM = "\u2066", "\u2069", "\u200f"


def _endonym(code: str) -> str:
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


#: Each language named in itself, as the /language buttons show it.
LANGUAGE_NAMES: dict[str, str] = {code: _endonym(code) for code in SUPPORTED_LANGUAGES}
RTL_LANGUAGES = frozenset(
    code for code in SUPPORTED_LANGUAGES if Locale.parse(code).text_direction == "rtl"
)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def _english_plural(n: int) -> int:
    return 0 if n == 1 else 1


@dataclass(frozen=True)
class Translator:
    """Translations for one language. Cheap to pass around; catalogs are loaded once."""

    language: str
    _singular: dict[str, str] = field(repr=False)
    _plural: dict[str, tuple[str, ...]] = field(repr=False)
    #: Catalog form index for a count, compiled from the catalog's `Plural-Forms` header.
    _plural_index: Callable[[int], int] = field(default=_english_plural, repr=False)

    @property
    def is_rtl(self) -> bool:
        return self.language in RTL_LANGUAGES

    @property
    def direction(self) -> str:
        """`"rtl"` or `"ltr"`, as HTML's `dir` attribute wants it."""
        return "rtl" if self.is_rtl else "ltr"

    def gettext(self, message: str, **params: Any) -> str:
        text = self._singular.get(message) or message
        return _format(text, message, params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        """The form for `n`. `{n}` shows `t.number(n)` unless the caller passes its own
        `n=...`, e.g. with digit grouping (`1,234`); the form is still chosen by `n`."""
        fallback = singular if n == 1 else plural
        forms = self._plural.get(singular)
        text = fallback
        if forms and all(forms):
            index = self.plural_form(n)
            if 0 <= index < len(forms):
                text = forms[index]
        return _format(text, fallback, {"n": self.number(n), **params})

    def plural_form(self, n: int) -> int:
        """Which catalog form (`msgstr[i]`) a count takes in this language."""
        return self._plural_index(n)

    def number(self, value: int | float | str) -> str:
        """Digits as the language writes them (Arabic-Indic in Arabic)."""
        text = str(value)
        digits = NATIVE_DIGITS.get(self.language)
        return text.translate(str.maketrans("0123456789", digits)) if digits else text

    def day(self, day: date, pattern: str) -> str:
        """`day` in the CLDR `pattern` ("EEEE d MMMM") in this language and its digits (babel's
        Arabic dates keep Latin digits, which would clash with the Arabic-Indic digits around
        them)."""
        return self.number(str(format_date(day, format=pattern, locale=self.language)))

    def join(self, items: Iterable[str]) -> str:
        """`a, b, and c` as the language writes a list (the Arabic comma in Arabic)."""
        parts = list(items)
        separator = LIST_SEPARATORS.get(self.language)
        if separator is not None or len(parts) < 2:
            return (separator or ", ").join(parts)
        return format_list(parts, style="standard", locale=self.language)

    def isolate(self, text: str) -> str:
        """Wrap left-to-right runs (verse keys, times) so they do not scramble RTL sentences."""
        return f"{LRI}{text}{PDI}" if self.is_rtl else text

    def align(self, text: str) -> str:
        """Make every line of a composed message read right-to-left in an RTL language.

        Telegram picks each paragraph's direction from its first strong character, so a line
        that starts with a command (`/goal — …`), a verse key or a name would otherwise be laid
        out left-to-right. Lines inside `<pre>` blocks are left alone: the mark would be copied
        with the code.
        """
        if not self.is_rtl:
            return text
        parts = _PRE_BLOCK.split(text)
        for index in range(0, len(parts), 2):  # even parts are outside <pre> blocks
            parts[index] = "\n".join(
                line if not line or line.startswith(RLM) else RLM + line
                for line in parts[index].split("\n")
            )
        return "".join(parts)


_PRE_BLOCK = re.compile(r"(<pre\b.*?</pre>)", re.DOTALL | re.IGNORECASE)


def _format(text: str, source: str, params: dict[str, Any]) -> str:
    """Fill placeholders; a broken translation falls back to the English source, never raises."""
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        if text == source:
            raise
        logger.warning("translation of %r has placeholders the code does not give", source)
        return source.format(**params)


def catalog_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(language: str, locale_dir: Path = LOCALE_DIR) -> Catalog | None:
    path = catalog_path(language, locale_dir)
    if not path.exists():
        return None
    with path.open("rb") as handle:
        catalog: Catalog = read_po(handle, locale=language, domain=DOMAIN)
    return catalog


@cache
def _load(language: str) -> Translator:
    singular: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    catalog = read_catalog(language)
    if catalog is None:
        return Translator(language, singular, plural)
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (tuple, list)):
            strings = message.string if isinstance(message.string, (tuple, list)) else ()
            plural[str(message.id[0])] = tuple(str(s) for s in strings)
        elif isinstance(message.string, str) and message.string:
            singular[str(message.id)] = message.string
    rule: Callable[[int], int] = gnu_gettext.c2py(catalog.plural_expr)
    return Translator(language, singular, plural, rule)


def reload_catalogs() -> None:
    """Forget loaded catalogs, so edited `.po` files are read again."""
    _load.cache_clear()


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


# ---------------------------------------------------------------------------------------------
# Right-to-left translations. Telegram lays out each line by its first strong character and
# reorders digits and punctuation around Latin runs, so `2:255–257` or `/read 2:1 15min` inside
# Arabic comes out scrambled. `update` applies `normalize_rtl` to RTL catalogs, so translators
# type plain text and the catalog carries the invisible marks; `check` reports a catalog that
# lacks them.

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
_ISOLATED = re.compile(f"{LRI}[^{PDI}]*{PDI}")
_CODE_SPAN = re.compile(r"<code>[^<]*[A-Za-z0-9/][^<]*</code>")
_DIGIT = "0-9٠-٩"
_LTR_RUN = re.compile(
    # A command with its Latin or numeric arguments: /read 2:1-2:40 15min
    rf"(?<![\w/]){'/'}[A-Za-z][A-Za-z0-9_]*(?:@\w+)?(?: [A-Za-z{_DIGIT}][A-Za-z{_DIGIT}:.+\-–]*)*"
    # A verse key, range or time: 2:255, ٢:٢٥٥–٢٥٧, 2:280-3:5, 21:00
    rf"|[{_DIGIT}]+:[{_DIGIT}]+(?:\s*[-–]\s*[{_DIGIT}]+(?::[{_DIGIT}]+)?)?"
)


def normalize_rtl(text: str) -> str:
    """Isolate commands, `<code>` examples and verse keys, then start each line that would
    open left-to-right with a right-to-left mark. Idempotent."""
    isolated = _outside(_ISOLATED, text, lambda part: _CODE_SPAN.sub(_isolate_match, part))
    isolated = _outside(
        re.compile(f"{_ISOLATED.pattern}|{_TAG.pattern}"),
        isolated,
        lambda part: _LTR_RUN.sub(_isolate_match, part),
    )
    return "\n".join(
        RLM + line if line_needs_rtl_mark(line) else line for line in isolated.split("\n")
    )


def _isolate_match(match: re.Match[str]) -> str:
    return f"{LRI}{match.group(0)}{PDI}"


def _outside(skip: re.Pattern[str], text: str, change: Callable[[str], str]) -> str:
    """Apply `change` to the parts of `text` that `skip` does not match."""
    pieces: list[str] = []
    position = 0
    for match in skip.finditer(text):
        pieces.append(change(text[position:match.start()]))
        pieces.append(match.group(0))
        position = match.end()
    pieces.append(change(text[position:]))
    return "".join(pieces)


def line_needs_rtl_mark(line: str) -> bool:
    """True for a line with right-to-left text that Telegram would still lay out left-to-right:
    its first strong character (or a placeholder, whose content is unknown) is not RTL.

    Text inside isolates counts too: not every Telegram client skips isolates when it picks a
    paragraph's direction.
    """
    visible = _ENTITY.sub(" ", _TAG.sub("", line))
    if not any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in visible):
        return False
    position = 0
    while position < len(visible):
        if visible[position] == "{" and _PLACEHOLDER.match(visible, position):
            return True
        direction = unicodedata.bidirectional(visible[position])
        if visible[position] == RLM or direction in ("R", "AL"):
            return False
        if direction == "L":
            return True
        position += 1
    return False
