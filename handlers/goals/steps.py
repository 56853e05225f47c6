"""Moving through the goal wizard: starting it, showing a step, and the mushaf choice that
changes what the answers mean. Each returns the conversation state to be in afterwards.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes, ConversationHandler

from bot.domain.goals import GoalInputError, GoalType, preset_by_key
from bot.domain.mushafs import page_count, pages_per_juz
from bot.domain.reading import new_offer_token
from bot.i18n import Translator
from bot.presentation.goals import cannot_change_text, describe_current_goal
from bot.qf import QFError
from bot.services.goals import current_goal, estimate_goal
from bot.services.reader import Reader, choose_mushaf
from handlers.goals.buttons import WizardGo
from handlers.goals.draft import (
    Draft,
    Step,
    before_preview,
    keep_draft,
    spec_of,
    wizard_session,
)
from handlers.goals.screens import (
    Screen,
    amount_screen,
    choose_screen,
    days_screen,
    kind_screen,
    mushaf_screen,
    preview_screen,
    retry_markup,
    schedule_screen,
)
from handlers.replies import StartGoalWizard, reply_upstream_error, retry_button, send

END = ConversationHandler.END


async def start_wizard(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    t: Translator,
    *,
    step: Step,
    edit: bool,
) -> object:
    """A fresh draft that remembers the goal it would replace, shown at `step` (the kind of
    goal for /goal edit, which only makes sense when there is a goal to edit)."""
    try:
        current = await current_goal(reader, context.user_data)
    except QFError as error:
        retry = InlineKeyboardMarkup([[retry_button(t, StartGoalWizard())]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return END
    if current is not None and not current.can_change:
        await send(update, context, cannot_change_text(current, t), edit=edit)
        return END
    draft: Draft = {
        "origin": "custom",
        "mushaf": reader.mushaf_id,
        "session": new_offer_token(),
        "replace_id": current.goal_id if current else None,
        "replace_known": current.known.to_data() if current and current.known else None,
        "current_text": describe_current_goal(current, t) if current else None,
    }
    keep_draft(context, draft)
    if step is Step.KIND and current is None:
        step = Step.CHOOSE
    return await show(update, context, reader, t, draft, step, edit=edit)


async def show(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    t: Translator,
    draft: Draft,
    step: Step,
    *,
    edit: bool,
    problem: str | None = None,
) -> object:
    """Render `step` (with `problem` above it: why the last answer was not taken)."""
    draft["step"] = step.value
    if step is Step.PREVIEW:
        return await _show_preview(update, context, reader, t, draft, edit=edit)
    screen: Screen
    if step is Step.AMOUNT:
        screen, problem = amount_screen(draft, t, problem=problem), None
    elif step is Step.DAYS:
        screen, problem = days_screen(draft, t, problem=problem), None
    elif step is Step.CHOOSE:
        screen = choose_screen(draft, t)
    elif step is Step.KIND:
        screen = kind_screen(draft, t)
    elif step is Step.SCHEDULE:
        screen = schedule_screen(draft, t)
    else:
        screen = mushaf_screen(draft, t)
    text = f"{problem}\n\n{screen[0]}" if problem else screen[0]
    await send(update, context, text, screen[1], edit=edit)
    return step


async def _show_preview(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    t: Translator,
    draft: Draft,
    *,
    edit: bool,
) -> object:
    spec = spec_of(draft)
    if spec is None:
        return await show(update, context, reader, t, draft, Step.KIND, edit=edit)
    try:
        estimate = await estimate_goal(reader, spec, int(draft["mushaf"]))
    except QFError as error:
        retry = retry_markup(
            t, draft, WizardGo(wizard_session(draft), Step.PREVIEW), before_preview(draft)
        )
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return Step.PREVIEW
    text, markup = preview_screen(draft, t, spec, estimate)
    await send(update, context, text, markup, edit=edit)
    return Step.PREVIEW


async def set_mushaf(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    t: Translator,
    draft: Draft,
    mushaf_id: int,
    *,
    edit: bool = True,
) -> object:
    """Take the mushaf (remembered at once: the next goal and /today's page counts use it too)
    and recount what depends on its layout before the preview."""
    draft["mushaf"] = mushaf_id
    reader = await choose_mushaf(reader, mushaf_id)
    if draft.get("origin") == "preset" and draft.get("preset"):
        preset = preset_by_key(str(draft["preset"]), mushaf_id)
        if preset is not None:
            draft["amount"] = preset.spec.amount
    elif draft.get("type") == GoalType.QURAN_PAGES.value and isinstance(draft.get("juz"), int):
        # "1 juz" was asked for: a juz's pages in the layout chosen now, not the earlier one.
        draft["amount"] = int(draft["juz"]) * pages_per_juz(mushaf_id)
    elif draft.get("type") == GoalType.QURAN_PAGES.value and isinstance(draft.get("amount"), int):
        pages = page_count(mushaf_id)
        if int(draft["amount"]) > pages:
            problem = GoalInputError(
                "pages_too_many", pages=int(draft["amount"]), page_count=pages
            ).describe(t)
            return await show(update, context, reader, t, draft, Step.AMOUNT, edit=edit,
                              problem=problem)
    return await show(update, context, reader, t, draft, Step.PREVIEW, edit=edit)
