"""One-liners: `/goal 15min`, `/goal 2 pages`, `/goal khatm in 60 days`, `/goal mulk`.

The goal is set at once, replacing the current one, with ↩️ Undo. A goal made on Quran.com that
the bot knows nothing about is only replaced after "Replace it". The one-liner is kept in
`user_data` while a question or a failure is open, so "Replace it" and "Try again" need no
retyping.
"""

from __future__ import annotations

import hashlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.domain.goals import GoalInputError, GoalSpec, parse_goal_command
from bot.i18n import Translator
from bot.presentation.goals import cannot_change_text, describe_current_goal, describe_goal
from bot.qf import QFError
from bot.services.goals import CurrentGoal, GoalChangeOutcome, set_goal, stored_goal_version
from bot.services.reader import Reader
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.goals.buttons import (
    DropPendingGoal,
    SetPendingGoal,
    UndoGoal,
    open_press,
    today_button,
)
from handlers.goals.manage import save_goal_record, user_data_of
from handlers.replies import reply_upstream_error, retry_button, send

#: user_data key of the one-liner waiting for "Replace it" or "Try again": {"args": text}.
PENDING_KEY = "goal_pending"


def pending_version(args: str) -> str:
    """What "Replace it", "Keep my goal" and "Try again" carry: a newer one-liner replaces the
    kept one, and an older question's buttons must not set (or drop) the newer goal."""
    return hashlib.sha256(args.encode("utf-8")).hexdigest()[:8]


def _pending_args(context: ContextTypes.DEFAULT_TYPE, version: str) -> str | None:
    pending = user_data_of(context).get(PENDING_KEY)
    args = pending.get("args") if isinstance(pending, dict) else None
    return args if isinstance(args, str) and pending_version(args) == version else None


async def set_one_liner(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    t: Translator,
    args: str,
    *,
    confirmed: bool,
) -> None:
    """Set the goal `args` says; `confirmed` when the user already said "Replace it" (or
    pressed "Try again"), which also answers by editing the pressed message."""
    try:
        spec = parse_goal_command(args, mushaf_id=reader.mushaf_id)
    except GoalInputError as error:
        await send(update, context, error.describe(t), edit=confirmed)
        return
    user_data = user_data_of(context)
    user_data[PENDING_KEY] = {"args": args}
    try:
        change = await set_goal(reader, spec, user_data, replace_unknown=confirmed)
    except QFError as error:
        again = SetPendingGoal(pending_version(args))
        retry = InlineKeyboardMarkup([[retry_button(t, again)]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry, kept=True)
        return
    current = change.current
    if change.outcome is GoalChangeOutcome.CANNOT_CHANGE and current is not None:
        await send(update, context, cannot_change_text(current, t), edit=confirmed)
        return
    if change.outcome is GoalChangeOutcome.ASK_FIRST and current is not None:
        await _ask_replace(update, context, t, spec, current, args)
        return
    user_data.pop(PENDING_KEY, None)
    await save_goal_record(update, context)
    new_goal = describe_goal(spec, t)
    lines = [t.gettext("✅ Goal set: {goal}.", goal=new_goal)]
    previous = describe_current_goal(current, t) if current is not None else None
    # Setting the goal one already has replaces nothing the user would notice.
    if previous is not None and previous != new_goal:
        lines.append(t.gettext("It replaces your previous goal: {goal}.", goal=previous))
    rows: list[list[InlineKeyboardButton]] = []
    if change.undo_token is not None and change.goal is not None:
        undo = UndoGoal(change.undo_token, stored_goal_version(change.goal))
        rows.append([button(t.gettext("↩️ Undo"), undo)])
    rows.append([today_button(t, reader.user_id)])
    await send(update, context, "\n".join(lines), InlineKeyboardMarkup(rows), edit=confirmed)


async def _ask_replace(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    t: Translator,
    spec: GoalSpec,
    current: CurrentGoal,
    args: str,
) -> None:
    text = t.gettext(
        "You already have a goal: {current}.\nReplace it with “{new}”?",
        current=describe_current_goal(current, t),
        new=describe_goal(spec, t),
    )
    markup = InlineKeyboardMarkup([[
        button(t.gettext("Replace it"), SetPendingGoal(pending_version(args))),
        button(t.gettext("Keep my goal"), DropPendingGoal(pending_version(args))),
    ]])
    await send(update, context, text, markup)


async def replace_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: SetPendingGoal
) -> None:
    t = await translator_for(update, context)
    reader = await open_press(update, context, t)
    if reader is None:
        return
    args = _pending_args(context, data.args)
    if args is None:
        await send(update, context, t.gettext("That request has expired. Send /goal again."),
                   edit=True)
        return
    await set_one_liner(update, context, reader, t, args, confirmed=True)


async def keep_current_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: DropPendingGoal
) -> None:
    t = await translator_for(update, context)
    if await open_press(update, context, t) is None:
        return
    if _pending_args(context, data.args) is not None:
        user_data_of(context).pop(PENDING_KEY, None)
    await send(update, context, t.gettext("Kept your goal."), edit=True)
