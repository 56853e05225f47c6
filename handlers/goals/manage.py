"""Deleting a goal (`/goal delete`, or 🗑 in the wizard) and ↩️ Undo after a one-liner.

Deleting asks first and names the goal; the reading history and streak stay on Quran.com. Undo
puts back the goal a one-liner replaced (or removes the new one), once: its button carries the
token of the offer. Both buttons carry the version of the goal they were shown for, and a press
after the goal changed (the wizard, another one-liner, Quran.com) says so and changes nothing.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.presentation.goals import cannot_change_text, describe_current_goal, describe_goal
from bot.qf import QFError
from bot.services.goals import (
    DeleteOutcome,
    UndoOutcome,
    current_goal,
    delete_if_unchanged,
    goal_version,
    undo_if_unchanged,
)
from bot.services.reader import Reader
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.goals.buttons import DeleteGoal, KeepGoal, UndoGoal, open_press
from handlers.replies import reply_upstream_error, retry_button, send


def user_data_of(context: ContextTypes.DEFAULT_TYPE) -> dict[Any, Any]:
    return context.user_data if context.user_data is not None else {}


async def save_goal_record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Write the person's data (with the goal record) at once.

    Under the 2026-03-29 contract today's plan has no goalId, so the record's id is the only
    handle on the goal: it must not wait for the next persistence interval, when a crash could
    lose it.
    """
    persistence = context.application.persistence
    user = update.effective_user
    if persistence is not None and user is not None and context.user_data is not None:
        await persistence.update_user_data(user.id, context.user_data)


async def ask_delete(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, t: Translator,
    *, edit: bool,
) -> None:
    try:
        current = await current_goal(reader, context.user_data)
    except QFError as error:
        await reply_upstream_error(update, context, t, error)
        return
    if current is None:
        await send(update, context, t.gettext("You have no reading goal right now."), edit=edit)
        return
    if not current.can_change:
        await send(update, context, cannot_change_text(current, t), edit=edit)
        return
    markup = InlineKeyboardMarkup([[
        button(t.gettext("🗑 Delete it"), DeleteGoal(goal_version(current))),
        button(t.gettext("Keep it"), KeepGoal()),
    ]])
    await send(update, context, t.gettext(
        "Delete your goal “{goal}”? Your reading history and streak stay on Quran.com.",
        goal=describe_current_goal(current, t),
    ), markup, edit=edit)


async def delete_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: DeleteGoal
) -> None:
    t = await translator_for(update, context)
    reader = await open_press(update, context, t)
    if reader is None:
        return
    try:
        outcome = await delete_if_unchanged(reader, user_data_of(context), data.version)
    except QFError as error:
        retry = InlineKeyboardMarkup([[retry_button(t, data)]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return
    if outcome is DeleteOutcome.NO_GOAL:
        await send(update, context, t.gettext("Nothing to delete any more."), edit=True)
        return
    if outcome is DeleteOutcome.CHANGED:
        await send(update, context, t.gettext(
            "This goal has changed since; nothing was deleted. Send /goal to see it."
        ), edit=True)
        return
    await save_goal_record(update, context)
    await send(update, context, t.gettext(
        "🗑 Goal deleted. Set a new one any time with /goal."
    ), edit=True)


async def keep_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, data: KeepGoal) -> None:
    t = await translator_for(update, context)
    if await open_press(update, context, t) is None:
        return
    await send(update, context, t.gettext("Kept your goal."), edit=True)


async def undo_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, data: UndoGoal) -> None:
    t = await translator_for(update, context)
    reader = await open_press(update, context, t)
    if reader is None:
        return
    try:
        result = await undo_if_unchanged(reader, user_data_of(context), data.token, data.version)
    except QFError as error:
        retry = InlineKeyboardMarkup([[retry_button(t, data)]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return
    if result.outcome is UndoOutcome.NOTHING:
        await send(update, context, t.gettext("There is nothing to undo any more."), edit=True)
        return
    if result.outcome is UndoOutcome.CHANGED:
        await send(update, context, t.gettext(
            "This goal has changed since; nothing was undone. Send /goal to see it."
        ), edit=True)
        return
    await save_goal_record(update, context)
    if result.restored is None:
        text = t.gettext("↩️ Undone: the goal is removed.")
    else:
        text = t.gettext("↩️ Undone: your goal is back to {goal}.",
                         goal=describe_goal(result.restored.spec, t))
    await send(update, context, text, edit=True)
