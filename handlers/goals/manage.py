"""Deleting a goal (`/goal delete`, or 🗑 in the wizard) and ↩️ Undo after a one-liner.

Deleting asks first and names the goal; the reading history and streak stay on Quran.com. Undo
puts back the goal a one-liner replaced (or removes the new one), once: its button carries the
token of the offer, so an older Undo cannot undo a newer goal.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.presentation.goals import cannot_change_text, describe_current_goal, describe_goal
from bot.qf import QFError
from bot.services.goals import current_goal, delete_goal, pending_undo, undo_goal
from bot.services.reader import Reader
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.goals.buttons import DeleteGoal, KeepGoal, UndoGoal, open_press
from handlers.replies import reply_upstream_error, retry_button, send

#: user_data key of the goal a delete question was asked about: {"id": goal id}.
DELETE_KEY = "goal_delete"


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
    if context.user_data is not None:
        context.user_data[DELETE_KEY] = {"id": current.goal_id}
    markup = InlineKeyboardMarkup([[
        button(t.gettext("🗑 Delete it"), DeleteGoal()),
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
    user_data = user_data_of(context)
    pending = user_data.get(DELETE_KEY)
    goal_id = pending.get("id") if isinstance(pending, dict) else None
    if not goal_id:
        await send(update, context, t.gettext("Nothing to delete any more."), edit=True)
        return
    try:
        await delete_goal(reader, str(goal_id), user_data)
    except QFError as error:
        retry = InlineKeyboardMarkup([[retry_button(t, DeleteGoal())]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return
    user_data.pop(DELETE_KEY, None)
    await save_goal_record(update, context)
    await send(update, context, t.gettext(
        "🗑 Goal deleted. Set a new one any time with /goal."
    ), edit=True)


async def keep_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, data: KeepGoal) -> None:
    t = await translator_for(update, context)
    if await open_press(update, context, t) is None:
        return
    user_data_of(context).pop(DELETE_KEY, None)
    await send(update, context, t.gettext("Kept your goal."), edit=True)


async def undo_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, data: UndoGoal) -> None:
    t = await translator_for(update, context)
    reader = await open_press(update, context, t)
    if reader is None:
        return
    user_data = user_data_of(context)
    offer = pending_undo(user_data, data.token)
    if offer is None:
        await send(update, context, t.gettext("There is nothing to undo any more."), edit=True)
        return
    try:
        restored = await undo_goal(reader, offer, user_data)
    except QFError as error:
        retry = InlineKeyboardMarkup([[retry_button(t, data)]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return
    await save_goal_record(update, context)
    if restored is None:
        text = t.gettext("↩️ Undone: the goal is removed.")
    else:
        text = t.gettext("↩️ Undone: your goal is back to {goal}.",
                         goal=describe_goal(restored.spec, t))
    await send(update, context, text, edit=True)
