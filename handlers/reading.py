"""Reading progress: /today (today's plan with "I read it" buttons), /read (credit reading done
anywhere to Quran.com) and /progress (streak, goal, days left and a 30-day chart).

Everything acts for the person who sent the command or pressed the button, never for whoever
owns the message. In groups, /today and /progress are delivered in the private chat (they show
goals and streaks the user did not post), and /read answers with no more than the user wrote.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot.domain.chapters import chapter_name
from bot.domain.goals import GoalType
from bot.domain.reading import (
    QUICK_MINUTES,
    AmbiguousNumber,
    BareNumber,
    ReadChoice,
    ReadInputError,
    ReadRequest,
    command_credit_key,
    compact_day,
    new_offer_token,
    parse_compact_day,
    parse_read_command,
    plan_credit_key,
    plan_ranges,
    quick_time_key,
    summarise_activity,
)
from bot.domain.reminders import local_today
from bot.domain.verses import VerseRange
from bot.i18n import Translator
from bot.presentation.goals import describe_current_goal, progress_bar
from bot.presentation.progress_chart import DEFAULT_SPAN_DAYS, render_activity_chart, seconds_by_day
from bot.presentation.reading import (
    credit_summary,
    format_progress,
    format_today,
    plan_is_done,
    streak_line,
)
from bot.presentation.text import isolated_name
from bot.qf import NotLinked, QFError, TodaysPlan, UserSession
from bot.services.deps import Deps, deps_of
from bot.services.goals import CurrentGoal, find_current_goal, plan_goal_type, stored_goal
from bot.services.reading import CreditOutcome, CreditResult, credit_once
from handlers.context import chat_settings_for, translator_for
from handlers.replies import (
    ask_for_timezone,
    is_private,
    private_chat_url,
    reply_upstream_error,
    send,
    session_for,
)
from storage import DEFAULT_MUSHAF_ID

logger = logging.getLogger(__name__)

PREFIX = "read"
#: user_data key: /read messages whose credit failed, kept so "Try again" needs no retyping.
PENDING_KEY = "read_pending"
MAX_PENDING = 10
#: Callback asking the goal wizard to start (handled in handlers.goals).
GOAL_WIZARD_START = "goal:w:start"


# ---------------------------------------------------------------------------------------------
# Who is reading


@dataclass(frozen=True)
class Reader:
    """The sender's Quran.com session with what every reading call needs."""

    deps: Deps
    user_id: int
    t: Translator
    session: UserSession
    timezone: str
    mushaf_id: int


async def mushaf_for(deps: Deps, user_id: int) -> int:
    """The mushaf from the user's own (private chat) settings."""
    settings = await deps.chats.get(user_id)
    return settings.mushaf_id if settings is not None else DEFAULT_MUSHAF_ID


