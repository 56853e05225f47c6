"""What the language flow shows: the panel, the confirmation, and names typed after /language."""

from __future__ import annotations

from babel import Locale
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import (
    LANGUAGE_NAMES,
    RTL_LANGUAGES,
    SUPPORTED_LANGUAGES,
    Translator,
    resolve_language,
)
from handlers.callbacks import button
from handlers.language.buttons import AUTOMATIC, ChooseLanguage


def _aliases() -> dict[str, str]:
    """What people may type after /language: codes and each language's name in every language
    the bot speaks ("ar", "Arabic", "العربية")."""
    found: dict[str, str] = {AUTOMATIC: AUTOMATIC}
    for code in SUPPORTED_LANGUAGES:
        found[code] = code
        for shown_in in SUPPORTED_LANGUAGES:
            name = Locale.parse(code).get_display_name(shown_in)
            if name:
                found[name.casefold()] = code
    return found


_ALIASES = _aliases()


def choice_from_text(text: str) -> str | None:
    """The language (or "auto") a typed argument names, e.g. `ar-SA`, `english`, `العربية`."""
    wanted = text.strip().casefold()
    if wanted in _ALIASES:
        return _ALIASES[wanted]
    base = wanted.replace("_", "-").split("-")[0]
    return base if base in SUPPORTED_LANGUAGES else None


def language_name(t: Translator, code: str) -> str:
    """A language's own name; a Latin one is isolated so it does not reorder an Arabic
    sentence."""
    name = LANGUAGE_NAMES[code]
    return name if code in RTL_LANGUAGES else t.isolate(name)


def language_panel(
    t: Translator, *, private: bool, stored: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The panel's text and buttons; the current choice is ticked."""
    current = resolve_language(stored, t.language)
    if private and stored is None:
        text = t.gettext(
            "🌐 <b>Language</b>\nI follow your Telegram app's language: {language}.\n"
            "Choose a language for our chat:",
            language=language_name(t, current),
        )
    elif private:
        text = t.gettext(
            "🌐 <b>Language</b>\nI speak {language} with you.\nChoose another language:",
            language=language_name(t, current),
        )
    elif stored is None:
        text = t.gettext(
            "🌐 <b>Group language</b>\nI answer each member in their own Telegram language.\n"
            "Choose one language for the whole group:"
        )
    else:
        text = t.gettext(
            "🌐 <b>Group language</b>\nI speak {language} in this group.\n"
            "Choose another language:",
            language=language_name(t, current),
        )
    rows: list[list[InlineKeyboardButton]] = []
    for code in SUPPORTED_LANGUAGES:
        mark = "✓ " if code == stored else ""
        rows.append([button(mark + LANGUAGE_NAMES[code], ChooseLanguage(code))])
    automatic = (
        t.gettext("📱 Same as my Telegram app")
        if private
        else t.gettext("👥 Each member's own language")
    )
    rows.append([button(("✓ " if stored is None else "") + automatic, ChooseLanguage(AUTOMATIC))])
    return t.align(text), InlineKeyboardMarkup(rows)


def confirmation(t: Translator, *, private: bool, stored: str | None) -> str:
    """Said in the newly chosen language, so the user sees at once that it worked."""
    if stored is not None:
        text = t.gettext("✅ Language set to {language}.", language=language_name(t, stored))
    elif private:
        text = t.gettext(
            "✅ I will follow your Telegram app's language ({language}).",
            language=language_name(t, t.language),
        )
    else:
        text = t.gettext("✅ I will answer each member in their own Telegram language.")
    return t.align(text)
