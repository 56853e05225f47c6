"""A group's admins at work: /reminders (the panel, or a change given as arguments),
/stopreminders, and the panel's buttons.

Admin rights are checked again on every command and every press (a demoted admin's old panel
does nothing). Free text (the message, the portion, a city) is given as command arguments,
`/reminders text …`, since group privacy mode hides plain messages from the bot. Every change
goes through `bot.services.reminders.Reminders`, then the panel is shown again from what is
stored (`panel.render`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from telegram import Message, Update
from telegram.constants import ChatID, ChatType
from telegram.ext import ContextTypes

from bot.domain.reminders import (
    MAX_PORTION_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_TIMES,
    OFF_WORDS,
    ON_WORDS,
    parse_weekdays,
    split_times,
)
from bot.domain.timezones import suggest_timezones, validate_timezone
from bot.domain.wird import names_unit, parse_wird
from bot.i18n import Translator
from bot.services.deps import deps_of
from bot.services.reminders import Reminders, group_reminder, reminders_of
from handlers.context import chat_settings_for, translator_for
from handlers.reminders.buttons import (
    AddTime,
    PanelPress,
    RemoveTime,
    SetNudge,
    SetSummary,
    SetZone,
    ToggleDay,
    TurnOff,
    TurnOn,
    hhmm_of,
)
from handlers.reminders.panel import (
    COMMON_TIMEZONES,
    PanelState,
    Screen,
    View,
    portion_help,
    render,
    screen_after,
    text_help,
    zones_markup,
)
from handlers.reminders.remind import remind_command, stop_private
from handlers.replies import is_group_admin, refuse, send
from storage import Reminder


async def panel_state(reminders: Reminders, chat_id: int) -> PanelState:
    settings = await reminders.deps.chats.get(chat_id)
    return PanelState(
        reminder=await group_reminder(reminders.deps, chat_id),
        chat_timezone=settings.timezone if settings else None,
        now=reminders.deps.clock(),
    )


async def refuse_non_admin(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator
) -> None:
    text = t.gettext(
        "Sorry, only the group's admins can change its reminders. "
        "You can still check in under each reminder."
    )
    await refuse(update, text)


# --------------------------------------------------------------------------------------------
# /reminders and /stopreminders


@dataclass(frozen=True)
class Change:
    """One `/reminders <what> …` from an admin."""

    reminders: Reminders
    message: Message
    t: Translator
    chat_id: int
    user_id: int | None
    #: The words after <what>, and the same text with its spacing kept (free text).
    words: list[str]
    text: str
    reminder: Reminder | None

    async def reply(self, text: str) -> bool:
        """Answer instead of showing the panel (returns False: nothing changed)."""
        await self.message.reply_text(text)
        return False


async def reminders_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    if chat.type == ChatType.PRIVATE:
        await remind_command(update, context)
        return
    await chat_settings_for(update, deps_of(context))
    t = await translator_for(update, context)
    reminders = reminders_of(context)
    args = list(context.args or [])
    admin = await is_group_admin(update, context)
    if not args:
        state = await panel_state(reminders, chat.id)
        text, markup = render(Screen(View.PANEL), state, t)
        if admin:
            await message.reply_text(text, reply_markup=markup)
        else:
            note = t.gettext("Only the group's admins can change these reminders.")
            await message.reply_text(f"{text}\n\n<i>{note}</i>")
        return
    if not admin:
        await refuse_non_admin(update, context, t)
        return
    user = update.effective_user
    # Who set it up, for the record; an anonymous admin stays anonymous.
    user_id = user.id if user is not None and user.id != ChatID.ANONYMOUS_ADMIN else None
    change = Change(
        reminders, message, t, chat.id, user_id, args[1:], _text_after(message, command_words=2),
        await group_reminder(reminders.deps, chat.id),
    )
    apply = _SUBCOMMANDS.get(args[0].casefold())
    if apply is None:
        await message.reply_text(_usage(t))
        return
    if await apply(change):
        text, markup = render(Screen(View.PANEL), await panel_state(reminders, chat.id), t)
        await message.reply_text(text, reply_markup=markup)


async def _set_times(change: Change) -> bool:
    times, unread = split_times(change.words)
    if not times or unread:
        t = change.t
        return await change.reply(
            t.gettext("Write the times like this: <code>/reminders time 07:00 21:00</code>")
        )
    await change.reminders.set_group_times(change.chat_id, times, change.user_id)
    return True


async def _set_days(change: Change) -> bool:
    t = change.t
    days = parse_weekdays(" ".join(change.words))
    if change.reminder is None:
        return await change.reply(
            t.gettext(
                "Add a time first, then write the days like this: "
                "<code>/reminders days mon-fri</code> or <code>/reminders days daily</code>"
            )
        )
    if days is None:
        return await change.reply(
            t.gettext(
                "Write the days like this: <code>/reminders days mon-fri</code>, "
                "<code>/reminders days fri</code> or <code>/reminders days daily</code>"
            )
        )
    await change.reminders.set_group_days(change.chat_id, days)
    return True


async def _set_zone(change: Change) -> bool:
    t, reminders = change.t, change.reminders
    query = " ".join(change.words)
    exact = validate_timezone(query) if query else None
    if exact is not None and ("/" in exact or exact == "UTC"):
        await reminders.set_group_timezone(change.chat_id, exact)
        return True
    now = reminders.deps.clock()
    suggestions = suggest_timezones(query, limit=6, now=now) if query else []
    if len(suggestions) == 1:
        await reminders.set_group_timezone(change.chat_id, suggestions[0].name)
        return True
    text = (
        t.gettext("Which one do you mean?")
        if suggestions
        else t.gettext(
            "I don't know that place. Try a big city nearby, e.g. "
            "<code>/reminders timezone Cairo</code>, or pick one:"
        )
    )
    names = [s.name for s in suggestions] or list(COMMON_TIMEZONES)
    await change.message.reply_text(text, reply_markup=zones_markup(t, names, now))
    return False


async def _set_text(change: Change) -> bool:
    t = change.t
    if change.reminder is None:
        return await change.reply(_add_time_first(t))
    if not change.text:
        return await change.reply(text_help(t))
    if len(change.text) > MAX_TEXT_LENGTH:
        return await change.reply(
            t.gettext(
                "That message is too long: keep it under {limit} characters.",
                limit=t.number(MAX_TEXT_LENGTH),
            )
        )
    text = None if change.text.casefold() in OFF_WORDS else change.text
    await change.reminders.set_group_text(change.chat_id, text)
    return True


async def _set_portion(change: Change) -> bool:
    t = change.t
    if change.reminder is None:
        return await change.reply(_add_time_first(t))
    if not change.text:
        return await change.reply(portion_help(t))
    if len(change.text) > MAX_PORTION_LENGTH:
        return await change.reply(
            t.gettext(
                "That portion is too long: keep it under {limit} characters.",
                limit=t.number(MAX_PORTION_LENGTH),
            )
        )
    portion = None if change.text.casefold() in OFF_WORDS else change.text
    if portion is not None and names_unit(portion) and parse_wird(portion) is None:
        return await change.reply(portion_help(t))
    await change.reminders.set_group_portion(change.chat_id, portion)
    return True


def _turn(enabled: bool) -> Callable[[Change], Awaitable[bool]]:
    async def apply(change: Change) -> bool:
        if change.reminder is None:
            return await change.reply(_add_time_first(change.t))
        await change.reminders.set_group_enabled(change.chat_id, enabled)
        return True

    return apply


def _follow_up(which: Literal["nudge", "summary"]) -> Callable[[Change], Awaitable[bool]]:
    """`/reminders nudge on|off` (mention who has not read yet, later in the day; off by
    default) and `/reminders summary on|off` (the weekly report; on by default)."""

    async def apply(change: Change) -> bool:
        t = change.t
        if change.reminder is None:
            return await change.reply(_add_time_first(t))
        word = change.words[0].casefold() if change.words else ""
        if word not in ON_WORDS and word not in OFF_WORDS:
            return await change.reply(_usage(t))
        enabled = word in ON_WORDS
        await change.reminders.set_group_follow_up(change.chat_id, which, enabled)
        return True

    return apply


_SUBCOMMANDS: dict[str, Callable[[Change], Awaitable[bool]]] = {
    **dict.fromkeys(("time", "times", "at"), _set_times),
    **dict.fromkeys(("days", "day"), _set_days),
    **dict.fromkeys(("timezone", "tz", "zone"), _set_zone),
    **dict.fromkeys(("text", "message"), _set_text),
    "portion": _set_portion,
    "nudge": _follow_up("nudge"),
    "summary": _follow_up("summary"),
    **dict.fromkeys(ON_WORDS, _turn(True)),
    **dict.fromkeys(OFF_WORDS, _turn(False)),
}


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
        "<code>/reminders portion juz 1</code> (moves on each day)\n"
        "<code>/reminders nudge on</code> (mention who has not read yet, later in the day)\n"
        "<code>/reminders summary off</code> (no weekly report)\n"
        "<code>/reminders off</code> (or /stopreminders) and <code>/reminders on</code>"
    )


async def stop_reminders_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    await chat_settings_for(update, deps_of(context))
    t = await translator_for(update, context)
    if chat.type == ChatType.PRIVATE:
        await stop_private(update, context, t)
        return
    if not await is_group_admin(update, context):
        await refuse_non_admin(update, context, t)
        return
    if await reminders_of(context).set_group_enabled(chat.id, False) is None:
        await message.reply_text(t.gettext("This group has no reminders to stop."))
        return
    await message.reply_text(
        t.gettext("Reminders are off. Admins can turn them back on with /reminders.")
    )


# --------------------------------------------------------------------------------------------
# Panel buttons


async def panel_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: PanelPress
) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    t = await translator_for(update, context)
    if chat.type == ChatType.PRIVATE:
        await query.answer()
        return
    if not await is_group_admin(update, context):
        await refuse_non_admin(update, context, t)
        return
    reminders = reminders_of(context)
    alert = await _apply_press(press, reminders, chat.id, query.from_user.id, t)
    await query.answer(alert, show_alert=alert is not None)
    text, markup = render(screen_after(press), await panel_state(reminders, chat.id), t)
    await send(update, context, text, markup, edit=True)


async def _apply_press(
    press: PanelPress, reminders: Reminders, chat_id: int, user_id: int, t: Translator
) -> str | None:
    """Carry out what the press changes; the alert to show, if any."""
    match press:
        case AddTime(at=at):
            if await reminders.add_group_time(chat_id, hhmm_of(at), user_id) is None:
                return t.gettext(
                    "A group can have at most {count} times.", count=t.number(MAX_TIMES)
                )
        case RemoveTime(at=at):
            if not await reminders.remove_group_time(chat_id, hhmm_of(at)):
                return t.gettext("Keep at least one time, or turn the reminders off.")
        case ToggleDay(day=day):
            if not await reminders.toggle_group_day(chat_id, day):
                return t.gettext("Keep at least one day, or turn the reminders off.")
        case SetZone(zone=name):
            zone = validate_timezone(name)
            if zone is None:
                return t.gettext("I don't know that timezone.")
            await reminders.set_group_timezone(chat_id, zone)
        case TurnOn() | TurnOff():
            if await reminders.set_group_enabled(chat_id, isinstance(press, TurnOn)) is None:
                return t.gettext("Add a time first.")
        case SetNudge(on=on):
            if await reminders.set_group_follow_up(chat_id, "nudge", on) is None:
                return t.gettext("Add a time first.")
        case SetSummary(on=on):
            if await reminders.set_group_follow_up(chat_id, "summary", on) is None:
                return t.gettext("Add a time first.")
    return None
