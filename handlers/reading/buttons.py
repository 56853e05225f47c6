"""The buttons of /today, /read and /progress: one class per action, each carrying its owner.

A reading button acts for the person it was shown to: the plan, the progress or the question
is theirs, so every class carries the owner's id and a press by anyone else is turned away
(see `open_for_owner`). What a button carries is bounded here, so a forged press with an
out-of-range amount is refused as "no longer valid" before it reaches any handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.goals import DAY_SECONDS
from bot.domain.reading import OFFER_TOKEN_PATTERN, ReadChoice
from bot.i18n import Translator
from bot.services.reader import Reader
from handlers.callbacks import Between, CallbackData, Day, Matches, UserId
from handlers.reading.answers import answer_press
from handlers.replies import open_reader

#: What a "+N min" button may credit: at least a minute, at most an hour (today's buttons offer
#: 5, 10 and 15 minutes).
QuickSeconds = Annotated[int, Between(60, 3600)]
#: Which rendering of the "+N min" buttons a press comes from (`new_offer_token`).
OfferToken = Annotated[str, Matches(OFFER_TOKEN_PATTERN)]
#: The remaining ranges an "I read it" showed (`bot.services.reading.plan_version`).
PlanVersion = Annotated[str, Matches(r"[0-9a-f]{8}")]
MessageId = Annotated[int, Between(1, 2**31 - 1)]
#: A bare number after /read that may mean a surah, a juz or minutes (at most a day's worth).
BareNumberValue = Annotated[int, Between(1, DAY_SECONDS // 60)]
#: A page number on a page button (the longest layout has 610 pages).
PageNumber = Annotated[int, Between(1, 1000)]
#: The time typed with a bare number (`/read 10 15min`); 0 when none was.
TypedSeconds = Annotated[int, Between(0, DAY_SECONDS)]


@dataclass(frozen=True)
class ShowToday(CallbackData, prefix="read.today"):
    """📅 Today's plan / 🔄 Refresh (other flows offer it too: see handlers.reading)."""

    owner: UserId


@dataclass(frozen=True)
class ShowProgress(CallbackData, prefix="read.prog"):
    """📈 Progress: the streak and chart, in the private chat."""

    owner: UserId


@dataclass(frozen=True)
class ReadRest(CallbackData, prefix="read.rest"):
    """✅ I read it: credit what the plan of `day` still asks for, if it is still the remaining
    reading the button showed (`shown`, `bot.services.reading.plan_version`)."""

    owner: UserId
    day: Day
    shown: PlanVersion


@dataclass(frozen=True)
class QuickTime(CallbackData, prefix="read.time"):
    """+N min on a time goal's plan; `token` names the rendered keyboard (credited once)."""

    owner: UserId
    seconds: QuickSeconds
    token: OfferToken


@dataclass(frozen=True)
class ReadPages(CallbackData, prefix="read.pages"):
    """📖 Pages 23–24 on a page goal's plan: credits exactly the pages shown, once per day."""

    owner: UserId
    day: Day
    first: PageNumber
    last: PageNumber


@dataclass(frozen=True)
class RetryRead(CallbackData, prefix="read.retry"):
    """Try again after a /read whose credit failed; the text is kept under its message id."""

    owner: UserId
    message_id: MessageId


@dataclass(frozen=True)
class ConfirmRead(CallbackData, prefix="read.again"):
    """"Log it (again)" after the question a repeated or very large /read gets; it credits
    that /read message (under its own key, so two presses credit once)."""

    owner: UserId
    message_id: MessageId


@dataclass(frozen=True)
class CancelRead(CallbackData, prefix="read.cancel"):
    """"Cancel" under that question: nothing is credited."""

    owner: UserId
    message_id: MessageId


@dataclass(frozen=True)
class PickMeaning(CallbackData, prefix="read.pick"):
    """The answer to "/read 10: a surah, a juz or minutes?", carrying the whole question."""

    owner: UserId
    message_id: MessageId
    choice: ReadChoice
    number: BareNumberValue
    seconds: TypedSeconds


async def open_for_owner(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, owner: int
) -> Reader | None:
    """The presser's session when the button is theirs. Anyone else gets a notice (never the
    owner's plan), and someone not set up is told what is missing; the press is answered
    either way, so the caller only carries on with a reader."""
    query = update.callback_query
    if query is None:
        return None
    if query.from_user.id != owner:
        await query.answer(
            t.gettext("This button belongs to someone else. Send /today for your own plan."),
            show_alert=True,
        )
        return None
    reader = await open_reader(update, context, t)
    if reader is None:
        await answer_press(update)
    return reader
