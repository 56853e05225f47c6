"""The group admin panel as screens: which screen a press leads to, and what each one shows.

Pure, like the rest of a well-kept panel: `screen_after(press)` names the screen that follows a
press, `render(screen, state, t)` draws it from the group's stored reminder, and neither does any
I/O. The handler (`admin.py`) applies the press's change through the service, reads the state
again and edits the message with what `render` returns, so a panel survives restarts and needs
no conversation: every button says what it does and acts on the chat it was pressed in.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, auto

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.reminders import (
    ALL_WEEKDAYS,
    MAX_TIMES,
    local_today,
    portion_ranges,
    time_of,
)
from bot.domain.timezones import utc_offset_label
from bot.i18n import Translator
from bot.presentation.reminders import day_names, describe_days, describe_times, next_line
from bot.services.reminders import schedule_of
from bot.services.wird import wird_view
from handlers.callbacks import button
from handlers.reminders.buttons import (
    AddTime,
    ClosePanel,
    PanelPress,
    RemoveTime,
    SetNudge,
    SetSummary,
    SetZone,
    ShowHours,
    ShowMinutes,
    ShowPanel,
    ShowPortionHelp,
    ShowTextHelp,
    ShowZones,
    ToggleDay,
    TurnOff,
    TurnOn,
)
from storage import Reminder

logger = logging.getLogger(__name__)

#: Offered by the panel's timezone button; anything else via `/reminders timezone City`.
COMMON_TIMEZONES: tuple[str, ...] = (
    "Asia/Riyadh",
    "Africa/Cairo",
    "Asia/Dubai",
    "Europe/Istanbul",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Jakarta",
    "Asia/Kuala_Lumpur",
    "Africa/Lagos",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "UTC",
)
_MINUTE_CHOICES = (0, 15, 30, 45)


class View(Enum):
    PANEL = auto()
    HOURS = auto()
    MINUTES = auto()
    ZONES = auto()
    TEXT_HELP = auto()
    PORTION_HELP = auto()
    #: "Done": the summary without buttons.
    CLOSED = auto()


@dataclass(frozen=True)
class Screen:
    view: View
    #: The hour whose minutes are offered (MINUTES only).
    hour: int = 0


@dataclass(frozen=True)
class PanelState:
    """What the panel shows: the group's reminder (None before the first time) and zone."""

    reminder: Reminder | None
    chat_timezone: str | None
    now: datetime

    @property
    def zone(self) -> str | None:
        return (self.reminder.timezone if self.reminder else None) or self.chat_timezone


def screen_after(press: PanelPress) -> Screen:
    """The screen a press leads to; a press that changes something shows the panel again."""
    match press:
        case ShowHours():
            return Screen(View.HOURS)
        case ShowMinutes(hour=hour):
            return Screen(View.MINUTES, hour=hour)
        case ShowZones():
            return Screen(View.ZONES)
        case ShowTextHelp():
            return Screen(View.TEXT_HELP)
        case ShowPortionHelp():
            return Screen(View.PORTION_HELP)
        case ClosePanel():
            return Screen(View.CLOSED)
        case _:
            return Screen(View.PANEL)


