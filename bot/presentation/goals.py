"""Goals said back to people: durations, day counts, ranges, progress bars, the current goal."""

from __future__ import annotations

import html
import math

from bot.domain.chapters import chapter_name
from bot.domain.goals import (
    GoalSpec,
    GoalType,
)
from bot.domain.verses import (
    VerseRange,
)
from bot.i18n import Translator
from bot.services.goals import CurrentGoal, plan_goal_type

# ---------------------------------------------------------------------------------------------
# Saying goals back


def format_duration(seconds: int, t: Translator) -> str:
    """`15 minutes`, `1 hour and 30 minutes`, `45 seconds`, in the translator's language."""
    hours, remainder = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(remainder, 60)
    parts: list[str] = []
    if hours:
        parts.append(t.ngettext("{n} hour", "{n} hours", hours))
    if minutes:
        parts.append(t.ngettext("{n} minute", "{n} minutes", minutes))
    if secs or not parts:
        parts.append(t.ngettext("{n} second", "{n} seconds", secs))
    text = parts[0]
    for index, part in enumerate(parts[1:], start=2):
        if index == len(parts):
            text = t.gettext("{first} and {second}", first=text, second=part)
        else:
            text = t.gettext("{first}, {second}", first=text, second=part)
    return text


def format_days(days: int, t: Translator) -> str:
    return t.ngettext("{n} day", "{n} days", days)


def describe_range(verse_range: VerseRange, t: Translator) -> str:
    """"the whole Quran", "Surah Al-Mulk" or "2:1–40" (isolated for right-to-left text)."""
    if verse_range.is_whole_quran:
        return t.gettext("the whole Quran")
    if verse_range.is_whole_chapter:
        return t.gettext(
            "Surah {name}", name=chapter_name(verse_range.start_chapter, t.language)
        )
    return t.isolate(verse_range.display(t.language))


def describe_goal(spec: GoalSpec, t: Translator, *, juz: int | None = None) -> str:
    """One line for the user: "15 minutes a day", "Finish the whole Quran in 30 days".
    `juz`: a page goal chosen in juz ("1 juz (20 pages) a day"): said as it was chosen."""
    if spec.type is GoalType.QURAN_RANGE:
        verse_range = spec.verse_range
        target = describe_range(verse_range, t) if verse_range else html.escape(str(spec.amount))
        if spec.duration_days is None:
            return t.gettext("Read {range} every day", range=target)
        return t.gettext(
            "Finish {range} in {days}", range=target, days=format_days(spec.duration_days, t)
        )
    if spec.type is GoalType.QURAN_TIME:
        amount = format_duration(int(spec.amount), t)
    else:
        amount = t.ngettext("{n} page", "{n} pages", int(spec.amount))
        if juz:
            amount = t.ngettext("{n} juz ({pages})", "{n} juz ({pages})", juz, pages=amount)
    if spec.duration_days is None:
        return t.gettext("{amount} a day", amount=amount)
    return t.gettext(
        "{amount} a day for {days}", amount=amount, days=format_days(spec.duration_days, t)
    )


#: The percent sign that goes with a language's own digits (`٥٠٪`, not `٥٠%`).
_PERCENT_SIGNS: dict[str, str] = {"ar": "٪"}


def progress_bar(fraction: float, width: int = 10, t: Translator | None = None) -> str:
    """`▰▰▰▱▱▱▱▱▱▱ 30%` (`٣٠٪` in Arabic). Rounds down, so the bar is only full when the goal
    is met."""
    if math.isnan(fraction):
        fraction = 0.0
    fraction = min(max(fraction, 0.0), 1.0)
    width = max(width, 1)
    filled = math.floor(fraction * width + 1e-9)
    percent = math.floor(fraction * 100 + 1e-9)
    number = t.number(percent) if t is not None else str(percent)
    sign = _PERCENT_SIGNS.get(t.language, "%") if t is not None else "%"
    return f"{'▰' * filled}{'▱' * (width - filled)} {number}{sign}"


def describe_current_goal(current: CurrentGoal, t: Translator) -> str:
    """Our own description when we made the goal, else what today's plan reveals."""
    if current.known is not None:
        return describe_goal(current.known.spec, t)
    plan = current.plan
    kind = plan_goal_type(plan) if plan else None
    if plan is not None and kind is GoalType.QURAN_TIME and plan.daily_target_seconds:
        return t.gettext(
            "{amount} a day", amount=format_duration(int(plan.daily_target_seconds), t)
        )
    if plan is not None and kind is GoalType.QURAN_PAGES and plan.daily_target_pages:
        return t.gettext("{amount} a day", amount=pages_amount(plan.daily_target_pages, t))
    if kind is GoalType.QURAN_RANGE:
        return t.gettext("A verse-range goal set on Quran.com")
    return t.gettext("A goal set on Quran.com")


def pages_number(pages: float, t: Translator) -> str:
    rounded = round(pages, 1)
    text = str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"
    return t.number(text)


def cannot_change_text(current: CurrentGoal, t: Translator) -> str:
    """Why a goal set on Quran.com can't be changed here (its id is unknown to us)."""
    return t.gettext(
        "You already have a goal ({goal}) that was set on Quran.com, and Quran.com doesn't "
        "tell me its id, so I can't change it from here. Change or delete it on Quran.com, "
        "then come back.",
        goal=describe_current_goal(current, t),
    )


def pages_amount(pages: float, t: Translator) -> str:
    """"1 page", "2 pages", "1.5 pages": whole numbers take the language's plural forms."""
    rounded = round(pages, 1)
    if rounded == int(rounded):
        return t.ngettext("{n} page", "{n} pages", int(rounded))
    return t.gettext("{pages} pages", pages=pages_number(rounded, t))
