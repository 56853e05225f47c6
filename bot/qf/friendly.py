"""One localized, human reply per Quran Foundation failure.

Each reply says what happened and what the user can do next. QF's own text is English,
technical and sometimes JSON, so it is never shown: it is only read here to pick the right
reply (which field was invalid, which permission was missing) and lives on in the log.
"""

from __future__ import annotations

import logging
import math
import re

from bot.i18n import N_, Translator
from bot.qf.errors import (
    BadGateway,
    BadRequest,
    Conflict,
    Forbidden,
    GatewayTimeout,
    InvalidResponse,
    LinkExpired,
    NotFound,
    NotLinked,
    QFConnectionError,
    QFError,
    QFTimeout,
    RateLimited,
    ServerError,
    Unauthorized,
    Unavailable,
    Unprocessable,
)

log = logging.getLogger(__name__)

#: Failures that pass by themselves: trying the same thing again later can work.
_PASSING_FAILURES = (
    RateLimited, Unavailable, BadGateway, GatewayTimeout, ServerError, QFTimeout,
    QFConnectionError,
)

#: Fields QF validates, as the user knows them. First match wins, so specific names come
#: before words that also occur in ordinary sentences ("type").
_FIELD_HINTS: tuple[tuple[str, str], ...] = (
    ("body", N_("the note text (it must be between 6 and 10,000 characters)")),
    ("ranges", N_("the verse range")),
    ("verseKey", N_("the verse")),
    ("amount", N_("the goal amount")),
    ("duration", N_("the number of days")),
    ("date", N_("the date (it can't be in the future)")),
    ("seconds", N_("the reading time")),
    ("mushafId", N_("the mushaf setting")),
    ("timezone", N_("your timezone (set it again in /settings)")),
    ("category", N_("the goal category")),
    ("type", N_("the goal type")),
)

#: OAuth scopes (before any ".read"/".create" suffix) → the feature a user recognises.
SCOPE_FEATURES: dict[str, str] = {
    "goal": N_("reading goals"),
    "note": N_("notes"),
    "streak": N_("streaks"),
    "activity_day": N_("reading progress"),
    "reading_session": N_("reading position"),
    "user": N_("profile"),
    "sync": N_("sync"),
    "bookmark": N_("bookmarks"),
    "collection": N_("collections"),
    "post": N_("QuranReflect posts"),
}

_SCOPE_PATTERN = re.compile(
    r"\b(" + "|".join(sorted(SCOPE_FEATURES, key=len, reverse=True)) + r")(\.[a-z_]+)?\b"
)


def _mentions(error: QFError, word: str) -> bool:
    text = f"{error.code or ''} {error.message}"
    return re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![a-z])", text, re.IGNORECASE) is not None


def _missing_scope(error: QFError) -> tuple[str, str] | None:
    """(scope, feature) when a 403 says which permission is missing."""
    text = f"{error.code or ''} {error.message}"
    if "scope" not in text.lower() and "permission" not in text.lower():
        return None
    matches = list(_SCOPE_PATTERN.finditer(text))
    # "note.create" names a scope for sure; a bare "user" is more likely the English word.
    ranked = sorted(matches, key=lambda m: (m.group(2) is None, m.group(1) == "user"))
    if not ranked:
        return None
    best = ranked[0]
    return best.group(0), SCOPE_FEATURES[best.group(1)]


def _wait_text(seconds: float, t: Translator) -> str:
    whole = max(1, math.ceil(seconds))
    if whole < 120:
        return t.ngettext(
            "Quran.com is busy right now. Please try again in {n} second.",
            "Quran.com is busy right now. Please try again in {n} seconds.",
            whole,
        )
    minutes = math.ceil(whole / 60)
    return t.ngettext(
        "Quran.com is busy right now. Please try again in {n} minute.",
        "Quran.com is busy right now. Please try again in {n} minutes.",
        minutes,
    )


