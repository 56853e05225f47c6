"""The buttons of /goal: one class per action.

Goal buttons only work in the private chat and act on the presser's own answers and goal (kept
in their `user_data`), so they carry no owner. The wizard's buttons carry its
session (a fresh token each time it opens: a button from an earlier opening says the setup
has ended) and the answer they give;
Undo and Delete carry the version of the goal they were shown for
(`bot.services.goals.goal_version`): a press after the goal changed says so and changes nothing.
Undo also carries the token of the offer it takes, so it undoes at most once. The
wizard is opened by `handlers.replies.StartGoalWizard`, which /today offers too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from telegram import InlineKeyboardButton, Update
from telegram.ext import ContextTypes

from bot.domain.mushafs import MUSHAF_IDS
from bot.domain.reading import OFFER_TOKEN_PATTERN
from bot.i18n import Translator
from bot.services.goals import GOAL_VERSION_PATTERN
from bot.services.reader import Reader
from handlers.callbacks import Between, CallbackData, Matches, button
from handlers.goals.draft import Step
from handlers.reading import ShowToday
from handlers.replies import is_private, open_reader

PresetKey = Annotated[str, Matches(r"[a-z0-9]{1,16}")]
MushafId = Annotated[int, Between(1, max(MUSHAF_IDS))]
#: The Undo offer a press takes (`bot.domain.reading.new_offer_token`).
OfferToken = Annotated[str, Matches(OFFER_TOKEN_PATTERN)]
#: The goal a button was shown for (`bot.services.goals.goal_version`).
GoalVersion = Annotated[str, Matches(GOAL_VERSION_PATTERN)]
#: Which opening of the wizard a button belongs to (`handlers.goals.draft.wizard_session`).
WizardSession = Annotated[str, Matches(OFFER_TOKEN_PATTERN)]
#: The wizard answers a preview showed (`handlers.goals.draft.answers_version`).
AnswersVersion = Annotated[str, Matches(r"[0-9a-f]{8}")]


class KindCode(StrEnum):
    TIME = "time"
    PAGES = "pages"
    RANGE = "range"


class Schedule(StrEnum):
    DAILY = "daily"
    DAYS = "days"


# --- The wizard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WizardCancel(CallbackData, prefix="goal.w.cancel"):
    """✖ Cancel: nothing is changed."""

    session: WizardSession


@dataclass(frozen=True)
class WizardDelete(CallbackData, prefix="goal.w.delete"):
    """🗑 Delete my goal, offered at the first step when there is one."""

    session: WizardSession


@dataclass(frozen=True)
class WizardGo(CallbackData, prefix="goal.w.go"):
    """« Back, "Keep 15 minutes" and "📖 Change mushaf": show `step` with the answers kept."""

    session: WizardSession
    step: Step


@dataclass(frozen=True)
class WizardPreset(CallbackData, prefix="goal.w.preset"):
    """One of Quran.com's suggested goals (`bot.domain.goals.goal_presets`)."""

    session: WizardSession
    key: PresetKey


@dataclass(frozen=True)
class WizardCustom(CallbackData, prefix="goal.w.custom"):
    """✏️ My own goal."""

    session: WizardSession


@dataclass(frozen=True)
class WizardKind(CallbackData, prefix="goal.w.kind"):
    session: WizardSession
    kind: KindCode


@dataclass(frozen=True)
class WizardSchedule(CallbackData, prefix="goal.w.sched"):
    """Every day with no end, or for a number of days."""

    session: WizardSession
    schedule: Schedule


@dataclass(frozen=True)
class WizardMushaf(CallbackData, prefix="goal.w.mushaf"):
    session: WizardSession
    mushaf_id: MushafId


@dataclass(frozen=True)
class WizardConfirm(CallbackData, prefix="goal.w.confirm"):
    """✅ Confirm at the preview: the answers it showed, so a preview left behind by a newer
    one cannot save answers it never showed."""

    session: WizardSession
    answers: AnswersVersion


# --- One-liners, delete and undo -------------------------------------------------------------


@dataclass(frozen=True)
class SetPendingGoal(CallbackData, prefix="goal.set"):
    """"Replace it" (a goal made elsewhere) or "Try again": the one-liner kept in user_data,
    only if it is still the one the question was about (`args`, see `pending_version`)."""

    args: AnswersVersion


@dataclass(frozen=True)
class DropPendingGoal(CallbackData, prefix="goal.keep"):
    """"Keep my goal" instead of the one-liner."""

    args: AnswersVersion


@dataclass(frozen=True)
class DeleteGoal(CallbackData, prefix="goal.del"):
    """"🗑 Delete it" (or "Try again"): the goal the question was asked about."""

    version: GoalVersion


@dataclass(frozen=True)
class KeepGoal(CallbackData, prefix="goal.nodel"):
    """"Keep it" instead of deleting."""


@dataclass(frozen=True)
class UndoGoal(CallbackData, prefix="goal.undo"):
    """↩️ Undo a one-liner: puts back the goal it replaced, or removes it."""

    token: OfferToken
    version: GoalVersion


def today_button(t: Translator, owner: int) -> InlineKeyboardButton:
    """📅 Today's plan, after a goal is set (handled by handlers.reading)."""
    return button(t.gettext("📅 Today's plan"), ShowToday(owner))


async def open_press(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator
) -> Reader | None:
    """The presser's session for a goal button, with the press answered. Goals change the
    user's account, so their buttons only act in the private chat; elsewhere, and for someone
    not set up (who is told what is missing), the answer is all that happens."""
    query = update.callback_query
    if query is None:
        return None
    if not is_private(update):
        await query.answer()
        return None
    reader = await open_reader(update, context, t)
    await query.answer()
    return reader