def render(
    screen: Screen, state: PanelState, t: Translator
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Text and buttons of `screen` (no buttons once the panel is closed)."""
    match screen.view:
        case View.HOURS:
            return t.gettext("Pick the hour (24-hour clock):"), hours_markup(t)
        case View.MINUTES:
            return t.gettext("And the minutes:"), minutes_markup(screen.hour, t)
        case View.ZONES:
            text = t.gettext(
                "Pick the group's timezone, or send <code>/reminders timezone City</code> "
                "(e.g. <code>/reminders timezone Cairo</code>)."
            )
            return text, zones_markup(t, COMMON_TIMEZONES, state.now)
        case View.TEXT_HELP:
            return text_help(t), InlineKeyboardMarkup([back_row(t)])
        case View.PORTION_HELP:
            return portion_help(t), InlineKeyboardMarkup([back_row(t)])
        case View.CLOSED:
            return panel_text(state, t), None
        case View.PANEL:
            return panel_text(state, t), panel_markup(state.reminder, t)


# --------------------------------------------------------------------------------------------
# The panel


def panel_text(state: PanelState, t: Translator) -> str:
    reminder = state.reminder
    lines = [t.gettext("<b>⏰ Group reading reminders</b>")]
    if reminder is None:
        lines.append(t.gettext("Not set up yet. Add a time to start."))
    else:
        status = t.gettext("on") if reminder.enabled else t.gettext("off")
        lines.append(t.gettext("Status: {status}", status=status))
        lines.append(t.gettext("Times: {times}", times=describe_times(reminder.times, t)))
        lines.append(t.gettext("Days: {days}", days=describe_days(reminder.weekdays, t)))
    zone = state.zone
    if zone:
        lines.append(
            t.gettext(
                "Timezone: {zone} ({offset})",
                zone=t.isolate(html.escape(zone)),
                offset=t.isolate(utc_offset_label(zone, state.now)),
            )
        )
    else:
        lines.append(t.gettext("Timezone: not set (times count as UTC until you choose one)"))
    if reminder is not None:
        lines.extend(_message_lines(reminder, state.now, t))
    return "\n".join(lines)


def _message_lines(reminder: Reminder, now: datetime, t: Translator) -> list[str]:
    nudge = html.escape(reminder.text) if reminder.text else t.gettext("the standard nudge")
    lines = [t.gettext("Message: {text}", text=nudge)]
    view = wird_view(reminder, local_today(now, reminder.timezone))
    if view is not None:
        lines.append(
            t.gettext(
                "Wird: today {today}, tomorrow {tomorrow} ({credit})",
                today=t.isolate(html.escape(view.today.text(t.language))),
                tomorrow=t.isolate(html.escape(view.tomorrow.text(t.language))),
                credit=_credit_note(view.today.verse_ranges() is not None, t),
            )
        )
    elif reminder.portion:
        credit = _credit_note(portion_ranges(reminder.portion) is not None, t)
        lines.append(
            t.gettext(
                "Portion: {portion} ({credit})",
                portion=t.isolate(html.escape(reminder.portion)),
                credit=credit,
            )
        )
    lines.append(
        t.gettext(
            "Evening nudge of who has not read: {nudge} · Weekly summary: {summary}",
            nudge=t.gettext("on") if reminder.nudge_enabled else t.gettext("off"),
            summary=t.gettext("on") if reminder.summary_enabled else t.gettext("off"),
        )
    )
    upcoming = schedule_of(reminder).next_after(now) if reminder.enabled else None
    if upcoming is not None:
        lines.append(next_line(upcoming, t))
    return lines


def _credit_note(creditable: bool, t: Translator) -> str:
    if creditable:
        return t.gettext("credited to members who linked Quran.com")
    return t.gettext("members will be asked what they read")


def panel_markup(reminder: Reminder | None, t: Translator) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    time_buttons = [
        button("✖ " + hhmm, RemoveTime(at=time_of(hhmm)))
        for hhmm in (reminder.times if reminder else ())
    ]
    if not reminder or len(reminder.times) < MAX_TIMES:
        time_buttons.append(button(t.gettext("➕ Time"), ShowHours()))
    rows.extend(time_buttons[i : i + 4] for i in range(0, len(time_buttons), 4))
    if reminder is not None:
        names = day_names(t, "short")
        rows.append(
            [
                button(("●" if day in reminder.weekdays else "○") + names[day], ToggleDay(day=day))
                for day in ALL_WEEKDAYS
            ]
        )
    third = [button(t.gettext("🌍 Timezone"), ShowZones())]
    if reminder is not None:
        third += [
            button(t.gettext("✏️ Message"), ShowTextHelp()),
            button(t.gettext("📖 Portion"), ShowPortionHelp()),
        ]
    rows.append(third)
    if reminder is not None:
        rows.append(
            [
                button(
                    t.gettext("🔕 Nudge off") if reminder.nudge_enabled
                    else t.gettext("🔔 Nudge on"),
                    SetNudge(on=not reminder.nudge_enabled),
                ),
                button(
                    t.gettext("📊 Summary off") if reminder.summary_enabled
                    else t.gettext("📊 Summary on"),
                    SetSummary(on=not reminder.summary_enabled),
                ),
            ]
        )
    last: list[InlineKeyboardButton] = []
    if reminder is not None:
        if reminder.enabled:
            last.append(button(t.gettext("⏸ Turn off"), TurnOff()))
        else:
            last.append(button(t.gettext("▶️ Turn on"), TurnOn()))
    last.append(button(t.gettext("✔️ Done"), ClosePanel()))
    rows.append(last)
    return InlineKeyboardMarkup(rows)


# --------------------------------------------------------------------------------------------
# The other screens


def back_row(t: Translator) -> list[InlineKeyboardButton]:
    return [button(t.gettext("⬅️ Back"), ShowPanel())]


def hours_markup(t: Translator) -> InlineKeyboardMarkup:
    hours = [button(f"{hour:02d}", ShowMinutes(hour=hour)) for hour in range(24)]
    rows = [hours[i : i + 6] for i in range(0, 24, 6)]
    return InlineKeyboardMarkup([*rows, back_row(t)])


def minutes_markup(hour: int, t: Translator) -> InlineKeyboardMarkup:
    row = [
        button(f"{hour:02d}:{minute:02d}", AddTime(at=time_of(f"{hour:02d}:{minute:02d}")))
        for minute in _MINUTE_CHOICES
    ]
    return InlineKeyboardMarkup([row, back_row(t)])


def zones_markup(
    t: Translator, zones: tuple[str, ...] | list[str], now: datetime
) -> InlineKeyboardMarkup:
    buttons: list[InlineKeyboardButton] = []
    for zone in zones:
        try:
            data = SetZone(zone=zone)
        except ValueError:
            # A name no button can carry (too long for Telegram's 64 bytes): the offer without
            # it still works, and `/reminders timezone …` takes any name.
            logger.info("timezone %r cannot be put on a button", zone)
            continue
        buttons.append(button(f"{zone} ({utc_offset_label(zone, now)})", data))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup([*rows, back_row(t)])


def text_help(t: Translator) -> str:
    return t.gettext(
        "Send the reminder's message like this:\n"
        "<code>/reminders text Time for our daily reading!</code>\n"
        "<code>/reminders text off</code> goes back to the standard nudge."
    )


def portion_help(t: Translator) -> str:
    return t.gettext(
        "Start a wird that moves on each reminder day:\n"
        "<code>/reminders portion juz 1</code> (juz 1, then juz 2, …), "
        "<code>/reminders portion pages 1-20</code> (pages 1–20, then 21–40, …), "
        "<code>/reminders portion hizb 1</code>, <code>/reminders portion Al-Mulk</code> or "
        "<code>/reminders portion 2:1-2:141</code>.\n"
        "A portion that repeats: <code>/reminders portion fixed Al-Kahf</code>.\n"
        "Members who linked Quran.com get juz, hizbs, surahs and verses credited when they press "
        "\"I read it\"; for pages and free text I ask each member what they read.\n"
        "<code>/reminders portion off</code> removes it."
    )
