"""The timezone flow's buttons: a suggested zone, and "Continue" with the interrupted command.

The button that opens the flow ("Set my timezone") is shared by every flow that asks for a
timezone, so it is `handlers.replies.AskTimezone`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeAlias

from telegram import InlineKeyboardMarkup

from handlers.callbacks import CallbackData, Matches, button

#: An IANA zone name as it may appear on a button: one to three parts of letters, digits and
#: `_+-`, each starting with a letter ("Asia/Riyadh", "America/Argentina/Buenos_Aires",
#: "Etc/GMT+3"). No '.' anywhere, so no "../" can be spelled; whether the zone exists is
#: checked on every press, since the zone database may have changed since the button was sent.
ZoneName: TypeAlias = Annotated[
    str, Matches(r"[A-Za-z][A-Za-z0-9_+-]{0,31}(?:/[A-Za-z][A-Za-z0-9_+-]{0,31}){0,2}")
]


@dataclass(frozen=True)
class SetZone(CallbackData, prefix="tz.set"):
    """A suggestion: make `zone` this chat's timezone (admins only in a group)."""

    zone: ZoneName


@dataclass(frozen=True)
class ContinueCommand(CallbackData, prefix="tz.go"):
    """ "Continue": carry out the command the timezone question interrupted. The command
    itself stays in the presser's user_data, never in the button."""


def suggestion_markup(names_and_labels: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """One button per suggested zone (every IANA name fits one: tests/test_timezone_flow.py)."""
    return InlineKeyboardMarkup(
        [[button(label, SetZone(name))] for name, label in names_and_labels]
    )