def _invalid_input(error: QFError, t: Translator) -> str:
    if _mentions(error, "lastMutationAt"):
        return t.gettext(
            "Your Quran.com data changed somewhere else while this was being saved. "
            "Please try again."
        )
    if error.code in {"invalid_grant"}:
        return t.gettext("Your Quran.com link has expired. Please link your account again "
                         "with /login.")
    if _mentions(error, "already exists"):
        return t.gettext(
            "That already exists on Quran.com. Change or delete the existing one first."
        )
    for field, hint in _FIELD_HINTS:
        if _mentions(error, field):
            return t.gettext(
                "Quran.com didn't accept {what}. Please check it and try again.",
                what=t.gettext(hint),
            )
    return t.gettext(
        "Quran.com didn't accept this request. Please check what you entered and try again."
    )


def friendly_error(error: BaseException, t: Translator, *, kept: bool = False) -> str:
    """The reply to show for `error` (already localized; plain text, safe for HTML mode).

    `kept`: the user typed something the bot still holds (a note, a goal, a /read) and can
    retry with one press; only then does a passing failure say "What you entered is kept"
    (after a press on /today or a list, nothing was entered, and saying so only confuses).
    """
    text = _friendly_text(error, t)
    if kept and isinstance(error, _PASSING_FAILURES):
        text += " " + t.gettext("What you entered is kept.")
    return text


def _friendly_text(error: BaseException, t: Translator) -> str:
    if not isinstance(error, QFError):
        log.error("unexpected error shown to the user as a generic failure", exc_info=error)
        return t.gettext("Something went wrong on our side. Please try again.")
    if isinstance(error, NotLinked):
        return t.gettext("Please link your Quran.com account first with /login.")
    if isinstance(error, LinkExpired):
        return t.gettext(
            "Your Quran.com link has expired. Please link your account again with /login."
        )
    if isinstance(error, Unauthorized):
        if error.code == "invalid_client":
            return t.gettext(
                "The bot's connection to Quran.com is misconfigured. "
                "Please let the bot's admin know."
            )
        return t.gettext(
            "Quran.com didn't accept your sign-in. Please link your account again with /login."
        )
    if isinstance(error, Forbidden):
        missing = _missing_scope(error)
        if missing is not None:
            scope, feature = missing
            return t.gettext(
                "Quran.com hasn't allowed this bot to use your {feature} (permission "
                "“{scope}”). Please link your account again with /login and allow it.",
                feature=t.gettext(feature),
                scope=t.isolate(scope),
            )
        return t.gettext(
            "Quran.com didn't allow this. Please link your account again with /login and "
            "approve all the requested permissions."
        )
    if isinstance(error, NotFound):
        return t.gettext(
            "Couldn't find that on Quran.com. It may have been deleted on Quran.com."
        )
    if isinstance(error, Conflict):
        return t.gettext(
            "Your Quran.com data changed somewhere else while this was being saved. "
            "Please try again."
        )
    if isinstance(error, BadRequest | Unprocessable):
        return _invalid_input(error, t)
    if isinstance(error, RateLimited):
        if error.retry_after:
            return _wait_text(error.retry_after, t)
        return t.gettext("Quran.com is busy right now. Please try again in a minute.")
    if isinstance(error, Unavailable):
        return t.gettext(
            "Quran.com is temporarily unavailable. Please try again in a few minutes."
        )
    if isinstance(error, BadGateway | GatewayTimeout):
        return t.gettext(
            "Quran.com's servers aren't answering properly right now. Please try again in a "
            "few minutes."
        )
    if isinstance(error, ServerError):
        return t.gettext(
            "Quran.com is having trouble right now. Please try again in a few minutes."
        )
    if isinstance(error, QFTimeout):
        return t.gettext("Quran.com took too long to answer. Please try again in a moment.")
    if isinstance(error, QFConnectionError):
        return t.gettext("Couldn't reach Quran.com. Please try again in a moment.")
    if isinstance(error, InvalidResponse):
        return t.gettext(
            "Quran.com sent an answer the bot couldn't read. Please try again in a few minutes."
        )
    return t.gettext("Something went wrong with Quran.com. Please try again in a few minutes.")
