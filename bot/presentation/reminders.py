"""Reminders in words: times and days as people read them, the nudge itself, snoozes and the
list of who has read under a group reminder.

Everything takes plain values (times as "HH:MM", weekdays 0 = Monday) and returns HTML for a
message; the panel that combines them is `handlers.reminders.panel`.
"""

from __future__ import annotations

import html
from typing import Literal

from babel.dates import get_day_names

from bot.domain.reminders import ALL_WEEKDAYS, Occurrence
from bot.i18n import Translator
from bot.presentation.reading import format_short_day
from bot.presentation.text import isolated_name

#: Put in front of the check-in count line so an edit can find and replace it.
CHECK_IN_MARK = "✅ "


def time_text(hhmm: str, t: Translator) -> str:
    """ "21:00" in the language's digits, kept left-to-right inside Arabic text."""
    return t.isolate(t.number(hhmm))


def day_names(
    t: Translator, width: Literal["abbreviated", "short"] = "abbreviated"
) -> list[str]:
    """Names of the weekdays, Monday first (index = stored weekday)."""
    names = get_day_names(width, locale=t.language)
    return [str(names[index]) for index in ALL_WEEKDAYS]


def describe_days(weekdays: tuple[int, ...], t: Translator) -> str:
    if set(weekdays) == set(ALL_WEEKDAYS):
        return t.gettext("every day")
    names = day_names(t)
    return t.join([names[day] for day in sorted(weekdays)])


def describe_times(times: tuple[str, ...], t: Translator) -> str:
    return t.join([time_text(hhmm, t) for hhmm in times])


def next_line(upcoming: Occurrence, t: Translator) -> str:
    day = format_short_day(upcoming.local_date, t)
    return t.gettext("Next: {day}, {time}", day=day, time=time_text(upcoming.time, t))


def group_nudge(
    text: str | None, portion: str | None, t: Translator, *, completes_round: bool = False
) -> str:
    """A group reminder: the admins' message (or the standard one) and today's portion; on the
    last portion of the Quran, the congratulation (the next round starts with the next one)."""
    lines = [html.escape(text) if text else t.gettext("🌿 Time for today's Quran reading!")]
    if portion:
        lines.append(t.gettext("📖 Today: {portion}", portion=t.isolate(html.escape(portion))))
    if completes_round:
        lines.append(
            t.gettext(
                "🎉 With today's portion the group completes the Quran. Mabrook! "
                "The next round starts from the beginning at the next reminder."
            )
        )
    return "\n".join(lines)


def private_nudge(text: str | None, progress: float | None, t: Translator) -> str:
    """A person's reminder, with how far today's goal is when it is known."""
    nudge = t.gettext("🌿 Time for your Quran reading.")
    lines = [html.escape(text) if text else nudge]
    if progress is not None:
        lines.append(
            t.gettext(
                "So far today: {percent}% of your goal.",
                percent=t.number(round(progress * 100)),
            )
        )
    return "\n".join(lines)


def snooze_label(minutes: int, t: Translator) -> str:
    if minutes % 60 == 0:
        return t.ngettext("⏰ In {n} hour", "⏰ In {n} hours", minutes // 60)
    return t.ngettext("⏰ In {n} minute", "⏰ In {n} minutes", minutes)


def snoozed_line(hhmm: str, t: Translator) -> str:
    return t.gettext("⏰ Snoozed until {time}.", time=time_text(hhmm, t))


#: Names listed under a reminder; beyond this the line says "and N more" (a message stays well
#: inside Telegram's 4,096 characters however many members check in).
MAX_NAMES_SHOWN = 30
NAME_LENGTH = 24


def with_check_in_names(message_html: str, names: list[str | None], t: Translator) -> str:
    """The reminder text with who has read it: "✅ Read (3): Amina, Omar, Yusuf", names
    escaped, isolated and shortened, at most `MAX_NAMES_SHOWN` of them, then "and N more"."""
    base = without_check_in_count(message_html)
    if not names:
        return base
    shown = [
        html.escape(isolated_name(name, NAME_LENGTH)) if name else t.gettext("a member")
        for name in names[:MAX_NAMES_SHOWN]
    ]
    hidden = len(names) - len(shown)
    if hidden > 0:
        shown.append(t.ngettext("{n} more", "{n} more", hidden))
    listed = t.join(shown)
    line = t.gettext("Read ({count}): {names}", count=t.number(len(names)), names=listed)
    return f"{base}\n\n{CHECK_IN_MARK}{line}"


def without_check_in_count(message_html: str) -> str:
    head, separator, _ = message_html.rpartition("\n\n" + CHECK_IN_MARK)
    return head if separator else message_html
