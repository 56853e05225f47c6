"""Today's plan, streaks, credits and monthly progress as short HTML lines for messages."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import date

from bot.domain.goals import (
    GoalType,
)
from bot.domain.reading import MonthSummary, plan_ranges
from bot.domain.verses import (
    VerseRange,
    format_ranges,
)
from bot.i18n import Translator
from bot.presentation.goals import format_duration, pages_amount, progress_bar
from bot.qf import (
    TodaysPlan,
)
from bot.services.goals import plan_goal_type

# ---------------------------------------------------------------------------------------------
# Days


def format_day(day: date, t: Translator) -> str:
    """"Sunday 29 March" in the translator's language and digits."""
    return t.day(day, "EEEE d MMMM")


def format_short_day(day: date, t: Translator) -> str:
    """"Sun 29 Mar" for lists such as the first week of a goal, in the language's digits."""
    return t.day(day, "EEE d MMM")


# ---------------------------------------------------------------------------------------------
# Saying it back




def linked_ranges(ranges: Sequence[VerseRange], t: Translator) -> str:
    """Ranges as links to Quran.com, e.g. `<a href="https://quran.com/2/1-40">2:1–40</a>`."""
    links = [
        f'<a href="{html.escape(item.quran_url)}">'
        f"{t.isolate(html.escape(item.display(t.language)))}</a>"
        for item in ranges
    ]
    return ("، " if t.language == "ar" else ", ").join(links)


def rough_duration(seconds: int, t: Translator) -> str:
    """Reading time to the minute ("21 minutes"); seconds only for under a minute."""
    if seconds >= 60:
        seconds = round(seconds / 60) * 60
    return format_duration(seconds, t)


def streak_line(days: int, t: Translator) -> str:
    if days <= 0:
        return t.gettext("🔥 No streak yet: read today to start one.")
    return t.ngettext("🔥 Streak: {n} day", "🔥 Streak: {n} days", days)


def credit_summary(ranges: Sequence[VerseRange], seconds: int, t: Translator) -> str:
    """"2:1–40 (4 minutes)" or just "15 minutes" for time without verses."""
    duration = rough_duration(seconds, t)
    if not ranges:
        return duration
    return t.gettext(
        "{ranges} ({duration})",
        ranges=t.isolate(html.escape(format_ranges(ranges, t.language))),
        duration=duration,
    )


def pages_label(first: int, last: int, t: Translator) -> str:
    """"page 5" or "pages 21–22", in the language's digits."""
    if first == last:
        return t.gettext("page {page}", page=t.number(first))
    return t.gettext(
        "pages {first}–{last}", first=t.number(first), last=t.number(last)
    )


def _target_line(plan: TodaysPlan, kind: GoalType | None, t: Translator) -> str | None:
    if kind is GoalType.QURAN_TIME and plan.daily_target_seconds:
        return t.gettext(
            "Today's target: {amount}", amount=format_duration(int(plan.daily_target_seconds), t)
        )
    if kind is GoalType.QURAN_PAGES and plan.daily_target_pages:
        return t.gettext(
            "Today's target: {pages}", pages=pages_amount(plan.daily_target_pages, t)
        )
    targets = plan_ranges(plan.daily_target_ranges)
    if targets:
        return t.gettext("Today's target: {ranges}", ranges=linked_ranges(targets, t))
    return None


def _read_line(plan: TodaysPlan, t: Translator) -> str:
    seconds = int(plan.seconds_read or 0)
    verses = int(plan.verses_read or 0)
    if seconds <= 0 and verses <= 0:
        return t.gettext("Nothing read yet today.")
    parts = [rough_duration(seconds, t)] if seconds > 0 else []
    if verses > 0:
        parts.append(t.ngettext("{n} verse", "{n} verses", verses))
    if plan.pages_read:
        parts.append(pages_amount(float(plan.pages_read), t))
    return t.gettext("Read so far: {summary}", summary=" · ".join(parts))


def _remaining_line(plan: TodaysPlan, kind: GoalType | None, t: Translator) -> str | None:
    remaining = plan_ranges(plan.remaining_daily_target_ranges)
    if remaining:
        return t.gettext("Still to read: {ranges}", ranges=linked_ranges(remaining, t))
    if kind is GoalType.QURAN_TIME and plan.daily_target_seconds:
        left = int(plan.daily_target_seconds) - int(plan.seconds_read or 0)
        if left > 0:
            return t.gettext("Still to read: {amount}", amount=rough_duration(left, t))
    if kind is GoalType.QURAN_PAGES and plan.daily_target_pages:
        left_pages = float(plan.daily_target_pages) - float(plan.pages_read or 0)
        if left_pages > 0:
            return t.gettext(
                "Still to read: about {pages}",
                pages=pages_amount(math.ceil(left_pages * 10) / 10, t),
            )
    return None


def plan_is_done(plan: TodaysPlan) -> bool:
    return (plan.progress or 0.0) >= 1.0


def format_today(
    plan: TodaysPlan,
    t: Translator,
    *,
    goal_text: str,
    day: date | None,
    days_left: int | None = None,
) -> str:
    """/today: heading, goal, progress bar, what was read, the target and what is left."""
    heading = t.gettext("<b>Today's plan</b>")
    if day is not None:
        heading = t.gettext("<b>Today's plan</b> · {day}", day=format_day(day, t))
    kind = plan_goal_type(plan)
    lines = [
        heading,
        t.gettext("🎯 {goal}", goal=goal_text),
        progress_bar(plan.progress or 0.0, t=t),
        _read_line(plan, t),
    ]
    target = _target_line(plan, kind, t)
    if target:
        lines.append(target)
    if plan_is_done(plan):
        lines.append(t.gettext("✅ Today's goal is done. May Allah accept it from you."))
    else:
        remaining = _remaining_line(plan, kind, t)
        if remaining:
            lines.append(remaining)
    if days_left is not None:
        lines.append(t.ngettext("⏳ {n} day left", "⏳ {n} days left", days_left))
    return "\n".join(lines)


def format_progress(
    t: Translator,
    *,
    streak_days: int,
    goal_text: str | None,
    plan: TodaysPlan | None,
    days_left: int | None,
    month: MonthSummary,
    span_days: int,
) -> str:
    """/progress: streak, goal and today's share of it, days left, and the period in numbers."""
    lines = [t.gettext("<b>Your progress</b>"), streak_line(streak_days, t)]
    if goal_text is None:
        lines.append(t.gettext("🎯 No goal yet: set one with /goal."))
    else:
        lines.append(t.gettext("🎯 {goal}", goal=goal_text))
        if plan is not None:
            lines.append(
                t.gettext("Today: {bar}", bar=progress_bar(plan.progress or 0.0, t=t))
            )
        if days_left is not None:
            lines.append(t.ngettext("⏳ {n} day left", "⏳ {n} days left", days_left))
    if month.reading_days:
        lines.append(
            t.ngettext(
                "Last {days} days: read on {n} day, {time} in all.",
                "Last {days} days: read on {n} days, {time} in all.",
                month.reading_days,
                days=t.number(span_days),
                time=rough_duration(month.seconds, t),
            )
        )
    else:
        lines.append(
            t.gettext("No reading logged in the last {days} days.", days=t.number(span_days))
        )
    return "\n".join(lines)
