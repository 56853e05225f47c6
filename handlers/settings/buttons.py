"""The /settings panel's buttons: open a page, pick a mushaf, close the panel.

The timezone button is the shared `handlers.replies.AskTimezone`, and the language page's
buttons are handlers.language's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, TypeAlias

from handlers.callbacks import Between, CallbackData

#: Quran.com's mushaf ids are small numbers. Which of them the bot offers is the domain's call
#: (`is_valid_mushaf`), checked on every press, so one retired since the panel was sent gets
#: "no longer available" rather than being stored.
MushafId: TypeAlias = Annotated[int, Between(1, 255)]


class Page(StrEnum):
    MAIN = "main"
    LANGUAGE = "lang"
    MUSHAF = "mushaf"


@dataclass(frozen=True)
class ShowPage(CallbackData, prefix="set"):
    """Show one page of the panel in place ("« Back" shows the main one)."""

    page: Page


@dataclass(frozen=True)
class ChooseMushaf(CallbackData, prefix="set.mushaf"):
    mushaf_id: MushafId


@dataclass(frozen=True)
class ClosePanel(CallbackData, prefix="set.close"):
    """ "Done": take the buttons off the panel."""
