"""The goal wizard's answers and the way through its steps.

The answers live in the user's persisted `user_data` (JSON values only), not in the
conversation, so a button keeps working after a restart or an upstream failure. A draft holds:
`origin` ("preset" or "custom"), `preset`, `type` (a GoalType value), `amount`, `juz` (when the
amount was asked in juz), `schedule` ("daily" or "days"), `duration`, `mushaf`, the goal it
replaces (`replace_id`, `replace_known`, `current_text`), `step`,
`session` (the token of this opening, carried by its buttons), and `uncertain` after a Confirm
that got no answer in time.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any

from telegram.ext import ContextTypes

from bot.domain.goals import GoalSpec, GoalType
from bot.services.goals import CurrentGoal, StoredGoal

#: user_data key of the draft.
DRAFT_KEY = "goal_wizard"

Draft = dict[str, Any]


class Step(StrEnum):
    """The wizard's steps, which are also the conversation's states."""

    CHOOSE = "choose"
    KIND = "kind"
    AMOUNT = "amount"
    SCHEDULE = "schedule"
    DAYS = "days"
    MUSHAF = "mushaf"
    PREVIEW = "preview"


def draft_of(context: ContextTypes.DEFAULT_TYPE) -> Draft | None:
    draft = (context.user_data or {}).get(DRAFT_KEY)
    return draft if isinstance(draft, dict) else None


def keep_draft(context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    if context.user_data is not None:
        context.user_data[DRAFT_KEY] = draft


def drop_draft(context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)


def spec_of(draft: Draft) -> GoalSpec | None:
    """The goal the answers so far make, or None while the kind or amount is missing."""
    try:
        kind = GoalType(str(draft.get("type")))
    except ValueError:
        return None
    amount = draft.get("amount")
    if amount is None:
        return None
    duration = draft.get("duration") if draft.get("schedule") == "days" else None
    return GoalSpec(kind, amount, duration)


def replaced_goal(draft: Draft) -> CurrentGoal | None:
    """The goal the wizard was started to replace, as it was then."""
    goal_id = draft.get("replace_id")
    if not goal_id:
        return None
    return CurrentGoal(goal_id=str(goal_id), known=StoredGoal.from_data(draft.get("replace_known")))


def wizard_session(draft: Draft) -> str:
    """The token of this opening of the wizard (set when it starts), which its buttons carry:
    a button from an earlier opening then acts on nothing (see `handlers.goals.wizard`)."""
    return str(draft.get("session") or "00000000")


def answers_version(draft: Draft) -> str:
    """A short fingerprint of the answers a preview shows (and of the goal they replace): the
    preview's ✅ Confirm carries it, so a preview left behind by a newer one saves nothing."""
    keys = ("type", "amount", "schedule", "duration", "mushaf", "replace_id")
    text = "|".join(str(draft.get(key)) for key in keys)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def uses_mushaf(draft: Draft) -> bool:
    """Only page and verse goals depend on the layout; a time goal still sends the remembered
    mushaf (the API requires a `mushafId`) without asking for one."""
    return draft.get("type") != GoalType.QURAN_TIME.value


def after_schedule(draft: Draft) -> Step:
    return Step.MUSHAF if uses_mushaf(draft) else Step.PREVIEW


def before_mushaf(draft: Draft) -> Step:
    if draft.get("origin") == "preset":
        return Step.PREVIEW
    return Step.DAYS if draft.get("schedule") == "days" else Step.SCHEDULE


def before_preview(draft: Draft) -> Step:
    if draft.get("origin") == "preset":
        return Step.CHOOSE
    if uses_mushaf(draft):
        return Step.MUSHAF
    return Step.DAYS if draft.get("schedule") == "days" else Step.SCHEDULE
