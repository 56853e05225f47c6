"""What is typed in the goal wizard: the answers its typed steps ask for (the amount, the
number of days), and sensible answers typed where a step offers buttons ("15 min" at the first
step, "every day" for the schedule, "7" or "uthmani" for the mushaf).

Text typed at a button step is handled here, inside the wizard, so it is never lost to the
general "I'm not sure what to do with that" reply; what cannot be taken gets the step again
with a pointer to its buttons.
"""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import ContextTypes, ConversationHandler, MessageHandler, filters

from bot.domain.goal_answers import (
    parse_day_count,
    parse_kind_answer,
    parse_minutes_answer,
    parse_mushaf_answer,
    parse_pages_answer,
    parse_range_answer,
    parse_schedule_answer,
)
from bot.domain.goals import GoalInputError, GoalType, juz_count, parse_goal_command
from bot.domain.mushafs import MUSHAF_IDS
from bot.i18n import Translator
from bot.services.reader import Reader
from handlers.context import translator_for
from handlers.goals.draft import Draft, Step, after_schedule, draft_of, spec_of
from handlers.goals.screens import preview_markup
from handlers.goals.steps import set_mushaf, show
from handlers.replies import open_reader, send

END = ConversationHandler.END


async def _open_typed(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Message, Reader, Translator, Draft | None] | None:
    """The typed message with the sender's session and draft; None when there is nothing to
    do (the sender was told what is missing)."""
    message = update.effective_message
    draft = draft_of(context)
    t = await translator_for(update, context)
    reader = await open_reader(update, context, t)
    if message is None or message.text is None or reader is None:
        return None
    return message, reader, t, draft


async def _start_again(message: Message, t: Translator) -> object:
    """The draft is gone (cancelled, timed out, or from an older version): start over."""
    await message.reply_text(t.gettext("Let's start again: send /goal."))
    return END


async def amount_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    opened = await _open_typed(update, context)
    if opened is None:
        return None
    message, reader, t, draft = opened
    if draft is None or draft.get("type") is None:
        return await _start_again(message, t)
    text = message.text or ""
    kind = GoalType(str(draft["type"]))
    try:
        if kind is GoalType.QURAN_TIME:
            draft["amount"] = parse_minutes_answer(text)
        elif kind is GoalType.QURAN_PAGES:
            draft["amount"] = parse_pages_answer(text, int(draft["mushaf"]))
            draft["juz"] = juz_count(text)
        else:
            spec = parse_range_answer(text)
            draft["amount"] = spec.amount
            if spec.duration_days is not None:
                draft.update(duration=spec.duration_days, schedule="days")
                return await show(
                    update, context, reader, t, draft, after_schedule(draft), edit=False
                )
    except GoalInputError as error:
        problem = error.describe(t)
        if error.code == "syntax" and kind is GoalType.QURAN_PAGES:
            problem = t.gettext("Send the number of pages, e.g. <code>2</code>.")
        return await show(update, context, reader, t, draft, Step.AMOUNT, edit=False,
                          problem=problem)
    return await show(update, context, reader, t, draft, Step.SCHEDULE, edit=False)


async def days_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    opened = await _open_typed(update, context)
    if opened is None:
        return None
    message, reader, t, draft = opened
    if draft is None:
        return await _start_again(message, t)
    try:
        draft["duration"] = parse_day_count(message.text or "")
    except GoalInputError as error:
        problem = (
            t.gettext("Send a number of days, e.g. <code>30</code>.")
            if error.code == "syntax" else error.describe(t)
        )
        return await show(update, context, reader, t, draft, Step.DAYS, edit=False,
                          problem=problem)
    draft["schedule"] = "days"
    return await show(update, context, reader, t, draft, after_schedule(draft), edit=False)


async def _typed_goal(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, t: Translator,
    draft: Draft, text: str, step: Step,
) -> object:
    """A goal typed where the wizard offers presets or goal types ("15 min", "2 pages",
    "mulk in 30 days"): taken as the custom goal's answers, going on to the next open step."""
    kind = parse_kind_answer(text)
    if kind is not None:
        if draft.get("type") != kind.value:
            draft.update(type=kind.value, amount=None, juz=None, duration=None, schedule=None)
        draft.update(origin="custom", preset=None)
        return await show(update, context, reader, t, draft, Step.AMOUNT, edit=False)
    try:
        spec = parse_goal_command(text, mushaf_id=int(draft["mushaf"]))
    except GoalInputError as error:
        problem = (
            t.gettext("Please tap one of the buttons, or type the goal, for example 15min, "
                      "2 pages or Al-Mulk.")
            if error.code in ("syntax", "empty") else error.describe(t)
        )
        return await show(update, context, reader, t, draft, step, edit=False, problem=problem)
    draft.update(
        origin="custom", preset=None, type=spec.type.value, amount=spec.amount,
        juz=juz_count(text) if spec.type is GoalType.QURAN_PAGES else None,
        duration=spec.duration_days, schedule="days" if spec.duration_days else None,
    )
    next_step = after_schedule(draft) if spec.duration_days else Step.SCHEDULE
    return await show(update, context, reader, t, draft, next_step, edit=False)


async def _typed_at_button_step(
    update: Update, context: ContextTypes.DEFAULT_TYPE, step: Step
) -> object:
    """Text typed where the step asks for a tap: a sensible answer is taken, anything else
    gets the step again with a pointer to its buttons."""
    opened = await _open_typed(update, context)
    if opened is None:
        return None
    message, reader, t, draft = opened
    if draft is None:
        return await _start_again(message, t)
    text = message.text or ""
    if step in (Step.CHOOSE, Step.KIND):
        return await _typed_goal(update, context, reader, t, draft, text, step)
    if spec_of(draft) is None:
        return await show(update, context, reader, t, draft, Step.KIND, edit=False)
    if step is Step.SCHEDULE:
        try:
            days = parse_schedule_answer(text)
        except GoalInputError as error:
            problem = (
                t.gettext("Please tap one of the buttons, or send a number of days, for "
                          "example 30.")
                if error.code == "syntax" else error.describe(t)
            )
            return await show(update, context, reader, t, draft, Step.SCHEDULE, edit=False,
                              problem=problem)
        draft.update(schedule="daily" if days is None else "days", duration=days)
        return await show(update, context, reader, t, draft, after_schedule(draft), edit=False)
    if step is Step.MUSHAF:
        mushaf_id = parse_mushaf_answer(text, t)
        if mushaf_id is not None:
            return await set_mushaf(update, context, reader, t, draft, mushaf_id, edit=False)
        problem = t.gettext(
            "Please tap one of the buttons, or send the mushaf's number in the list (1 to "
            "{count}).",
            count=t.number(len(MUSHAF_IDS)),
        )
        return await show(update, context, reader, t, draft, Step.MUSHAF, edit=False,
                          problem=problem)
    await send(update, context, t.gettext(
        "Please tap ✅ Confirm to set this goal, or « Back to change it."
    ), preview_markup(draft, t))
    return Step.PREVIEW


def typed_at(step: Step, typed: filters.BaseFilter) -> MessageHandler[Any, object]:
    """The handler for text typed at a button step."""

    async def typed_at_step(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        return await _typed_at_button_step(update, context, step)

    return MessageHandler(typed, typed_at_step)
