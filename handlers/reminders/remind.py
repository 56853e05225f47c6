"""A person's own reminder, set in one line: `/remind 21:00`, `/remind 9:30 pm mon-fri`,
`/remind 6 صباحًا`, `/remind off`; `/remind` alone says what is set.

Times are read as people type them (`bot.domain.reminders.parse_time`). A reminder needs the
person's timezone: without one, the timezone question is asked first and offers to carry the
command out once answered.
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.domain.reminders import ALL_WEEKDAYS, OFF_WORDS, parse_weekdays, split_times
from bot.i18n import Translator
from bot.presentation.reminders import describe_days, describe_times, next_line
from bot.presentation.text import shorten_for_echo
from bot.services.deps import Deps, deps_of
from bot.services.reminders import private_reminder, reminders_of, schedule_of, todays_plan
from handlers.context import chat_settings_for, translator_for
from handlers.replies import ask_for_timezone, private_chat_markup


async def remind_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    if message is None or chat is None or user is None:
        return
    deps = deps_of(context)
    await chat_settings_for(update, deps)
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
        await message.reply_text(await _status(deps, user.id, t))
        return
    if len(args) == 1 and args[0].casefold() in OFF_WORDS:
        await stop_private(update, context, t)
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
    reminder = await reminders_of(context).set_private(
        user.id, times, weekdays, settings.timezone
    )
    lines = [
        t.gettext(
            "Done. I'll remind you {days} at {times} ({zone}).",
            days=describe_days(reminder.weekdays, t),
            times=describe_times(reminder.times, t),
            zone=t.isolate(html.escape(reminder.timezone)),
        )
    ]
    # Delivery skips a day whose goal is complete: promise that only when it applies.
    if await todays_plan(deps, user.id, reminder.timezone) is not None:
        lines.append(t.gettext("Days when your goal is already complete are skipped."))
    lines.append(t.gettext("<code>/remind off</code> stops it."))
    await message.reply_text("\n".join(lines))


async def _status(deps: Deps, user_id: int, t: Translator) -> str:
    reminder = await private_reminder(deps, user_id)
    usage = t.gettext(
        "Set a daily reminder with <code>/remind 21:00</code> "
        "(several times and days work too: <code>/remind 06:30 21:00 mon-fri</code>)."
    )
    if reminder is None or not reminder.enabled:
        return t.gettext("You have no reminder yet.") + "\n" + usage
    lines = [
        t.gettext(
            "I remind you {days} at {times} ({zone}).",
            days=describe_days(reminder.weekdays, t),
            times=describe_times(reminder.times, t),
            zone=t.isolate(html.escape(reminder.timezone)),
        )
    ]
    upcoming = schedule_of(reminder).next_after(deps.clock())
    if upcoming is not None:
        lines.append(next_line(upcoming, t))
    lines.append(usage)
    lines.append(t.gettext("<code>/remind off</code> stops it."))
    return "\n".join(lines)


async def stop_private(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator
) -> None:
    """`/remind off`, and /stopreminders in the private chat."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    if not await reminders_of(context).stop_private(user.id):
        await message.reply_text(t.gettext("You have no reminder to stop."))
        return
    await message.reply_text(t.gettext("Your reminder is off. /remind 21:00 sets it again."))
