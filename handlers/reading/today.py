"""/today: today's plan with its bar and what is left, and the buttons that credit it.

"✅ I read it" credits what the plan still asks for (read fresh at press time), "+N min" credits
time on a time goal, and a page goal offers the next pages to read ("📖 Pages 23–24", from the
last verse credited); each is credited once however often it is pressed, a page button credits
exactly the pages it showed, and a credit of verses also moves Quran.com's "continue reading".
"📖 Continue from 18:11" links to Quran.com at the verse after the latest reading session. The
plan is
delivered in the private chat: it shows a goal and a streak the user did not post in the group.
"""

from __future__ import annotations

import asyncio
import math
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.domain.goals import GoalType
from bot.domain.pages import next_pages, page_map
from bot.domain.reading import QUICK_MINUTES, new_offer_token, plan_ranges
from bot.domain.reading_position import VersePosition
from bot.domain.verses import VerseRange
from bot.i18n import Translator
from bot.presentation.goals import describe_current_goal
from bot.presentation.reading import (
    credit_summary,
    format_today,
    pages_label,
    plan_is_done,
    streak_line,
)
from bot.qf import QFError, TodaysPlan
from bot.services.goals import CurrentGoal, current_goal, plan_goal_type
from bot.services.reader import Reader
from bot.services.reading import (
    CreditOutcome,
    CreditResult,
    PlanCheck,
    credit_pages,
    credit_quick_time,
    credit_rest_of_plan,
    last_read,
    plan_version,
    remember_last_read,
    streak_or_none,
)
from bot.services.reading_position import beside_position, continue_point
from handlers.callbacks import CallbackData, button
from handlers.context import translator_for
from handlers.reading.answers import (
    answer_press,
    deliver_privately,
    report_credit,
    try_again_markup,
)
from handlers.reading.buttons import (
    QuickTime,
    ReadPages,
    ReadRest,
    ShowProgress,
    ShowToday,
    open_for_owner,
)
from handlers.reflections import reflections_button
from handlers.replies import StartGoalWizard, open_reader, reply_upstream_error


def pages_to_offer(
    plan: TodaysPlan, mushaf_id: int, last: tuple[int, int] | None
) -> tuple[int, int] | None:
    """The next pages a page goal asks for today (what is left of the target, whole pages,
    at least one), on from the last verse credited; None without a page map or target."""
    if page_map(mushaf_id) is None or not plan.daily_target_pages:
        return None
    left = float(plan.daily_target_pages) - float(plan.pages_read or 0)
    return next_pages(mushaf_id, last, max(math.ceil(left - 0.05), 1))


def _page_buttons(
    owner: int, day: date, pages: tuple[int, int], t: Translator
) -> list[InlineKeyboardButton]:
    first, last = pages
    offer = [button(t.gettext("📖 I read {pages}", pages=pages_label(first, last, t)),
                    ReadPages(owner, day, first, last))]
    if last > first:
        offer.append(button(t.gettext("📖 Only {page}", page=pages_label(first, first, t)),
                            ReadPages(owner, day, first, first)))
    return offer


