"""Putting what people typed, and what they are called, back into a reply, safely.

Two dangers, one home:

* Length. A reply that repeats a 4,000-character input whole is over Telegram's 4,096-character
  limit and fails ("Message is too long"), so the user gets the generic apology instead of the
  hint. Echoed input is cut to `ECHO_LIMIT`; input kept for later to `STORED_INPUT_LIMIT`.
* Direction. A name or group title containing a right-to-left override (U+202E) or another
  bidi control reorders the rest of the message around it, e.g. to fake what a button or a
  sentence says. Names lose those controls and are wrapped in an isolate (FSI … PDI), which
  keeps their own direction inside and the sentence's outside.

Results are plain text: callers HTML-escape them like any other value.
"""

from __future__ import annotations

import unicodedata

#: Longest part of a person's input repeated in a reply ("I couldn't find “…”").
ECHO_LIMIT = 64
#: Longest input kept to be used later (an interrupted command offered again after /timezone).
STORED_INPUT_LIMIT = 200
#: Longest name or group title shown in a reply.
NAME_LIMIT = 64

#: Embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), the LTR/RTL marks and
#: the Arabic letter mark: every control that changes how the text around it is ordered.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"
_ELLIPSIS = "…"


def strip_bidi_controls(text: str) -> str:
    return "".join(ch for ch in text if ch not in BIDI_CONTROLS)


def shorten_for_echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` as a reply may repeat it: one line, no bidi controls, at most `limit` characters
    (a cut is marked with "…")."""
    flat = " ".join(strip_bidi_controls(text).split())
    if len(flat) <= limit:
        return flat
    return flat[: max(limit - 1, 0)].rstrip() + _ELLIPSIS


def isolated_name(name: str, limit: int = NAME_LIMIT) -> str:
    """A person's name or a chat's title as a reply shows it: bidi controls removed, at most
    `limit` characters, and isolated so it cannot reorder the sentence it sits in.

    A name of left-to-right letters and spaces only ("Amina Q") has nothing that could move
    the text around it, and is left as it is; anything else (right-to-left letters, digits,
    punctuation, symbols, and any name that came with bidi controls) is isolated.
    """
    shown = shorten_for_echo(name, limit)
    if all(unicodedata.bidirectional(ch) in _INERT_CLASSES for ch in name):
        return shown
    return FIRST_STRONG_ISOLATE + shown + POP_DIRECTIONAL_ISOLATE


#: Bidi classes of left-to-right letters and of spaces.
_INERT_CLASSES = frozenset({"L", "WS"})
