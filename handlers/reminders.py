"""Reminders: the group admin panel (/reminders, /stopreminders), a private /remind with snooze
buttons, and the "I read it" check-in under group reminders.

The group panel is stateless: every button carries what it does ("rem:a:2100" adds 21:00) and
acts on the chat it was pressed in, so it survives restarts and needs no conversation. Admin
rights are checked again on every press and every command (a demoted admin's old panel does
nothing). Free text (the message, the portion, a city) is given as command arguments,
`/reminders text …`, since group privacy mode hides plain messages from the bot.

Delivery and jobs live in `bot.app.scheduler`; schedule maths in `bot.domain.reminders`.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import datetime
from typing import Any, Literal

from babel.dates import get_day_names
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatID, ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.app.scheduler import (
    CHECK_IN_PREFIX,
    SNOOZE_PREFIX,
    ReminderScheduler,
    schedule_of,
    with_check_in_count,
)
from bot.domain.reminders import (
    ALL_WEEKDAYS,
    SNOOZE_MINUTES,
    local_today,
    parse_slot,
    parse_time,
    parse_weekdays,
    split_times,
)
from bot.domain.timezones import suggest_timezones, utc_offset_label, validate_timezone
from bot.domain.verse_parsing import parse_verse_ranges
from bot.domain.verses import VerseRangeError
from bot.i18n import Translator, get_translator, resolve_language
from bot.presentation.reading import format_short_day
from bot.presentation.text import isolated_name, shorten_for_echo
from bot.qf import LinkExpired, NotLinked, QFError, friendly_error
from bot.services.deps import Deps, deps_of
from handlers.context import chat_settings_for, translator_for
from handlers.replies import (
    ask_for_timezone,
    is_group_admin,
    link_account_markup,
    private_chat_markup,
    private_chat_url,
    send,
    session_for,
)
from storage import DEFAULT_MUSHAF_ID, Reminder

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
MAX_TEXT_LENGTH = 500
MAX_PORTION_LENGTH = 120
MAX_TIMES = 6
_MINUTE_CHOICES = ("00", "15", "30", "45")
_OFF_WORDS = frozenset({"off", "stop", "none", "no", "remove", "clear", "إيقاف", "ايقاف"})
_ON_WORDS = frozenset({"on", "start", "resume", "تشغيل"})

# Panel callback data ("rem:<action>[:<arg>]"); each is re-authorised when pressed.
PANEL_VIEW = "rem:v"
PANEL_HOURS = "rem:t"
PANEL_HOUR = "rem:h"  # rem:h:HH -> minute choices
PANEL_ADD_TIME = "rem:a"  # rem:a:HHMM
PANEL_REMOVE_TIME = "rem:x"  # rem:x:HHMM
PANEL_DAY = "rem:d"  # rem:d:<0=Mon..6=Sun>
PANEL_ZONES = "rem:z"
PANEL_SET_ZONE = "rem:zs"  # rem:zs:<IANA name>
PANEL_TEXT = "rem:e"
PANEL_PORTION = "rem:p"
PANEL_ON = "rem:on"
PANEL_OFF = "rem:off"
PANEL_DONE = "rem:c"


async def group_reminder(deps: Deps, chat_id: int) -> Reminder | None:
    for reminder in await deps.reminders.for_chat(chat_id):
        if reminder.kind == "group":
            return reminder
    return None


async def private_reminder(deps: Deps, user_id: int) -> Reminder | None:
    for reminder in await deps.reminders.for_chat(user_id):
        if reminder.kind == "private":
            return reminder
    return None


# --------------------------------------------------------------------------------------------
# Rendering


def _time_text(hhmm: str, t: Translator) -> str:
    return t.isolate(t.number(hhmm))


def _day_names(
    t: Translator, width: Literal["abbreviated", "short"] = "abbreviated"
) -> list[str]:
    names = get_day_names(width, locale=t.language)
    return [str(names[index]) for index in ALL_WEEKDAYS]


def describe_days(weekdays: tuple[int, ...], t: Translator) -> str:
    if set(weekdays) == set(ALL_WEEKDAYS):
        return t.gettext("every day")
    names = _day_names(t)
    return t.join([names[day] for day in sorted(weekdays)])


def describe_times(times: tuple[str, ...], t: Translator) -> str:
    return t.join([_time_text(hhmm, t) for hhmm in times])


_TODAY_PREFIX = re.compile(r"^\s*(?:today|اليوم)\s*:\s*", re.IGNORECASE)


def clean_portion(text: str) -> str:
    """"today: pages 21-40" is stored as "pages 21-40": the message already says "Today:"."""
    return _TODAY_PREFIX.sub("", text).strip()


def portion_ranges(portion: str | None) -> list[str] | None:
    """The portion as API verse ranges when it reads as verses ("juz 2", "2:1-2:141",
    "Al-Mulk"); None for free text such as "pages 21-40", which cannot be credited as is
    (pages become verses only with a page map of the mushaf, which the bot does not have)."""
    if not portion:
        return None
    try:
        return [item.key for item in parse_verse_ranges(clean_portion(portion))]
    except VerseRangeError:
        return None


def _next_line(reminder: Reminder, deps: Deps, t: Translator) -> str | None:
    if not reminder.enabled:
        return None
    upcoming = schedule_of(reminder).next_after(deps.clock())
    if upcoming is None:
        return None
    day = format_short_day(upcoming.local_date, t)
    return t.gettext("Next: {day}, {time}", day=day, time=_time_text(upcoming.time, t))


async def panel_text(deps: Deps, chat_id: int, t: Translator) -> str:
    reminder = await group_reminder(deps, chat_id)
    settings = await deps.chats.get(chat_id)
    zone = (reminder.timezone if reminder else None) or (settings.timezone if settings else None)
    lines = [t.gettext("<b>⏰ Group reading reminders</b>")]
    if reminder is None:
        lines.append(t.gettext("Not set up yet. Add a time to start."))
    else:
        status = t.gettext("on") if reminder.enabled else t.gettext("off")
        lines.append(t.gettext("Status: {status}", status=status))
        lines.append(t.gettext("Times: {times}", times=describe_times(reminder.times, t)))
        lines.append(t.gettext("Days: {days}", days=describe_days(reminder.weekdays, t)))
    if zone:
        lines.append(
            t.gettext(
                "Timezone: {zone} ({offset})",
                zone=t.isolate(html.escape(zone)),
                offset=t.isolate(utc_offset_label(zone, deps.clock())),
            )
        )
    else:
        lines.append(t.gettext("Timezone: not set (times count as UTC until you choose one)"))
    if reminder is not None:
        nudge = html.escape(reminder.text) if reminder.text else t.gettext("the standard nudge")
        lines.append(t.gettext("Message: {text}", text=nudge))
        if reminder.portion:
            credit = (
                t.gettext("credited to members who linked Quran.com")
                if portion_ranges(reminder.portion)
                else t.gettext("members will be asked what they read")
            )
            lines.append(
                t.gettext(
                    "Portion: {portion} ({credit})",
                    portion=t.isolate(html.escape(reminder.portion)),
                    credit=credit,
                )
            )
        next_line = _next_line(reminder, deps, t)
        if next_line:
            lines.append(next_line)
    return "\n".join(lines)


async def panel_markup(deps: Deps, chat_id: int, t: Translator) -> InlineKeyboardMarkup:
    reminder = await group_reminder(deps, chat_id)
    rows: list[list[InlineKeyboardButton]] = []
    time_buttons = [
        InlineKeyboardButton(
            "✖ " + hhmm, callback_data=f"{PANEL_REMOVE_TIME}:{hhmm.replace(':', '')}"
        )
        for hhmm in (reminder.times if reminder else ())
    ]
    if not reminder or len(reminder.times) < MAX_TIMES:
        time_buttons.append(InlineKeyboardButton(t.gettext("➕ Time"), callback_data=PANEL_HOURS))
    rows.extend(time_buttons[i : i + 4] for i in range(0, len(time_buttons), 4))
    if reminder is not None:
        names = _day_names(t, "short")
        rows.append(
            [
                InlineKeyboardButton(
                    ("●" if day in reminder.weekdays else "○") + names[day],
                    callback_data=f"{PANEL_DAY}:{day}",
                )
                for day in ALL_WEEKDAYS
            ]
        )
    third = [InlineKeyboardButton(t.gettext("🌍 Timezone"), callback_data=PANEL_ZONES)]
    if reminder is not None:
        third += [
            InlineKeyboardButton(t.gettext("✏️ Message"), callback_data=PANEL_TEXT),
            InlineKeyboardButton(t.gettext("📖 Portion"), callback_data=PANEL_PORTION),
        ]
    rows.append(third)
    last: list[InlineKeyboardButton] = []
    if reminder is not None:
        if reminder.enabled:
            last.append(InlineKeyboardButton(t.gettext("⏸ Turn off"), callback_data=PANEL_OFF))
        else:
            last.append(InlineKeyboardButton(t.gettext("▶️ Turn on"), callback_data=PANEL_ON))
    last.append(InlineKeyboardButton(t.gettext("✔️ Done"), callback_data=PANEL_DONE))
    rows.append(last)
    return InlineKeyboardMarkup(rows)


def _back_row(t: Translator) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(t.gettext("⬅️ Back"), callback_data=PANEL_VIEW)]


def hours_markup(t: Translator) -> InlineKeyboardMarkup:
    hours = [
        InlineKeyboardButton(f"{hour:02d}", callback_data=f"{PANEL_HOUR}:{hour:02d}")
        for hour in range(24)
    ]
    rows = [hours[i : i + 6] for i in range(0, 24, 6)]
    return InlineKeyboardMarkup([*rows, _back_row(t)])


def minutes_markup(hour: str, t: Translator) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(f"{hour}:{minute}", callback_data=f"{PANEL_ADD_TIME}:{hour}{minute}")
        for minute in _MINUTE_CHOICES
    ]
    return InlineKeyboardMarkup([row, _back_row(t)])


def zones_markup(
    t: Translator, zones: tuple[str, ...] | list[str], now: datetime
) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            f"{zone} ({utc_offset_label(zone, now)})", callback_data=f"{PANEL_SET_ZONE}:{zone}"
        )
        for zone in zones
        if len(f"{PANEL_SET_ZONE}:{zone}".encode()) <= 64
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup([*rows, _back_row(t)])


# --------------------------------------------------------------------------------------------
# Changing a group's reminder (shared by buttons and command arguments)


async def _zone_for_new_reminder(deps: Deps, chat_id: int) -> str:
    settings = await deps.chats.get(chat_id)
    return settings.timezone if settings and settings.timezone else "UTC"


async def add_group_time(
    deps: Deps, scheduler: ReminderScheduler, chat_id: int, hhmm: str, user_id: int | None
) -> Reminder | None:
    """Add a time (creating the group's reminder on the first one); None when full."""
    reminder = await group_reminder(deps, chat_id)
    if reminder is None:
        reminder = await deps.reminders.create(
            chat_id=chat_id,
            times=[hhmm],
            weekdays=ALL_WEEKDAYS,
            timezone=await _zone_for_new_reminder(deps, chat_id),
            user_id=user_id,
            kind="group",
        )
    elif hhmm not in reminder.times:
        if len(reminder.times) >= MAX_TIMES:
            return None
        reminder = await deps.reminders.update(reminder.id, times=[*reminder.times, hhmm])
    if reminder is not None:
        await scheduler.refresh(reminder.id)
    return reminder


async def set_group_timezone(
    deps: Deps, scheduler: ReminderScheduler, chat_id: int, zone: str
) -> None:
    await deps.chats.update(chat_id, timezone=zone)
    reminder = await group_reminder(deps, chat_id)
    if reminder is not None and reminder.timezone != zone:
        await deps.reminders.update(reminder.id, timezone=zone)
        await scheduler.refresh(reminder.id)


async def set_group_enabled(
    deps: Deps, scheduler: ReminderScheduler, chat_id: int, enabled: bool
) -> Reminder | None:
    reminder = await group_reminder(deps, chat_id)
    if reminder is None:
        return None
    if enabled:
        # Turning reminders on here also means the bot is welcome in the chat again.
        await deps.chats.set_active(chat_id, True)
    updated = await deps.reminders.update(reminder.id, enabled=enabled)
    await scheduler.refresh(reminder.id)
    return updated


# --------------------------------------------------------------------------------------------
# /reminders and /stopreminders


async def _chat_ready(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Deps:
    deps = deps_of(context)
    await chat_settings_for(update, deps)
    return deps


async def refuse_non_admin(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator
) -> None:
    text = t.gettext(
        "Sorry, only the group's admins can change its reminders. "
        "You can still check in under each reminder."
    )
    query = update.callback_query
    if query is not None:
        await query.answer(text, show_alert=True)
        return
    message = update.effective_message
    if message is not None:
        await message.reply_text(text)


async def reminders_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    if chat.type == ChatType.PRIVATE:
        await remind_command(update, context)
        return
    deps = await _chat_ready(update, context)
    t = await translator_for(update, context)
    args = list(context.args or [])
    admin = await is_group_admin(update, context)
    if not args:
        text = await panel_text(deps, chat.id, t)
        if admin:
            await message.reply_text(text, reply_markup=await panel_markup(deps, chat.id, t))
        else:
            note = t.gettext("Only the group's admins can change these reminders.")
            await message.reply_text(f"{text}\n\n<i>{note}</i>")
        return
    if not admin:
        await refuse_non_admin(update, context, t)
        return
    await _apply_argument(update, context, deps, t, args)


async def _apply_argument(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    deps: Deps,
    t: Translator,
    args: list[str],
) -> None:
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    scheduler = ReminderScheduler.of(context)
    command, rest = args[0].casefold(), args[1:]
    raw_rest = _text_after(message, command_words=2)
    user = update.effective_user
    # Who set it up, for the record; an anonymous admin stays anonymous.
    user_id = user.id if user is not None and user.id != ChatID.ANONYMOUS_ADMIN else None
    reminder = await group_reminder(deps, chat.id)

    if command in ("time", "times", "at"):
        times, unread = split_times(rest)
        if not times or unread:
            await message.reply_text(
                t.gettext("Write the times like this: <code>/reminders time 07:00 21:00</code>")
            )
            return
        wanted = sorted({value for value in times if value})[:MAX_TIMES]
        if reminder is None:
            reminder = await add_group_time(deps, scheduler, chat.id, wanted[0], user_id)
        if reminder is not None:
            await deps.reminders.update(reminder.id, times=wanted)
            await scheduler.refresh(reminder.id)
    elif command in ("days", "day"):
        days = parse_weekdays(" ".join(rest))
        if days is None or reminder is None:
            await message.reply_text(
                t.gettext(
                    "Add a time first, then write the days like this: "
                    "<code>/reminders days mon-fri</code> or <code>/reminders days daily</code>"
                )
                if reminder is None
                else t.gettext(
                    "Write the days like this: <code>/reminders days mon-fri</code>, "
                    "<code>/reminders days fri</code> or <code>/reminders days daily</code>"
                )
            )
            return
        await deps.reminders.update(reminder.id, weekdays=days)
        await scheduler.refresh(reminder.id)
    elif command in ("timezone", "tz", "zone"):
        query = " ".join(rest)
        exact = validate_timezone(query) if query else None
        if exact is not None and ("/" in exact or exact == "UTC"):
            await set_group_timezone(deps, scheduler, chat.id, exact)
        else:
            suggestions = suggest_timezones(query, limit=6, now=deps.clock()) if query else []
            if len(suggestions) == 1:
                await set_group_timezone(deps, scheduler, chat.id, suggestions[0].name)
            else:
                text = (
                    t.gettext("Which one do you mean?")
                    if suggestions
                    else t.gettext(
                        "I don't know that place. Try a big city nearby, e.g. "
                        "<code>/reminders timezone Cairo</code>, or pick one:"
                    )
                )
                names = [s.name for s in suggestions] or list(COMMON_TIMEZONES)
                await message.reply_text(text, reply_markup=zones_markup(t, names, deps.clock()))
                return
    elif command in ("text", "message"):
        if reminder is None:
            await message.reply_text(_add_time_first(t))
            return
        if not raw_rest:
            await message.reply_text(_text_help(t))
            return
        if len(raw_rest) > MAX_TEXT_LENGTH:
            await message.reply_text(
                t.gettext(
                    "That message is too long: keep it under {limit} characters.",
                    limit=t.number(MAX_TEXT_LENGTH),
                )
            )
            return
        text_value = None if raw_rest.casefold() in _OFF_WORDS else raw_rest
        await deps.reminders.update(reminder.id, text=text_value)
    elif command == "portion":
        if reminder is None:
            await message.reply_text(_add_time_first(t))
            return
        if not raw_rest:
            await message.reply_text(_portion_help(t))
            return
        if len(raw_rest) > MAX_PORTION_LENGTH:
            await message.reply_text(
                t.gettext(
                    "That portion is too long: keep it under {limit} characters.",
                    limit=t.number(MAX_PORTION_LENGTH),
                )
            )
            return
        portion = None if raw_rest.casefold() in _OFF_WORDS else clean_portion(raw_rest)
        await deps.reminders.update(reminder.id, portion=portion)
    elif command in _ON_WORDS or command in _OFF_WORDS:
        if reminder is None:
            await message.reply_text(_add_time_first(t))
            return
        await set_group_enabled(deps, scheduler, chat.id, command in _ON_WORDS)
    else:
        await message.reply_text(_usage(t))
        return
    await message.reply_text(
        await panel_text(deps, chat.id, t), reply_markup=await panel_markup(deps, chat.id, t)
    )


def _add_time_first(t: Translator) -> str:
    return t.gettext("Add a time first: <code>/reminders time 21:00</code>")


def _text_after(message: Message, *, command_words: int) -> str:
    """The message text after the command and its first argument, spacing kept (for free
    text such as the reminder message)."""
    text = message.text or ""
    parts = text.split(maxsplit=command_words)
    return parts[command_words].strip() if len(parts) > command_words else ""


def _usage(t: Translator) -> str:
    return t.gettext(
        "Admins can change the group's reminders with the panel from /reminders, or with:\n"
        "<code>/reminders time 07:00 21:00</code>\n"
        "<code>/reminders days mon-fri</code>\n"
        "<code>/reminders timezone Cairo</code>\n"
        "<code>/reminders text Time for our daily reading!</code>\n"
        "<code>/reminders portion juz 2</code>\n"
        "<code>/reminders off</code> (or /stopreminders) and <code>/reminders on</code>"
    )


def _text_help(t: Translator) -> str:
    return t.gettext(
        "Send the reminder's message like this:\n"
        "<code>/reminders text Time for our daily reading!</code>\n"
        "<code>/reminders text off</code> goes back to the standard nudge."
    )


def _portion_help(t: Translator) -> str:
    return t.gettext(
        "Set today's portion for a group plan like this:\n"
        "<code>/reminders portion juz 2</code> or <code>/reminders portion 2:1-2:141</code>\n"
        "Members who linked Quran.com get verses like these credited when they press "
        "\"I read it\". Free text such as <code>pages 21-40</code> works too; then I ask "
        "each member what they read.\n"
        "<code>/reminders portion off</code> removes it."
    )


async def stop_reminders_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    deps = await _chat_ready(update, context)
    t = await translator_for(update, context)
    scheduler = ReminderScheduler.of(context)
    if chat.type == ChatType.PRIVATE:
        await _stop_private(update, context, deps, t)
        return
    if not await is_group_admin(update, context):
        await refuse_non_admin(update, context, t)
        return
    reminder = await set_group_enabled(deps, scheduler, chat.id, False)
    if reminder is None:
        await message.reply_text(t.gettext("This group has no reminders to stop."))
        return
    await message.reply_text(
        t.gettext("Reminders are off. Admins can turn them back on with /reminders.")
    )


# --------------------------------------------------------------------------------------------
# Panel buttons


async def panel_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None or query.data is None:
        return
    t = await translator_for(update, context)
    if chat.type == ChatType.PRIVATE:
        await query.answer()
        return
    if not await is_group_admin(update, context):
        await refuse_non_admin(update, context, t)
        return
    deps = deps_of(context)
    scheduler = ReminderScheduler.of(context)
    action, _, argument = query.data.partition(":")[2].partition(":")
    action = f"rem:{action}"
    alert: str | None = None
    view = "panel"
    if action == PANEL_HOURS:
        view = "hours"
    elif action == PANEL_HOUR and re.fullmatch(r"[01]\d|2[0-3]", argument):
        view = "minutes"
    elif action == PANEL_ADD_TIME:
        hhmm = _hhmm(argument)
        if hhmm is None:
            alert = t.gettext("That time is not valid.")
        elif await add_group_time(deps, scheduler, chat.id, hhmm, query.from_user.id) is None:
            alert = t.gettext(
                "A group can have at most {count} times.", count=t.number(MAX_TIMES)
            )
    elif action == PANEL_REMOVE_TIME:
        alert = await _remove_time(deps, scheduler, chat.id, _hhmm(argument), t)
    elif action == PANEL_DAY and argument.isdigit() and int(argument) in ALL_WEEKDAYS:
        alert = await _toggle_day(deps, scheduler, chat.id, int(argument), t)
    elif action == PANEL_ZONES:
        view = "zones"
    elif action == PANEL_SET_ZONE:
        zone = validate_timezone(argument)
        if zone is None:
            alert = t.gettext("I don't know that timezone.")
        else:
            await set_group_timezone(deps, scheduler, chat.id, zone)
    elif action == PANEL_TEXT:
        view = "text"
    elif action == PANEL_PORTION:
        view = "portion"
    elif action in (PANEL_ON, PANEL_OFF):
        if await set_group_enabled(deps, scheduler, chat.id, action == PANEL_ON) is None:
            alert = t.gettext("Add a time first.")
    elif action == PANEL_DONE:
        view = "done"
    await query.answer(alert, show_alert=alert is not None)
    if view == "hours":
        await send(update, context, t.gettext("Pick the hour (24-hour clock):"),
                   hours_markup(t), edit=True)
    elif view == "minutes":
        await send(update, context, t.gettext("And the minutes:"), minutes_markup(argument, t),
                   edit=True)
    elif view == "zones":
        text = t.gettext(
            "Pick the group's timezone, or send "
            "<code>/reminders timezone City</code> (e.g. <code>/reminders timezone Cairo</code>)."
        )
        await send(update, context, text, zones_markup(t, COMMON_TIMEZONES, deps.clock()),
                   edit=True)
    elif view == "text":
        await send(update, context, _text_help(t), InlineKeyboardMarkup([_back_row(t)]),
                   edit=True)
    elif view == "portion":
        await send(update, context, _portion_help(t), InlineKeyboardMarkup([_back_row(t)]),
                   edit=True)
    elif view == "done":
        await send(update, context, await panel_text(deps, chat.id, t), None, edit=True)
    else:
        await send(update, context, await panel_text(deps, chat.id, t),
                   await panel_markup(deps, chat.id, t), edit=True)


def _hhmm(argument: str) -> str | None:
    if not re.fullmatch(r"\d{4}", argument):
        return None
    return parse_time(f"{argument[:2]}:{argument[2:]}")


async def _remove_time(
    deps: Deps, scheduler: ReminderScheduler, chat_id: int, hhmm: str | None, t: Translator
) -> str | None:
    reminder = await group_reminder(deps, chat_id)
    if reminder is None or hhmm is None or hhmm not in reminder.times:
        return None  # already gone: the refreshed panel shows the truth
    if len(reminder.times) == 1:
        return t.gettext("Keep at least one time, or turn the reminders off.")
    await deps.reminders.update(reminder.id, times=[v for v in reminder.times if v != hhmm])
    await scheduler.refresh(reminder.id)
    return None


async def _toggle_day(
    deps: Deps, scheduler: ReminderScheduler, chat_id: int, day: int, t: Translator
) -> str | None:
    reminder = await group_reminder(deps, chat_id)
    if reminder is None:
        return None
    days = set(reminder.weekdays) ^ {day}
    if not days:
        return t.gettext("Keep at least one day, or turn the reminders off.")
    await deps.reminders.update(reminder.id, weekdays=sorted(days))
    await scheduler.refresh(reminder.id)
    return None


# --------------------------------------------------------------------------------------------
# Private reminders: /remind, snooze


async def remind_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    if message is None or chat is None or user is None:
        return
    deps = await _chat_ready(update, context)
    t = await translator_for(update, context)
    if chat.type != ChatType.PRIVATE:
        markup = private_chat_markup(t, context, "remind")
        await message.reply_text(
            t.gettext(
                "Personal reminders live in our private chat; admins set the group's with "
                "/reminders."
            ),
            reply_markup=markup,
        )
        return
    args = list(context.args or [])
    if not args:
        await message.reply_text(await _private_status(deps, user.id, t))
        return
    if len(args) == 1 and args[0].casefold() in _OFF_WORDS:
        await _stop_private(update, context, deps, t)
        return
    times, day_words = split_times(args)
    weekdays = parse_weekdays(" ".join(day_words)) if day_words else list(ALL_WEEKDAYS)
    if not times or weekdays is None:
        bad = html.escape(shorten_for_echo(" ".join(day_words) if times else args[0]))
        await message.reply_text(
            t.gettext(
                "I could not read “{text}”. Write the time like this: "
                "<code>/remind 21:00</code>, or with days: <code>/remind 06:30 mon-fri</code>.",
                text=bad,
            )
        )
        return
    settings = await deps.chats.get(user.id)
    if settings is None or not settings.timezone:
        # The question remembers "/remind …" and offers to carry it out once answered.
        await ask_for_timezone(update, context, t)
        return
    reminder = await private_reminder(deps, user.id)
    wanted = sorted(set(times))[:MAX_TIMES]
    if reminder is None:
        reminder = await deps.reminders.create(
            chat_id=user.id, times=wanted, weekdays=weekdays, timezone=settings.timezone,
            user_id=user.id, kind="private",
        )
    else:
        reminder = await deps.reminders.update(
            reminder.id, times=wanted, weekdays=weekdays, timezone=settings.timezone,
            enabled=True, snoozed_until=None,
        ) or reminder
    await deps.chats.set_active(user.id, True)
    await ReminderScheduler.of(context).refresh(reminder.id)
    lines = [
        t.gettext(
            "Done. I'll remind you {days} at {times} ({zone}).",
            days=describe_days(reminder.weekdays, t),
            times=describe_times(reminder.times, t),
            zone=t.isolate(html.escape(reminder.timezone)),
        )
    ]
    if await _has_goal(deps, user.id, reminder.timezone):
        lines.append(t.gettext("Days when your goal is already complete are skipped."))
    lines.append(t.gettext("<code>/remind off</code> stops it."))
    await message.reply_text("\n".join(lines))


async def _has_goal(deps: Deps, user_id: int, timezone: str) -> bool:
    """Whether delivery would skip days for this user (bot.app.scheduler skips a private reminder
    once today's goal is complete), so /remind only promises that when it applies. Unknown
    (not linked, Quran.com unreachable) counts as no."""
    if await deps.accounts.get(user_id) is None:
        return False
    try:
        plan = await deps.qf.for_user(user_id, timezone=timezone).find_todays_plan(
            await _mushaf_for(deps, user_id, user_id)
        )
    except QFError as error:
        logger.info("/remind: today's plan unavailable (%s)", error)
        return False
    return plan is not None


async def _private_status(deps: Deps, user_id: int, t: Translator) -> str:
    reminder = await private_reminder(deps, user_id)
    usage = t.gettext(
        "Set a daily reminder with <code>/remind 21:00</code> "
        "(several times and days work too: <code>/remind 06:30 21:00 mon-fri</code>)."
    )
    if reminder is None or not reminder.enabled:
        return t.gettext("You have no reminder yet.") + "\n" + usage
    status = t.gettext(
        "I remind you {days} at {times} ({zone}).",
        days=describe_days(reminder.weekdays, t),
        times=describe_times(reminder.times, t),
        zone=t.isolate(html.escape(reminder.timezone)),
    )
    next_line = _next_line(reminder, deps, t)
    lines = [status]
    if next_line:
        lines.append(next_line)
    lines.append(usage)
    lines.append(t.gettext("<code>/remind off</code> stops it."))
    return "\n".join(lines)


async def _stop_private(
    update: Update, context: ContextTypes.DEFAULT_TYPE, deps: Deps, t: Translator
) -> None:
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    reminder = await private_reminder(deps, user.id)
    if reminder is None or not reminder.enabled:
        await message.reply_text(t.gettext("You have no reminder to stop."))
        return
    await deps.reminders.update(reminder.id, enabled=False, snoozed_until=None)
    await ReminderScheduler.of(context).refresh(reminder.id)
    await message.reply_text(t.gettext("Your reminder is off. /remind 21:00 sets it again."))


async def snooze_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    t = await translator_for(update, context)
    deps = deps_of(context)
    match = re.fullmatch(rf"{re.escape(SNOOZE_PREFIX)}:(\d+):(\d+)", query.data)
    if match is None or int(match.group(2)) not in SNOOZE_MINUTES:
        await query.answer()
        return
    reminder_id, minutes = int(match.group(1)), int(match.group(2))
    reminder = await deps.reminders.get(reminder_id)
    if reminder is None or not reminder.enabled or reminder.kind != "private":
        await query.answer(t.gettext("This reminder is no longer active."), show_alert=True)
        return
    if query.from_user.id not in (reminder.user_id, reminder.chat_id):
        await query.answer(t.gettext("This button is not for you."), show_alert=True)
        return
    snoozed = await ReminderScheduler.of(context).snooze(reminder_id, minutes)
    if snoozed is None or snoozed.snoozed_until is None:
        await query.answer(t.gettext("This reminder is no longer active."), show_alert=True)
        return
    local = snoozed.snoozed_until.astimezone(schedule_of(snoozed).zone)
    line = t.gettext("⏰ Snoozed until {time}.", time=_time_text(local.strftime("%H:%M"), t))
    await query.answer(line)
    message = query.message
    if isinstance(message, Message):
        base = message.text_html or ""
        await send(update, context, f"{base}\n\n{line}", None, edit=True)


# --------------------------------------------------------------------------------------------
# "I read it" under a group reminder


async def check_in_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    t = await translator_for(update, context)
    deps = deps_of(context)
    user = query.from_user
    message = query.message
    parsed = _parse_check_in(query.data)
    reminder = await deps.reminders.get(parsed[0]) if parsed else None
    if (
        parsed is None
        or reminder is None
        or reminder.kind != "group"
        or not isinstance(message, Message)
        or message.chat.id != reminder.chat_id
        or await deps.reminders.slot_message(reminder.id, parsed[1]) != message.message_id
    ):
        await query.answer(t.gettext("This reminder is no longer active."), show_alert=True)
        return
    slot = parsed[1]
    first = await deps.reminders.record_check_in(reminder.id, slot, user.id)
    if first:
        count = await deps.reminders.count_check_ins(reminder.id, slot)
        try:
            await query.edit_message_text(
                with_check_in_count(message.text_html or "", count, t),
                reply_markup=message.reply_markup,
            )
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise
    await _credit_check_in(update, context, t, reminder, slot, first=first)


def _parse_check_in(data: str) -> tuple[int, str] | None:
    match = re.fullmatch(rf"{CHECK_IN_PREFIX}:(\d+):(.+)", data)
    if match is None:
        return None
    try:
        parse_slot(match.group(2))
    except ValueError:
        return None
    return int(match.group(1)), match.group(2)


async def _private_translator(deps: Deps, user: User) -> Translator:
    settings = await deps.chats.get(user.id)
    return get_translator(
        resolve_language(settings.language if settings else None, user.language_code)
    )


async def _tell_privately(
    context: ContextTypes.DEFAULT_TYPE,
    user: User,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Write to the member in private; False when they never started the bot."""
    try:
        await context.bot.send_message(user.id, text, reply_markup=markup)
    except (Forbidden, BadRequest):
        return False
    return True


def _plain(text: str, limit: int = 200) -> str:
    """A message for a callback alert: no HTML, at most Telegram's 200 characters."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"


async def _credit_check_in(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    t: Translator,
    reminder: Reminder,
    slot: str,
    *,
    first: bool,
) -> None:
    query = update.callback_query
    assert query is not None
    user = query.from_user
    deps = deps_of(context)
    if await deps.accounts.get(user.id) is None:
        await _offer_link(update, context, t, first=first)
        return
    ranges = portion_ranges(reminder.portion)
    if ranges is None:
        if not first:
            await query.answer(t.gettext("You already checked in ✅"))
            return
        await _ask_what_was_read(update, context, t, reminder)
        return
    key = f"chk:{reminder.id}:{slot}"
    if not await deps.credits.claim(user.id, key):
        await query.answer(t.gettext("Already credited to your Quran.com account ✅"))
        return
    try:
        session = await session_for(update, deps)
        mushaf_id = await _mushaf_for(deps, user.id, reminder.chat_id)
        seconds = await session.estimate_reading_time(ranges)
        day, _ = parse_slot(slot)
        today = local_today(deps.clock(), session.timezone or reminder.timezone)
        await session.add_activity_day(
            ranges, seconds, mushaf_id, date=day if day < today else None
        )
    except (NotLinked, LinkExpired):
        await deps.credits.release(user.id, key)
        await _offer_link(update, context, t, first=True)
        return
    except QFError as error:
        if not getattr(error, "ambiguous", False):
            await deps.credits.release(user.id, key)
        logger.info("check-in credit failed for reminder %s: %s", reminder.id, error)
        await query.answer(_plain(friendly_error(error, t)), show_alert=True)
        return
    await query.answer(
        _plain(
            t.gettext(
                "✅ Credited to your Quran.com account: {portion}",
                portion=t.isolate(html.escape(reminder.portion or "")),
            )
        )
    )


async def _mushaf_for(deps: Deps, user_id: int, chat_id: int) -> int:
    """The presser's own mushaf, else the group's: pages are counted in the reader's print."""
    for owner in dict.fromkeys((user_id, chat_id)):  # a private chat is read once
        settings = await deps.chats.get(owner)
        if settings is not None:
            return settings.mushaf_id
    return DEFAULT_MUSHAF_ID


async def _offer_link(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, *, first: bool
) -> None:
    """An unlinked member: the link button goes to the private chat (never into the group)."""
    query = update.callback_query
    assert query is not None
    user = query.from_user
    deps = deps_of(context)
    private_t = await _private_translator(deps, user)
    text = private_t.gettext(
        "Thanks for checking in! Link your Quran.com account and your group check-ins "
        "count towards your own goal and streak."
    )
    if first and await _tell_privately(
        context, user, text, link_account_markup(private_t, context, private=True)
    ):
        await query.answer(
            t.gettext("Noted ✅ I sent you a private message to link Quran.com."),
        )
        return
    # They never started the bot: a t.me link in the answer opens the private chat ready to
    # log in (Telegram allows t.me/<bot>?start=… links here).
    markup = link_account_markup(t, context, private=False)
    url = markup.inline_keyboard[0][0].url
    await query.answer(
        t.gettext("Noted ✅ Link Quran.com to get it credited to your account."), url=url
    )


async def _ask_what_was_read(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, reminder: Reminder
) -> None:
    query = update.callback_query
    assert query is not None
    user = query.from_user
    deps = deps_of(context)
    private_t = await _private_translator(deps, user)
    chat = await deps.chats.get(reminder.chat_id)
    title = (
        html.escape(isolated_name(chat.title)) if chat and chat.title
        else private_t.gettext("your group")
    )
    lines = [private_t.gettext("Thanks for checking in with {group}! What did you read?",
                               group=f"<b>{title}</b>")]
    if reminder.portion:
        lines.append(
            private_t.gettext("The group's portion: {portion}",
                              portion=private_t.isolate(html.escape(reminder.portion)))
        )
    lines.append(
        private_t.gettext(
            "Send it with /read so it counts for your goal, e.g. <code>/read 2:1-2:20</code> "
            "or <code>/read juz 2</code>."
        )
    )
    if await _tell_privately(context, user, "\n".join(lines)):
        await query.answer(t.gettext("Noted ✅ I asked you privately what you read."))
        return
    await query.answer(
        t.gettext("Noted ✅ Open our private chat to log what you read."),
        url=private_chat_url(context, "read"),
    )


# --------------------------------------------------------------------------------------------


async def on_startup(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Rebuild every reminder job from the database and send what was missed (< 1 h)."""
    outcomes = await ReminderScheduler.of(application).start()
    if outcomes:
        logger.info("reminder catch-up at start: %s", outcomes)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    ReminderScheduler.of(application)
    writing = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("reminders", reminders_command, writing))
    application.add_handler(CommandHandler("stopreminders", stop_reminders_command, writing))
    application.add_handler(CommandHandler("remind", remind_command, writing))
    application.add_handler(
        CallbackQueryHandler(snooze_pressed, pattern=rf"^{re.escape(SNOOZE_PREFIX)}:")
    )
    application.add_handler(CallbackQueryHandler(panel_pressed, pattern=r"^rem:"))
    application.add_handler(CallbackQueryHandler(check_in_pressed, pattern=rf"^{CHECK_IN_PREFIX}:"))