async def open_reader(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Reader | None:
    """The sender's session, or None after telling them what is missing (link, timezone)."""
    deps = deps_of(context)
    t = await translator_for(update, context)
    user = update.effective_user
    if user is None:
        return None
    settings = await chat_settings_for(update, deps)
    if await deps.accounts.get(user.id) is None:
        await reply_upstream_error(update, context, t, NotLinked())
        return None
    session = await session_for(update, deps)
    if not session.timezone:
        await ask_for_timezone(update, context, t)
        return None
    if settings is not None and settings.chat_id == user.id:
        mushaf_id = settings.mushaf_id  # the private chat's row is the user's own settings
    else:
        mushaf_id = await mushaf_for(deps, user.id)
    return Reader(deps, user.id, t, session, session.timezone, mushaf_id)


# ---------------------------------------------------------------------------------------------
# Delivery


async def _answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the pressed button's query (a no-op for commands). Each path answers once; a
    second answer would only be refused by Telegram, so that is logged, not raised."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        logger.debug("callback query already answered: %s", error)


async def deliver_privately(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    t: Translator,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    photo: bytes | None = None,
    edit: bool = False,
) -> Message | None:
    """Send in the private chat. Asked in a group, say so there without repeating the content,
    or offer the private chat when the user never opened it."""
    user = update.effective_user
    if user is None:
        return None
    if is_private(update):
        if photo is not None:
            return await context.bot.send_photo(
                user.id, InputFile(photo, filename="progress.png"), caption=text,
                reply_markup=markup,
            )
        return await send(update, context, text, markup, edit=edit)
    try:
        if photo is not None:
            sent = await context.bot.send_photo(
                user.id, InputFile(photo, filename="progress.png"), caption=text,
                reply_markup=markup,
            )
        else:
            sent = await context.bot.send_message(user.id, text, reply_markup=markup)
    except (Forbidden, BadRequest):
        # No payload: the user only needs the chat open, then sends the command again.
        button = InlineKeyboardButton(
            t.gettext("Open our private chat"), url=private_chat_url(context)
        )
        await send(
            update,
            context,
            t.gettext("I only show this in our private chat. Open it and send the command there."),
            InlineKeyboardMarkup([[button]]),
        )
        return None
    await send(update, context, t.gettext("📬 Sent to you in our private chat."))
    return sent


# ---------------------------------------------------------------------------------------------
# /today


def _today_markup(
    plan: TodaysPlan | None, owner: int, t: Translator
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    if plan is None:
        rows.append([InlineKeyboardButton(t.gettext("🎯 Set a goal"),
                                          callback_data=GOAL_WIZARD_START)])
    elif not plan_is_done(plan):
        kind = plan_goal_type(plan)
        if plan_ranges(plan.remaining_daily_target_ranges) and plan.date is not None:
            rows.append([InlineKeyboardButton(
                t.gettext("✅ I read it"),
                callback_data=f"{PREFIX}:rest:{owner}:{compact_day(plan.date)}",
            )])
        elif kind is GoalType.QURAN_TIME:
            token = new_offer_token()
            rows.append([
                InlineKeyboardButton(
                    t.gettext("+{minutes} min", minutes=t.number(minutes)),
                    callback_data=f"{PREFIX}:t:{owner}:{minutes * 60}:{token}",
                )
                for minutes in QUICK_MINUTES
            ])
    rows.append([
        InlineKeyboardButton(t.gettext("🔄 Refresh"), callback_data=f"{PREFIX}:today:{owner}"),
        InlineKeyboardButton(t.gettext("📈 Progress"), callback_data=f"{PREFIX}:prog:{owner}"),
    ])
    return InlineKeyboardMarkup(rows)


def _today_text(
    reader: Reader, current: CurrentGoal | None, context: ContextTypes.DEFAULT_TYPE
) -> str:
    t = reader.t
    if current is None or current.plan is None:
        return t.gettext(
            "You have no reading goal yet. Set one with /goal (for example "
            "<code>/goal 10min</code>), or log reading any time with /read."
        )
    plan = current.plan
    day = plan.date or local_today(reader.deps.clock(), reader.timezone)
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


async def _load_current(reader: Reader, context: ContextTypes.DEFAULT_TYPE) -> CurrentGoal | None:
    return await find_current_goal(
        reader.session, reader.mushaf_id, stored_goal(context.user_data)
    )


async def _show_today(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    *,
    edit: bool,
    note: str | None = None,
) -> None:
    t = reader.t
    try:
        current = await _load_current(reader, context)
    except QFError as error:
        retry = InlineKeyboardMarkup([[InlineKeyboardButton(
            t.gettext("Try again"), callback_data=f"{PREFIX}:today:{reader.user_id}"
        )]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return
    text = _today_text(reader, current, context)
    if note:
        text = f"{note}\n\n{text}"
    markup = _today_markup(current.plan if current else None, reader.user_id, t)
    await deliver_privately(update, context, t, text, markup, edit=edit)


async def today_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    reader = await open_reader(update, context)
    if reader is not None:
        await _show_today(update, context, reader, edit=False)


# ---------------------------------------------------------------------------------------------
# /read


def _read_usage(t: Translator) -> str:
    return t.gettext(
        "Tell me what you read, and I'll credit it to your Quran.com account:\n"
        "<code>/read 2:1-2:40</code> (time estimated from the verses)\n"
        "<code>/read 2:1-2:40 15min</code>\n"
        "<code>/read Al-Mulk</code> or <code>/read 15min</code>"
    )


def _remember_pending(
    context: ContextTypes.DEFAULT_TYPE, message_id: int, text: str
) -> None:
    if context.user_data is None:
        return
    pending: dict[str, str] = context.user_data.setdefault(PENDING_KEY, {})
    pending[str(message_id)] = text
    for stale in list(pending)[:-MAX_PENDING]:
        pending.pop(stale, None)


def _forget_pending(context: ContextTypes.DEFAULT_TYPE, message_id: int) -> None:
    if context.user_data is not None:
        context.user_data.get(PENDING_KEY, {}).pop(str(message_id), None)


async def _after_credit_lines(reader: Reader, context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    """Progress and streak after a credit; left out (not an error) if QF can't tell right now."""
    t = reader.t
    lines: list[str] = []
    try:
        current = await _load_current(reader, context)
        streak = await reader.session.current_streak_days()
    except QFError as error:
        logger.info("progress after a credit unavailable: %s", error)
        return lines
    if current is not None and current.plan is not None:
        bar = progress_bar(current.plan.progress or 0.0, t=t)
        lines.append(t.gettext("Today's goal: {bar}", bar=bar))
    lines.append(streak_line(streak, t))
    return lines


async def _report_credit(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    result: CreditResult,
    *,
    retry_data: str | None,
) -> bool:
    """Tell the user how the credit went; True when it was credited now. A pressed button's
    query is answered here (a repeat press gets a short notice instead of a new message)."""
    t = reader.t
    if result.outcome is CreditOutcome.DUPLICATE:
        already = t.gettext("✅ That was already credited; I count each reading once.")
        if update.callback_query is not None:
            await _answer(update, already)
        else:
            await send(update, context, already)
        return False
    await _answer(update)
    if result.outcome is CreditOutcome.UNCERTAIN:
        await send(update, context, t.gettext(
            "⏳ Quran.com didn't answer in time, so I can't tell whether this was credited. "
            "I won't send it again by myself: check /today in a minute, and if it's missing, "
            "send /read again."
        ))
        return False
    if result.outcome is CreditOutcome.FAILED and result.error is not None:
        markup = None
        if retry_data is not None:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(
                t.gettext("Try again"), callback_data=retry_data
            )]])
        await reply_upstream_error(update, context, t, result.error, retry_markup=markup)
        return False
    return result.outcome is CreditOutcome.CREDITED


async def _credit_typed_read(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    text: str,
    *,
    chat_id: int,
    message_id: int,
) -> None:
    t = reader.t
    try:
        request = parse_read_command(text)
    except AmbiguousNumber as question:
        await _answer(update)
        await _ask_what_the_number_means(update, context, reader, question.bare, message_id)
        return
    except ReadInputError as error:
        await _answer(update)
        await send(update, context, error.describe(t) + "\n\n" + _read_usage(t))
        return
    await _credit_request(
        update, context, reader, request, text, chat_id=chat_id, message_id=message_id
    )


async def _credit_request(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    request: ReadRequest,
    text: str,
    *,
    chat_id: int,
    message_id: int,
    edit: bool = False,
) -> None:
    """Credit what one /read message asked for, once per message whichever way it was asked
    (typed, retried, or a meaning picked for a bare number). `text` is kept for "Try again"."""
    t = reader.t
    ranges = request.ranges
    result = await credit_once(
        reader.deps.credits,
        reader.session,
        reader.user_id,
        command_credit_key(chat_id, message_id),
        ranges=[item.key for item in ranges],
        seconds=request.seconds,
        mushaf_id=reader.mushaf_id,
    )
    if result.outcome is CreditOutcome.FAILED:
        _remember_pending(context, message_id, text)
    else:
        _forget_pending(context, message_id)
    retry = f"{PREFIX}:retry:{reader.user_id}:{message_id}"
    if not await _report_credit(update, context, reader, result, retry_data=retry):
        return
    summary = credit_summary(ranges, result.seconds, t)
    if not is_private(update):
        user = update.effective_user
        name = user.mention_html(isolated_name(user.full_name)) if user else ""
        await send(update, context, t.gettext(
            "✅ Credited {summary} to {name}'s Quran.com account.", summary=summary, name=name
        ), edit=edit)
        return
    lines = [t.gettext("✅ Credited {summary} to your Quran.com account.", summary=summary)]
    lines += await _after_credit_lines(reader, context)
    await send(update, context, "\n".join(lines), edit=edit)


def _choice_label(bare: BareNumber, choice: ReadChoice, t: Translator) -> str:
    if choice is ReadChoice.SURAH:
        return t.gettext(
            "📖 Surah {number}: {name}",
            number=t.number(bare.number), name=chapter_name(bare.number, t.language),
        )
    if choice is ReadChoice.JUZ:
        return t.gettext("📖 Juz {number}", number=t.number(bare.number))
    return t.gettext("⏱ {duration}", duration=bare.describe_choice(choice, t))


async def _ask_what_the_number_means(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    bare: BareNumber,
    message_id: int,
) -> None:
    """`/read 10`: a surah, a juz or minutes? Ask rather than guess, and credit nothing yet.
    Each button carries the whole answer, and all of them credit under the /read message's
    key, so tapping two of them still credits once."""
    t = reader.t
    examples = t.gettext(
        "To say it exactly, write <code>/read surah 10</code>, <code>/read juz 30</code> or "
        "<code>/read 10min</code>, or the verses with the time, e.g. "
        "<code>/read 2:1-2:40 10min</code>."
    )
    if not bare.alone:
        await send(update, context, bare.question(t) + "\n" + examples)
        return
    seconds = bare.seconds or 0
    rows = [
        [InlineKeyboardButton(
            _choice_label(bare, choice, t),
            callback_data=(
                f"{PREFIX}:n:{reader.user_id}:{message_id}:{choice.value}:{bare.number}:{seconds}"
            ),
        )]
        for choice in bare.choices()
    ]
    text = bare.question(t) + "\n" + t.gettext("Tap your answer below.") + "\n\n" + examples
    await send(update, context, text, InlineKeyboardMarkup(rows))


def _canonical_text(request: ReadRequest) -> str:
    """The /read arguments that ask for exactly `request`, kept for "Try again"."""
    parts = [",".join(item.key for item in request.ranges)]
    if request.seconds is not None:
        parts.append(f"{request.seconds}s")
    return " ".join(part for part in parts if part)


async def _press_choice(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, fields: list[str]
) -> None:
    """A meaning picked for a bare number: fields are message id, choice, number, seconds."""
    query = update.callback_query
    message_id, choice_code, number, seconds = fields
    try:
        bare = BareNumber(int(number), int(seconds) or None, alone=True)
        request = bare.request(ReadChoice(choice_code))
        source_message_id = int(message_id)
    except ValueError:
        await _answer(update)
        return
    if query is None or query.message is None:
        await _answer(update)
        return
    await _credit_request(
        update, context, reader, request, _canonical_text(request),
        chat_id=query.message.chat.id, message_id=source_message_id, edit=True,
    )


async def read_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    text = " ".join(context.args or ())
    if not text.strip():
        t = await translator_for(update, context)
        await message.reply_text(_read_usage(t))
        return
    reader = await open_reader(update, context)
    if reader is None:
        return
    await _credit_typed_read(
        update, context, reader, text, chat_id=message.chat_id, message_id=message.message_id
    )


# ---------------------------------------------------------------------------------------------
# /progress


async def _send_progress(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader
) -> None:
    t = reader.t
    session = reader.session
    try:
        streak = await session.current_streak_days()
        current = await _load_current(reader, context)
        plan = current.plan if current else None
        today = (plan.date if plan and plan.date else None) or local_today(
            reader.deps.clock(), reader.timezone
        )
        days = await session.list_activity_days(
            today - timedelta(days=DEFAULT_SPAN_DAYS - 1), today
        )
    except QFError as error:
        retry = InlineKeyboardMarkup([[InlineKeyboardButton(
            t.gettext("Try again"), callback_data=f"{PREFIX}:prog:{reader.user_id}"
        )]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return
    text = format_progress(
        t,
        streak_days=streak,
        goal_text=describe_current_goal(current, t) if current else None,
        plan=plan,
        days_left=current.known.days_left(today) if current and current.known else None,
        month=summarise_activity(seconds_by_day(days, end=today)),
        span_days=DEFAULT_SPAN_DAYS,
    )
    target_minutes = None
    if plan is not None and plan_goal_type(plan) is GoalType.QURAN_TIME:
        target_minutes = (plan.daily_target_seconds or 0) / 60 or None
    # Rendering takes tens of milliseconds (the first time, matplotlib's import too): keep it
    # off the event loop so other chats are not held up.
    png = await asyncio.to_thread(
        render_activity_chart, days, end=today, target_minutes=target_minutes
    )
    caption = text + "\n" + t.gettext("The chart shows minutes read per day.")
    await deliver_privately(update, context, t, caption, photo=png)


async def progress_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    reader = await open_reader(update, context)
    if reader is not None:
        await _send_progress(update, context, reader)


# ---------------------------------------------------------------------------------------------
# Buttons


async def _press_rest(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, day_code: str
) -> None:
    """"I read it": credit what today's plan still asks for, read fresh at press time."""
    t = reader.t
    offered_day = parse_compact_day(day_code)
    try:
        current = await _load_current(reader, context)
    except QFError as error:
        await _answer(update)
        await reply_upstream_error(update, context, t, error, retry_markup=_retry_same(update, t))
        return
    plan = current.plan if current else None
    if plan is None or plan.date is None or offered_day != plan.date:
        await _answer(update, t.gettext("That plan is from another day."), alert=True)
        await _show_today(update, context, reader, edit=True)
        return
    remaining = plan_ranges(plan.remaining_daily_target_ranges)
    if not remaining:
        await _answer(update, t.gettext("Nothing left for today. ✅"))
        await _show_today(update, context, reader, edit=True)
        return
    keys = [item.key for item in remaining]
    result = await credit_once(
        reader.deps.credits, reader.session, reader.user_id, plan_credit_key(plan.date, keys),
        ranges=keys, seconds=None, mushaf_id=reader.mushaf_id,
    )
    await _finish_button_credit(update, context, reader, result, remaining)


async def _press_time(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, seconds_text: str,
    token: str,
) -> None:
    """"+10 min" for time goals. Activity days take `ranges` as a required array with no
    minimum length in every contract, so time read without verses is sent with `ranges: []`,
    the shape QF records as manually added seconds (`manuallyAddedSeconds`)."""
    try:
        seconds = int(seconds_text)
    except ValueError:
        await _answer(update)
        return
    if not 60 <= seconds <= 3600 or not token.isalnum():
        await _answer(update)
        return
    result = await credit_once(
        reader.deps.credits, reader.session, reader.user_id, quick_time_key(token, seconds),
        ranges=[], seconds=seconds, mushaf_id=reader.mushaf_id,
    )
    await _finish_button_credit(update, context, reader, result, [])


def _retry_same(update: Update, t: Translator) -> InlineKeyboardMarkup | None:
    query = update.callback_query
    if query is None or not query.data:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(t.gettext("Try again"),
                                                       callback_data=query.data)]])


async def _finish_button_credit(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    result: CreditResult,
    ranges: list[VerseRange],
) -> None:
    t = reader.t
    credited = await _report_credit(
        update, context, reader, result,
        retry_data=update.callback_query.data if update.callback_query else None,
    )
    if not credited:
        return
    note = t.gettext(
        "✅ Credited {summary} to your Quran.com account.",
        summary=credit_summary(ranges, result.seconds, t),
    )
    try:
        streak = await reader.session.current_streak_days()
    except QFError:
        streak = None
    if streak is not None:
        note += "\n" + streak_line(streak, t)
    await _show_today(update, context, reader, edit=True, note=note)


async def _press_retry(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, message_id_text: str
) -> None:
    query = update.callback_query
    pending = (context.user_data or {}).get(PENDING_KEY, {})
    text = pending.get(message_id_text) if message_id_text.isdigit() else None
    if query is None or query.message is None or text is None:
        await _answer(update, reader.t.gettext("Nothing to retry: send /read again."),
                      alert=True)
        return
    await _credit_typed_read(
        update, context, reader, text,
        chat_id=query.message.chat.id, message_id=int(message_id_text),
    )


async def reading_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or not query.data:
        return
    parts = query.data.split(":")
    if len(parts) < 3 or not parts[2].lstrip("-").isdigit():
        await query.answer()
        return
    action, owner = parts[1], int(parts[2])
    if query.from_user.id != owner:
        t = await translator_for(update, context)
        await query.answer(
            t.gettext("This button belongs to someone else. Send /today for your own plan."),
            show_alert=True,
        )
        return
    reader = await open_reader(update, context)
    if reader is None:
        await _answer(update)
        return
    if action == "today":
        await _answer(update)
        await _show_today(update, context, reader, edit=True)
    elif action == "prog":
        await _answer(update)
        await _send_progress(update, context, reader)
    elif action == "rest" and len(parts) == 4:
        await _press_rest(update, context, reader, parts[3])
    elif action == "t" and len(parts) == 5:
        await _press_time(update, context, reader, parts[3], parts[4])
    elif action == "retry" and len(parts) == 4:
        await _press_retry(update, context, reader, parts[3])
    elif action == "n" and len(parts) == 7:
        await _press_choice(update, context, reader, parts[3:])
    else:
        await _answer(update)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Writing commands ignore edited messages: editing "/read 2:1-2:40" must not credit again.
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("today", today_command, only_new))
    application.add_handler(CommandHandler("read", read_command, only_new))
    application.add_handler(CommandHandler("progress", progress_command, only_new))
    application.add_handler(CallbackQueryHandler(reading_button, pattern=rf"^{PREFIX}:"))
