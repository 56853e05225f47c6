"""The timezone flow's buttons: a suggested zone, and "Continue" with the interrupted command.

The button that opens the flow ("Set my timezone") is shared by every flow that asks for a
timezone, so it is `handlers.replies`'.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

#: Prefix of a suggestion button; the zone name follows (IANA names are at most 32 bytes).
SET_PREFIX = "tz:set:"
#: "Continue" after the timezone is set: carries out the command the question interrupted.
CONTINUE_CALLBACK = "tz:go"
_MAX_CALLBACK_BYTES = 64


def suggestion_markup(names_and_labels: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(label, callback_data=SET_PREFIX + name)]
        for name, label in names_and_labels
        if len((SET_PREFIX + name).encode()) <= _MAX_CALLBACK_BYTES
    ]
    return InlineKeyboardMarkup(rows)
