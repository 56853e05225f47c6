"""The language panel's buttons: choose a language (or "automatic"), or open the panel."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, TypeAlias

from bot.i18n import SUPPORTED_LANGUAGES
from handlers.callbacks import CallbackData, Matches

#: Forget the stored choice and follow each person's Telegram language again.
AUTOMATIC = "auto"
CHOICES = (*SUPPORTED_LANGUAGES, AUTOMATIC)
#: A language the bot speaks, or AUTOMATIC: nothing else parses, so a forged or retired code
#: never reaches the settings.
LanguageChoice: TypeAlias = Annotated[str, Matches("|".join(map(re.escape, CHOICES)))]


@dataclass(frozen=True)
class ChooseLanguage(CallbackData, prefix="lang"):
    choice: LanguageChoice


@dataclass(frozen=True)
class OpenLanguagePanel(CallbackData, prefix="lang.menu"):
    """Opens the panel in place, for other flows' messages to link here."""
