"""/progress: the streak, the goal and its days left, and a chart of the last 30 days.

Delivered in the private chat like /today. The chart is drawn off the event loop: rendering
takes tens of milliseconds (the first time, matplotlib's import too), and other chats must not
wait for it.
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.goals import GoalType
from bot.domain.reading import summarise_activity
from bot.i18n import Translator
from bot.presentation.goals import describe_current_goal
from bot.presentation.progress_chart import DEFAULT_SPAN_DAYS, render_activity_chart, seconds_by_day
from bot.presentation.reading import format_progress
from bot.qf import QFError
from bot.services.goals import plan_goal_type
from bot.services.reader import Reader
from bot.services.reading import load_progress
from handlers.context import translator_for
from handlers.reading.answers import answer_press, deliver_privately, try_again_markup
from handlers.reading.buttons import ShowProgress, open_for_owner
from handlers.replies import open_reader, reply_upstream_error


async def send_progress(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, t: Translator
) -> None:
    try:
        progress = await load_progress(reader, context.user_data, span_days=DEFAULT_SPAN_DAYS)
    except QFError as error:
        retry = try_again_markup(t, ShowProgress(reader.user_id))
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return
    current, today = progress.current, progress.today
    plan = current.plan if current else None
    text = format_progress(
        t,
        streak_days=progress.streak_days,
        goal_text=describe_current_goal(current, t) if current else None,
        plan=plan,
        days_left=current.known.days_left(today) if current and current.known else None,
        month=summarise_activity(seconds_by_day(progress.days, end=today)),
        span_days=DEFAULT_SPAN_DAYS,
    )
    target_minutes = None
    if plan is not None and plan_goal_type(plan) is GoalType.QURAN_TIME:
        target_minutes = (plan.daily_target_seconds or 0) / 60 or None
    png = await asyncio.to_thread(
        render_activity_chart, progress.days, end=today, target_minutes=target_minutes
    )
    caption = text + "\n" + t.gettext("The chart shows minutes read per day.")
    await deliver_privately(update, context, t, caption, photo=png)


async def progress_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    reader = await open_reader(update, context, t)
    if reader is not None:
        await send_progress(update, context, reader, t)


async def progress_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: ShowProgress
) -> None:
    t = await translator_for(update, context)
    reader = await open_for_owner(update, context, t, data.owner)
    if reader is not None:
        await answer_press(update)
        await send_progress(update, context, reader, t)