def today_markup(
    plan: TodaysPlan | None,
    owner: int,
    t: Translator,
    resume: VersePosition | None = None,
    *,
    pages: tuple[int, int] | None = None,
) -> InlineKeyboardMarkup:
    """The plan's buttons; `pages` are the next pages to offer on a page goal, `resume` where
    the latest reading session stopped."""
    rows: list[list[InlineKeyboardButton]] = []
    if plan is None:
        rows.append([button(t.gettext("🎯 Set a goal"), StartGoalWizard())])
    elif not plan_is_done(plan):
        kind = plan_goal_type(plan)
        remaining = plan_ranges(plan.remaining_daily_target_ranges)
        if remaining and plan.date is not None:
            shown = plan_version([item.key for item in remaining])
            rows.append([
                button(t.gettext("✅ I read it"), ReadRest(owner, plan.date, shown))
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
        elif kind is GoalType.QURAN_PAGES and pages is not None and plan.date is not None:
            rows.append(_page_buttons(owner, plan.date, pages, t))
    if resume is not None:
        # A link, not a callback: it opens Quran.com where the reading session left off.
        verse = t.isolate(VerseRange.single(resume.chapter, resume.verse).display(t.language))
        rows.append([InlineKeyboardButton(
            t.gettext("📖 Continue from {verse}", verse=verse), url=resume.reading_url
        )])
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
        if page_map(reader.mushaf_id) is None:
            text += "\n" + t.gettext(
                "Log what you read with /read and the verses, e.g. <code>/read 2:1-2:40</code> "
                "(logging by page isn't available for your mushaf yet)."
            )
        else:
            text += "\n" + t.gettext(
                "Log pages with /read, e.g. <code>/read page 5</code>, "
                "<code>/read pages 21-22</code> or <code>/read 2 pages</code>."
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
        # Where Quran.com's "continue reading" stands, read beside the plan (never an error).
        current, resume = await asyncio.gather(
            current_goal(reader, context.user_data), continue_point(reader)
        )
    except QFError as error:
        retry = try_again_markup(t, ShowToday(reader.user_id))
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return
    text = _today_text(reader, t, current)
    if note:
        text = f"{note}\n\n{text}"
    plan = current.plan if current else None
    pages = (
        pages_to_offer(plan, reader.mushaf_id, last_read(context.user_data))
        if plan is not None and plan_goal_type(plan) is GoalType.QURAN_PAGES
        else None
    )
    markup = today_markup(plan, reader.user_id, t, resume, pages=pages)
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
        rest = await credit_rest_of_plan(reader, data.day, data.shown, context.user_data)
    except QFError as error:
        await answer_press(update)
        await reply_upstream_error(
            update, context, t, error, retry_markup=try_again_markup(t, data)
        )
        return
    if rest.check is PlanCheck.OTHER_DAY:
        await answer_press(update, t.gettext("That plan is from another day."), alert=True)
        await show_today(update, context, reader, t, edit=True)
    elif rest.check is PlanCheck.CHANGED:
        await answer_press(update, t.gettext(
            "Today's plan has changed since; nothing was credited. Here it is now."
        ), alert=True)
        await show_today(update, context, reader, t, edit=True)
    elif rest.check is PlanCheck.NOTHING_LEFT:
        await answer_press(update, t.gettext("Nothing left for today. ✅"))
        await show_today(update, context, reader, t, edit=True)
    elif rest.result is not None:
        if rest.result.outcome is CreditOutcome.CREDITED:
            remember_last_read(context.user_data, rest.ranges)
        await _finish_button_credit(update, context, reader, t, rest.result, rest.ranges, data)


async def pages_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: ReadPages
) -> None:
    """"📖 I read pages 23–24": exactly the pages the button showed, once per day."""
    t = await translator_for(update, context)
    reader = await open_for_owner(update, context, t, data.owner)
    if reader is None:
        return
    try:
        result = await credit_pages(reader, data.day, data.first, data.last)
    except ValueError:
        # The mushaf changed since the button was shown: those page numbers mean other verses.
        await answer_press(
            update, t.gettext("Your mushaf changed since this was shown."), alert=True
        )
        await show_today(update, context, reader, t, edit=True)
        return
    pages = page_map(reader.mushaf_id)
    ranges = [pages.verses(data.first, data.last)] if pages is not None else []
    if result.outcome is CreditOutcome.CREDITED:
        remember_last_read(context.user_data, ranges)
    await _finish_button_credit(
        update, context, reader, t, result, ranges, data, pages=(data.first, data.last)
    )


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
    *,
    pages: tuple[int, int] | None = None,
) -> None:
    """Say how a button's credit went (its "Try again" presses the same button again), then
    show the plan as it is now under the note (`pages`: the pages a page button credited)."""
    if not await report_credit(update, context, t, result, retry=pressed):
        return
    summary = credit_summary(ranges, result.seconds, t)
    if pages is not None:
        summary = t.gettext("{pages}: {summary}", pages=pages_label(*pages, t), summary=summary)
    note = t.gettext("✅ Credited {summary} to your Quran.com account.", summary=summary)
    stopped = ranges if result.outcome is CreditOutcome.CREDITED else []
    streak = await beside_position(reader, stopped, streak_or_none(reader))
    if streak is not None:
        note += "\n" + streak_line(streak, t)
    await show_today(update, context, reader, t, edit=True, note=note)
