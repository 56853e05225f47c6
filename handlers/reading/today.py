"""/today: today's plan with its bar and what is left, and the buttons that credit it.

"✅ I read it" credits what the plan still asks for (read fresh at press time), "+N min" credits
time on a time goal; both are credited once however often they are pressed. The plan is
delivered in the private chat: it shows a goal and a streak the user did not post in the group.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.domain.goals import GoalType
from bot.domain.reading import QUICK_MINUTES, new_offer_token, plan_ranges
from bot.domain.verses import VerseRange
from bot.i18n import Translator
from bot.presentation.goals import describe_current_goal
from bot.presentation.reading import credit_summary, format_today, plan_is_done, streak_line
from bot.qf import QFError, TodaysPlan
from bot.services.goals import CurrentGoal, current_goal, plan_goal_type
from bot.services.reader import Reader
from bot.services.reading import (
    CreditResult,
    PlanCheck,
    credit_quick_time,
    credit_rest_of_plan,
    streak_or_none,
)
from handlers.callbacks import CallbackData, button
from handlers.context import translator_for
from handlers.reading.answers import (
    answer_press,
    deliver_privately,
    report_credit,
    try_again_markup,
)
from handlers.reading.buttons import QuickTime, ReadRest, ShowProgress, ShowToday, open_for_owner
from handlers.reflections import reflections_button
from handlers.replies import StartGoalWizard, open_reader, reply_upstream_error


def today_markup(plan: TodaysPlan | None, owner: int, t: Translator) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    if plan is None:
        rows.append([button(t.gettext("🎯 Set a goal"), StartGoalWizard())])
    elif not plan_is_done(plan):
        kind = plan_goal_type(plan)
        remaining = plan_ranges(plan.remaining_daily_target_ranges)
        if remaining and plan.date is not None:
            rows.append([
                button(t.gettext("✅ I read it"), ReadRest(owner, plan.date))
            ])
        if remaining:
            # What others wrote about the verses due today (a public list, anyone may press).
            rows.append([reflections_button(t, remaining[0])])
        elif kind is GoalType.QURAN_TIME:
            token = new_offer_token()
            rows.append([
                button(t.gettext("+{minutes} min", minutes=t.number(minutes)),
                       QuickTime(owner, minutes * 60, token))
                for minutes in QUICK_MINUTES
            ])
    rows.append([
        button(t.gettext("🔄 Refresh"), ShowToday(owner)),
        button(t.gettext("📈 Progress"), ShowProgress(owner)),
    ])
    return InlineKeyboardMarkup(rows)


def _today_text(reader: Reader, t: Translator, current: CurrentGoal | None) -> str:
    if current is None or current.plan is None:
        return t.gettext(
            "You have no reading goal yet. Set one with /goal (for example "
            "<code>/goal 10min</code>), or log reading any time with /read."
        )
    plan = current.plan
    day = plan.date or reader.today()
    text = format_today(
        plan,
        t,
        goal_text=describe_current_goal(current, t),
        day=day,
        days_left=current.known.days_left(day) if current.known else None,
    )
    if plan_goal_type(plan) is GoalType.QURAN_PAGES and not plan_is_done(plan):
        text += "\n" + t.gettext(
            "Log what you read with /read and the verses, e.g. <code>/read 2:1-2:40</code>."
        )
    return text


async def show_today(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    t: Translator,
    *,
    edit: bool,
    note: str | None = None,
) -> None:
    try:
        current = await current_goal(reader, context.user_data)
    except QFError as error:
        retry = try_again_markup(t, ShowToday(reader.user_id))
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return
    text = _today_text(reader, t, current)
    if note:
        text = f"{note}\n\n{text}"
    markup = today_markup(current.plan if current else None, reader.user_id, t)
    await deliver_privately(update, context, t, text, markup, edit=edit)


async def today_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    reader = await open_reader(update, context, t)
    if reader is not None:
        await show_today(update, context, reader, t, edit=False)


async def refresh_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: ShowToday
) -> None:
    t = await translator_for(update, context)
    reader = await open_for_owner(update, context, t, data.owner)
    if reader is not None:
        await answer_press(update)
        await show_today(update, context, reader, t, edit=True)


async def rest_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, data: ReadRest) -> None:
    """"I read it": credit what today's plan still asks for, read fresh at press time."""
    t = await translator_for(update, context)
    reader = await open_for_owner(update, context, t, data.owner)
    if reader is None:
        return
    try:
        rest = await credit_rest_of_plan(reader, data.day, context.user_data)
    except QFError as error:
        await answer_press(update)
        await reply_upstream_error(
            update, context, t, error, retry_markup=try_again_markup(t, data)
        )
        return
    if rest.check is PlanCheck.OTHER_DAY:
        await answer_press(update, t.gettext("That plan is from another day."), alert=True)
        await show_today(update, context, reader, t, edit=True)
    elif rest.check is PlanCheck.NOTHING_LEFT:
        await answer_press(update, t.gettext("Nothing left for today. ✅"))
        await show_today(update, context, reader, t, edit=True)
    elif rest.result is not None:
        await _finish_button_credit(update, context, reader, t, rest.result, rest.ranges, data)


async def quick_time_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: QuickTime
) -> None:
    """"+10 min" for time goals: its amount is bounded by the button's type (QuickSeconds)."""
    t = await translator_for(update, context)
    reader = await open_for_owner(update, context, t, data.owner)
    if reader is None:
        return
    result = await credit_quick_time(reader, data.token, data.seconds)
    await _finish_button_credit(update, context, reader, t, result, [], data)


async def _finish_button_credit(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    t: Translator,
    result: CreditResult,
    ranges: list[VerseRange],
    pressed: CallbackData,
) -> None:
    """Say how a button's credit went (its "Try again" presses the same button again), then
    show the plan as it is now under the note."""
    if not await report_credit(update, context, t, result, retry=pressed):
        return
    note = t.gettext(
        "✅ Credited {summary} to your Quran.com account.",
        summary=credit_summary(ranges, result.seconds, t),
    )
    streak = await streak_or_none(reader)
    if streak is not None:
        note += "\n" + streak_line(streak, t)
    await show_today(update, context, reader, t, edit=True, note=note)
