"""The language panel's buttons."""

from __future__ import annotations

from bot.i18n import SUPPORTED_LANGUAGES

CALLBACK_PREFIX = "lang:"
#: Opens the panel in place; other flows (the /settings panel) link here with this button data.
MENU_CALLBACK = "lang:menu"
#: Forget the stored choice and follow each person's Telegram language again.
AUTOMATIC = "auto"
CHOICES = (*SUPPORTED_LANGUAGES, AUTOMATIC)
