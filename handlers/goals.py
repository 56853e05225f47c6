"""Reading goals: the /goal wizard, one-liners (`/goal 15min`) with Undo, /goal edit and delete.

The wizard is a persistent ConversationHandler (private chats only, /cancel, « Back, 10-minute
timeout). Its answers live in the user's persisted `user_data` draft, and every wizard button is
also an entry point, so a button keeps working after a restart or an upstream failure: "Try
again" repeats the failed step with the answers already given instead of starting over.

A user has one Quran goal at a time: when today's plan shows one, a new goal replaces it (see
`bot.reading.apply_goal`) instead of creating a second.
"""

from __future__ import annotations

import html
import logging
import warnings
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.domain.goals import (
    GoalInputError,
    GoalSpec,
    GoalType,
    goal_presets,
    juz_count,
    parse_day_count,
    parse_goal_command,
    parse_kind_answer,
    parse_minutes_answer,
    parse_mushaf_answer,
    parse_pages_answer,
    parse_range_answer,
    parse_schedule_answer,
    preset_by_key,
)
from bot.domain.mushafs import MUSHAF_IDS, mushaf_name, page_count, pages_per_juz
from bot.domain.reading import new_offer_token
from bot.domain.reminders import local_today
from bot.domain.verses import VerseRange, VerseRangeError
from bot.i18n import Translator
from bot.presentation.goals import describe_current_goal, describe_goal, format_duration
from bot.presentation.reading import format_short_day
from bot.qf import GoalEstimate, NotFound, QFConnectionError, QFError, QFTimeout
from bot.services.goals import (
    CurrentGoal,
    StoredGoal,
    apply_goal,
    find_current_goal,
    remember_goal,
    stored_goal,
)
from handlers.context import translator_for
from handlers.reading import Reader, open_reader
from handlers.replies import is_private, private_chat_url, reply_upstream_error, send

logger = logging.getLogger(__name__)

PREFIX = "goal"
WIZARD = f"{PREFIX}:w"
#: Deep-link payload that opens the wizard in the private chat (from a group).
GOAL_DEEP_LINK = "goal"
CONVERSATION_NAME = "goal_wizard"
#: Handler group of the `/start goal` deep link: before handlers.timezone's group -1.
DEEP_LINK_GROUP = -2
CONVERSATION_TIMEOUT = 600

# user_data keys (persisted, JSON values only)
DRAFT_KEY = "goal_wizard"
UNDO_KEY = "goal_undo"
DELETE_KEY = "goal_delete"
PENDING_KEY = "goal_pending"

# Wizard steps, which are also the conversation states.
CHOOSE = "choose"
KIND = "kind"
AMOUNT = "amount"
SCHEDULE = "schedule"
DAYS = "days"
MUSHAF = "mushaf"
PREVIEW = "preview"
STEPS = (CHOOSE, KIND, AMOUNT, SCHEDULE, DAYS, MUSHAF, PREVIEW)
END = ConversationHandler.END

_KIND_CODES = {"time": GoalType.QURAN_TIME, "pages": GoalType.QURAN_PAGES,
               "range": GoalType.QURAN_RANGE}
_DELETE_WORDS = frozenset({"delete", "remove", "del", "stop", "حذف", "احذف", "الغاء"})
_EDIT_WORDS = frozenset({"edit", "change", "تعديل", "غير"})

Draft = dict[str, Any]
Screen = tuple[str, InlineKeyboardMarkup]


# ---------------------------------------------------------------------------------------------
# Draft


def _draft(context: ContextTypes.DEFAULT_TYPE) -> Draft | None:
    draft = (context.user_data or {}).get(DRAFT_KEY)
    return draft if isinstance(draft, dict) else None


def _drop_draft(context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)


def _spec(draft: Draft) -> GoalSpec | None:
    try:
        kind = GoalType(str(draft.get("type")))
    except ValueError:
        return None
    amount = draft.get("amount")
    if amount is None:
        return None
    duration = draft.get("duration") if draft.get("schedule") == "days" else None
    return GoalSpec(kind, amount, duration)


def _current_in(draft: Draft) -> CurrentGoal | None:
    goal_id = draft.get("replace_id")
    if not goal_id:
        return None
    return CurrentGoal(goal_id=str(goal_id), known=StoredGoal.from_data(draft.get("replace_known")))


def _uses_mushaf(draft: Draft) -> bool:
    """Only page and verse goals depend on the layout; a time goal still sends the remembered
    mushaf (the API requires a `mushafId`) without asking for one."""
    return draft.get("type") != GoalType.QURAN_TIME.value


def _after_schedule(draft: Draft) -> str:
    return MUSHAF if _uses_mushaf(draft) else PREVIEW


def _before_mushaf(draft: Draft) -> str:
    if draft.get("origin") == "preset":
        return PREVIEW
    return DAYS if draft.get("schedule") == "days" else SCHEDULE


def _before_preview(draft: Draft) -> str:
    if draft.get("origin") == "preset":
        return CHOOSE
    if _uses_mushaf(draft):
        return MUSHAF
    return DAYS if draft.get("schedule") == "days" else SCHEDULE


def _today(reader: Reader, current: CurrentGoal | None) -> date:
    plan = current.plan if current else None
    return (plan.date if plan else None) or local_today(reader.deps.clock(), reader.timezone)


# ---------------------------------------------------------------------------------------------
# Buttons


def _button(label: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=f"{WIZARD}:{action}")


def _nav(t: Translator, back: str | None) -> list[InlineKeyboardButton]:
    row = [_button(t.gettext("« Back"), f"go:{back}")] if back else []
    row.append(_button(t.gettext("✖ Cancel"), "cancel"))
    return row


def _today_button(t: Translator, owner: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(t.gettext("📅 Today's plan"), callback_data=f"read:today:{owner}")


# ---------------------------------------------------------------------------------------------
# Screens


def _choose_screen(draft: Draft, t: Translator) -> Screen:
    lines = [t.gettext("<b>Set a reading goal</b>")]
    current_text = draft.get("current_text")
    if current_text:
        lines.append(t.gettext(
            "Your current goal: {goal}. A new goal replaces it.", goal=current_text
        ))
    lines.append(t.gettext("Pick one of Quran.com's suggestions or make your own:"))
    rows = [[_button(t.gettext(preset.label), f"preset:{preset.key}")]
            for preset in goal_presets(int(draft["mushaf"]))]
    rows.append([_button(t.gettext("✏️ My own goal"), "custom")])
    if draft.get("replace_id"):
        rows.append([_button(t.gettext("🗑 Delete my goal"), "delete")])
    rows.append(_nav(t, None))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _kind_screen(draft: Draft, t: Translator) -> Screen:
    text = t.gettext("What kind of goal?")
    if draft.get("current_text"):
        text = t.gettext(
            "Your current goal: {goal}.\nWhat kind of goal should it be?",
            goal=draft["current_text"],
        )
    rows = [
        [_button(t.gettext("⏱ Time each day"), "kind:time")],
        [_button(t.gettext("📄 Pages each day"), "kind:pages")],
        [_button(t.gettext("📖 A stretch of verses"), "kind:range")],
        _nav(t, CHOOSE),
    ]
    return text, InlineKeyboardMarkup(rows)


def _describe_amount(draft: Draft, t: Translator) -> str | None:
    spec = _spec({**draft, "schedule": "daily"})
    if spec is None:
        return None
    if spec.type is GoalType.QURAN_TIME:
        return format_duration(int(spec.amount), t)
    if spec.type is GoalType.QURAN_PAGES:
        return t.ngettext("{n} page", "{n} pages", int(spec.amount))
    verse_range = spec.verse_range
    return t.isolate(verse_range.display(t.language)) if verse_range else None


def _amount_screen(draft: Draft, t: Translator, *, problem: str | None = None) -> Screen:
    kind = GoalType(str(draft["type"]))
    if kind is GoalType.QURAN_TIME:
        text = t.gettext(
            "How long do you want to read each day? Send minutes, e.g. <code>15</code>, "
            "<code>15min</code> or <code>1h30</code>."
        )
    elif kind is GoalType.QURAN_PAGES:
        pages = page_count(int(draft["mushaf"]))
        text = t.gettext(
            "How many pages each day? Send a number from 1 to {pages} (your mushaf has "
            "{pages} pages), or <code>1 juz</code>.",
            pages=t.number(pages),
        )
    else:
        text = t.gettext(
            "Which verses? Send one range, e.g. <code>2:1-2:286</code>, <code>Al-Mulk</code> "
            "or <code>juz 30</code>; <code>1:1-114:6</code> is the whole Quran."
        )
    if problem:
        text = f"{problem}\n\n{text}"
    rows: list[list[InlineKeyboardButton]] = []
    answered = _describe_amount(draft, t)
    if answered:
        rows.append([_button(t.gettext("Keep {amount}", amount=answered), f"go:{SCHEDULE}")])
    rows.append(_nav(t, KIND))
    return text, InlineKeyboardMarkup(rows)


def _schedule_screen(draft: Draft, t: Translator) -> Screen:
    amount = _describe_amount(draft, t) or ""
    if GoalType(str(draft["type"])) is GoalType.QURAN_RANGE:
        text = t.gettext("How should I plan {range}?", range=amount)
        rows = [
            [_button(t.gettext("Read all of it every day"), "sched:daily")],
            [_button(t.gettext("Finish it within a number of days"), "sched:days")],
        ]
    else:
        text = t.gettext("{amount} a day: every day with no end date, or for a set number "
                         "of days?", amount=amount)
        rows = [
            [_button(t.gettext("Every day"), "sched:daily")],
            [_button(t.gettext("For a number of days"), "sched:days")],
        ]
    rows.append(_nav(t, AMOUNT))
    return text, InlineKeyboardMarkup(rows)


def _days_screen(draft: Draft, t: Translator, *, problem: str | None = None) -> Screen:
    text = t.gettext("In how many days? Send a number, e.g. <code>30</code>.")
    if problem:
        text = f"{problem}\n\n{text}"
    return text, InlineKeyboardMarkup([_nav(t, SCHEDULE)])


def _mushaf_screen(draft: Draft, t: Translator) -> Screen:
    chosen = int(draft["mushaf"])
    text = t.gettext(
        "Which mushaf do you read from? Pages are counted in its layout.\nNow: {name}",
        name=html.escape(mushaf_name(chosen, t)),
    )
    rows = [
        [_button(("✓ " if mushaf_id == chosen else "") + mushaf_name(mushaf_id, t),
                 f"mushaf:{mushaf_id}")]
        for mushaf_id in MUSHAF_IDS
    ]
    rows.append(_nav(t, _before_mushaf(draft)))
    return text, InlineKeyboardMarkup(rows)


def _estimate_amount(amount: int | str, kind: GoalType, t: Translator) -> str:
    if kind is GoalType.QURAN_TIME and isinstance(amount, int):
        return format_duration(amount, t)
    if kind is GoalType.QURAN_PAGES and isinstance(amount, int):
        return t.ngettext("{n} page", "{n} pages", amount)
    try:
        return t.isolate(VerseRange.from_key(str(amount)).display(t.language))
    except VerseRangeError:
        return html.escape(str(amount))


def _estimate_lines(spec: GoalSpec, estimate: GoalEstimate, t: Translator) -> list[str]:
    """The days ahead. A daily verse goal repeats one day's reading, so it is said once rather
    than as a "week" of one day; goals shorter than a week are listed day by day."""
    if not estimate.week:
        return []
    if spec.type is GoalType.QURAN_RANGE and spec.is_daily:
        amount = _estimate_amount(estimate.week[0].amount, spec.type, t)
        return ["", t.gettext("Every day: {amount}", amount=amount)]
    short = spec.duration_days is not None and spec.duration_days < 7
    heading = t.gettext("Day by day:") if short else t.gettext("Your first week:")
    return ["", heading] + [
        t.gettext("• {day}: {amount}", day=format_short_day(day.date, t),
                  amount=_estimate_amount(day.amount, spec.type, t))
        for day in estimate.week
    ]


def _preview_markup(draft: Draft, t: Translator) -> InlineKeyboardMarkup:
    rows = [[_button(t.gettext("✅ Confirm"), "confirm")]]
    if draft.get("origin") == "preset" and _uses_mushaf(draft):
        rows.append([_button(t.gettext("📖 Change mushaf"), f"go:{MUSHAF}")])
    rows.append(_nav(t, _before_preview(draft)))
    return InlineKeyboardMarkup(rows)


def _preview_screen(
    draft: Draft, t: Translator, spec: GoalSpec, estimate: GoalEstimate
) -> Screen:
    lines = [t.gettext("<b>Your new goal</b>"), describe_goal(spec, t)]
    if _uses_mushaf(draft):
        lines.append(
            t.gettext("Mushaf: {name}", name=html.escape(mushaf_name(int(draft["mushaf"]), t)))
        )
    if draft.get("current_text"):
        lines.append(t.gettext("It replaces your current goal: {goal}.",
                               goal=draft["current_text"]))
    lines += _estimate_lines(spec, estimate, t)
    return "\n".join(lines), _preview_markup(draft, t)


def _retry_markup(t: Translator, action: str, back: str | None) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(t.gettext("Try again"), action)], _nav(t, back)])


# ---------------------------------------------------------------------------------------------
# Showing a step



async def _remember_goal(
    update: Update, context: ContextTypes.DEFAULT_TYPE, goal: StoredGoal | None
) -> None:
    """Keep the goal (and its id) in the person's persisted data, written at once.

    Under the 2026-03-29 contract today's plan has no goalId, so this id is the only handle on
    the goal: it must not wait for the next persistence interval, when a crash could lose it.
    """
    if context.user_data is None:
        return
    remember_goal(context.user_data, goal)
    persistence = context.application.persistence
    if persistence is not None and update.effective_user is not None:
        await persistence.update_user_data(update.effective_user.id, context.user_data)

async def _show(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    draft: Draft,
    step: str,
    *,
    edit: bool,
    problem: str | None = None,
) -> object:
    """Render `step` and return the conversation state to be in afterwards."""
    t = reader.t
    draft["step"] = step
    if step == PREVIEW:
        return await _show_preview(update, context, reader, draft, edit=edit)
    if step == CHOOSE:
        screen = _choose_screen(draft, t)
    elif step == KIND:
        screen = _kind_screen(draft, t)
    elif step == AMOUNT:
        screen = _amount_screen(draft, t, problem=problem)
        problem = None
    elif step == SCHEDULE:
        screen = _schedule_screen(draft, t)
    elif step == DAYS:
        screen = _days_screen(draft, t, problem=problem)
        problem = None
    else:
        screen = _mushaf_screen(draft, t)
    text = f"{problem}\n\n{screen[0]}" if problem else screen[0]
    await send(update, context, text, screen[1], edit=edit)
    return step


async def _show_preview(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    draft: Draft,
    *,
    edit: bool,
) -> object:
    t = reader.t
    spec = _spec(draft)
    if spec is None:
        return await _show(update, context, reader, draft, KIND, edit=edit)
    try:
        estimate = await reader.session.estimate_goal(
            spec.type.value, spec.api_amount, int(draft["mushaf"]), spec.duration_days
        )
    except QFError as error:
        await reply_upstream_error(
            update, context, t, error,
            retry_markup=_retry_markup(t, f"go:{PREVIEW}", _before_preview(draft)),
        )
        return PREVIEW
    text, markup = _preview_screen(draft, t, spec, estimate)
    await send(update, context, text, markup, edit=edit)
    return PREVIEW


async def _start_wizard(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    *,
    step: str,
    edit: bool,
) -> object:
    t = reader.t
    try:
        current = await find_current_goal(
            reader.session, reader.mushaf_id, stored_goal(context.user_data)
        )
    except QFError as error:
        retry = InlineKeyboardMarkup([[_button(t.gettext("Try again"), "start")]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return END
    if current is not None and not current.can_change:
        await send(update, context, _cannot_change_text(current, t), edit=edit)
        return END
    draft: Draft = {
        "origin": "custom",
        "mushaf": reader.mushaf_id,
        "replace_id": current.goal_id if current else None,
        "replace_known": current.known.to_data() if current and current.known else None,
        "current_text": describe_current_goal(current, t) if current else None,
    }
    if context.user_data is not None:
        context.user_data[DRAFT_KEY] = draft
    if step == KIND and current is None:
        step = CHOOSE
    return await _show(update, context, reader, draft, step, edit=edit)


def _cannot_change_text(current: CurrentGoal, t: Translator) -> str:
    return t.gettext(
        "You already have a goal ({goal}) that was set on Quran.com, and Quran.com doesn't "
        "tell me its id, so I can't change it from here. Change or delete it on Quran.com, "
        "then come back.",
        goal=describe_current_goal(current, t),
    )


# ---------------------------------------------------------------------------------------------
# Wizard callbacks


async def wizard_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """Every wizard button: works in any state, since the answers are in the draft."""
    query = update.callback_query
    if query is None or not query.data:
        return None
    if not is_private(update):
        await query.answer()
        return None
    action, _, argument = query.data.removeprefix(f"{WIZARD}:").partition(":")
    reader = await open_reader(update, context)
    await query.answer()
    if reader is None:
        return END
    if action == "start":
        return await _start_wizard(update, context, reader, step=CHOOSE, edit=True)
    draft = _draft(context)
    t = reader.t
    if draft is None:
        await send(update, context, t.gettext(
            "This goal setup has ended. Send /goal to start again."
        ), edit=True)
        return END
    if action == "cancel":
        _drop_draft(context)
        await send(update, context, t.gettext("Goal setup cancelled; nothing was changed."),
                   edit=True)
        return END
    if action == "delete":
        _drop_draft(context)
        await _ask_delete(update, context, reader, edit=True)
        return END
    if action == "go" and argument in STEPS:
        return await _show(update, context, reader, draft, argument, edit=True)
    if action == "preset":
        preset = preset_by_key(argument, int(draft["mushaf"]))
        if preset is None:
            return await _show(update, context, reader, draft, CHOOSE, edit=True)
        draft.update(origin="preset", preset=preset.key, type=preset.spec.type.value,
                     amount=preset.spec.amount, juz=None, duration=preset.spec.duration_days,
                     schedule="days" if preset.spec.duration_days else "daily")
        return await _show(update, context, reader, draft, PREVIEW, edit=True)
    if action == "custom":
        draft.update(origin="custom", preset=None)
        return await _show(update, context, reader, draft, KIND, edit=True)
    if action == "kind" and argument in _KIND_CODES:
        kind = _KIND_CODES[argument]
        if draft.get("type") != kind.value:
            draft.update(type=kind.value, amount=None, juz=None, duration=None, schedule=None)
        draft["origin"] = "custom"
        return await _show(update, context, reader, draft, AMOUNT, edit=True)
    if action == "sched" and argument in ("daily", "days"):
        draft["schedule"] = argument
        if argument == "days":
            return await _show(update, context, reader, draft, DAYS, edit=True)
        draft["duration"] = None
        return await _show(update, context, reader, draft, _after_schedule(draft), edit=True)
    if action == "mushaf" and argument.isdigit() and int(argument) in MUSHAF_IDS:
        return await _choose_mushaf(update, context, reader, draft, int(argument))
    if action == "confirm":
        return await _confirm(update, context, reader, draft)
    return None


async def _choose_mushaf(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    draft: Draft,
    mushaf_id: int,
    *,
    edit: bool = True,
) -> object:
    t = reader.t
    draft["mushaf"] = mushaf_id
    # Remembered at once: the next goal (and /today's page counts) use it too.
    await reader.deps.chats.update(reader.user_id, mushaf_id=mushaf_id)
    if draft.get("origin") == "preset" and draft.get("preset"):
        preset = preset_by_key(str(draft["preset"]), mushaf_id)
        if preset is not None:
            draft["amount"] = preset.spec.amount
    elif draft.get("type") == GoalType.QURAN_PAGES.value and isinstance(draft.get("juz"), int):
        # "1 juz" was asked for: a juz's pages in the layout chosen now, not the earlier one.
        draft["amount"] = int(draft["juz"]) * pages_per_juz(mushaf_id)
    elif draft.get("type") == GoalType.QURAN_PAGES.value and isinstance(draft.get("amount"), int):
        pages = page_count(mushaf_id)
        if int(draft["amount"]) > pages:
            problem = GoalInputError(
                "pages_too_many", pages=int(draft["amount"]), page_count=pages
            ).describe(t)
            return await _show(update, context, reader, draft, AMOUNT, edit=edit,
                               problem=problem)
    return await _show(update, context, reader, draft, PREVIEW, edit=edit)


async def _confirm(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, draft: Draft
) -> object:
    t = reader.t
    spec = _spec(draft)
    if spec is None:
        return await _show(update, context, reader, draft, KIND, edit=True)
    mushaf_id = int(draft["mushaf"])
    back = _before_preview(draft)
    try:
        current = _current_in(draft)
        if draft.get("uncertain"):
            # The last attempt may have been applied: look again rather than add a second goal.
            current = await find_current_goal(
                reader.session, mushaf_id, stored_goal(context.user_data)
            )
            if current is not None and not current.can_change:
                # Saved, but this contract does not tell us the new goal's id.
                _drop_draft(context)
                await _remember_goal(
                    update, context, StoredGoal(None, spec, mushaf_id, _today(reader, current))
                )
                await send(update, context, t.gettext(
                    "✅ Your goal is saved: {goal}.", goal=describe_goal(spec, t)
                ), edit=True)
                return END
        stored = await apply_goal(
            reader.session, spec, mushaf_id, current, today=_today(reader, current)
        )
    except QFError as error:
        if isinstance(error, QFTimeout | QFConnectionError) and error.ambiguous:
            draft["uncertain"] = True
        await reply_upstream_error(
            update, context, t, error, retry_markup=_retry_markup(t, "confirm", back)
        )
        return PREVIEW
    await _remember_goal(update, context, stored)
    _drop_draft(context)
    text = t.gettext(
        "✅ Your goal is set: {goal}.\nSee today's share with /today; log reading with /read.",
        goal=describe_goal(spec, t),
    )
    markup = InlineKeyboardMarkup([[_today_button(t, reader.user_id)]])
    await send(update, context, text, markup, edit=True)
    return END


async def amount_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    message = update.effective_message
    draft = _draft(context)
    reader = await open_reader(update, context)
    if message is None or message.text is None or reader is None:
        return None
    t = reader.t
    if draft is None or draft.get("type") is None:
        await message.reply_text(t.gettext("Let's start again: send /goal."))
        return END
    kind = GoalType(str(draft["type"]))
    text = message.text
    try:
        if kind is GoalType.QURAN_TIME:
            draft["amount"] = parse_minutes_answer(text)
        elif kind is GoalType.QURAN_PAGES:
            draft["amount"] = parse_pages_answer(text, int(draft["mushaf"]))
            draft["juz"] = juz_count(text)
        else:
            spec = parse_range_answer(text)
            draft["amount"] = spec.amount
            if spec.duration_days is not None:
                draft.update(duration=spec.duration_days, schedule="days")
                return await _show(
                    update, context, reader, draft, _after_schedule(draft), edit=False
                )
    except GoalInputError as error:
        problem = error.describe(t)
        if error.code == "syntax" and kind is GoalType.QURAN_PAGES:
            problem = t.gettext("Send the number of pages, e.g. <code>2</code>.")
        return await _show(update, context, reader, draft, AMOUNT, edit=False, problem=problem)
    return await _show(update, context, reader, draft, SCHEDULE, edit=False)


async def days_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    message = update.effective_message
    draft = _draft(context)
    reader = await open_reader(update, context)
    if message is None or message.text is None or reader is None:
        return None
    t = reader.t
    if draft is None:
        await message.reply_text(t.gettext("Let's start again: send /goal."))
        return END
    try:
        draft["duration"] = parse_day_count(message.text)
    except GoalInputError as error:
        problem = (
            t.gettext("Send a number of days, e.g. <code>30</code>.")
            if error.code == "syntax" else error.describe(t)
        )
        return await _show(update, context, reader, draft, DAYS, edit=False, problem=problem)
    draft["schedule"] = "days"
    return await _show(update, context, reader, draft, _after_schedule(draft), edit=False)


async def _typed_goal(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, draft: Draft, text: str,
    step: str,
) -> object:
    """A goal typed where the wizard offers presets or goal types ("15 min", "2 pages",
    "mulk in 30 days"): taken as the custom goal's answers, going on to the next open step."""
    t = reader.t
    kind = parse_kind_answer(text)
    if kind is not None:
        if draft.get("type") != kind.value:
            draft.update(type=kind.value, amount=None, juz=None, duration=None, schedule=None)
        draft.update(origin="custom", preset=None)
        return await _show(update, context, reader, draft, AMOUNT, edit=False)
    try:
        spec = parse_goal_command(text, mushaf_id=int(draft["mushaf"]))
    except GoalInputError as error:
        problem = (
            t.gettext("Please tap one of the buttons, or type the goal, for example 15min, "
                      "2 pages or Al-Mulk.")
            if error.code in ("syntax", "empty") else error.describe(t)
        )
        return await _show(update, context, reader, draft, step, edit=False, problem=problem)
    draft.update(
        origin="custom", preset=None, type=spec.type.value, amount=spec.amount,
        juz=juz_count(text) if spec.type is GoalType.QURAN_PAGES else None,
        duration=spec.duration_days, schedule="days" if spec.duration_days else None,
    )
    next_step = _after_schedule(draft) if spec.duration_days else SCHEDULE
    return await _show(update, context, reader, draft, next_step, edit=False)


async def _typed_at_button_step(
    update: Update, context: ContextTypes.DEFAULT_TYPE, step: str
) -> object:
    """Text typed where the step asks for a tap. A sensible answer is taken (a goal at the
    first steps, "every day" or "30" for the schedule, "7" or "uthmani" for the mushaf); anything
    else gets the step again with a pointer to its buttons. Handled inside the wizard so the
    text is never lost to the general "I'm not sure what to do with that" reply."""
    message = update.effective_message
    draft = _draft(context)
    reader = await open_reader(update, context)
    if message is None or message.text is None or reader is None:
        return None
    t = reader.t
    text = message.text
    if draft is None:
        await message.reply_text(t.gettext("Let's start again: send /goal."))
        return END
    if step in (CHOOSE, KIND):
        return await _typed_goal(update, context, reader, draft, text, step)
    if _spec(draft) is None:
        return await _show(update, context, reader, draft, KIND, edit=False)
    if step == SCHEDULE:
        try:
            days = parse_schedule_answer(text)
        except GoalInputError as error:
            problem = (
                t.gettext("Please tap one of the buttons, or send a number of days, for "
                          "example 30.")
                if error.code == "syntax" else error.describe(t)
            )
            return await _show(update, context, reader, draft, SCHEDULE, edit=False,
                               problem=problem)
        draft.update(schedule="daily" if days is None else "days", duration=days)
        return await _show(update, context, reader, draft, _after_schedule(draft), edit=False)
    if step == MUSHAF:
        mushaf_id = parse_mushaf_answer(text, t)
        if mushaf_id is not None:
            return await _choose_mushaf(update, context, reader, draft, mushaf_id, edit=False)
        problem = t.gettext(
            "Please tap one of the buttons, or send the mushaf's number in the list (1 to "
            "{count}).",
            count=t.number(len(MUSHAF_IDS)),
        )
        return await _show(update, context, reader, draft, MUSHAF, edit=False, problem=problem)
    await send(update, context, t.gettext(
        "Please tap ✅ Confirm to set this goal, or « Back to change it."
    ), _preview_markup(draft, t))
    return PREVIEW


def _typed_handler(step: str, typed: filters.BaseFilter) -> MessageHandler[Any, object]:
    async def typed_at_step(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        return await _typed_at_button_step(update, context, step)

    return MessageHandler(typed, typed_at_step)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    message = update.effective_message
    _drop_draft(context)
    if message is not None:
        t = await translator_for(update, context)
        await message.reply_text(t.gettext("Goal setup cancelled; nothing was changed."))
    return END


async def timed_out(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    _drop_draft(context)
    if isinstance(update, Update) and update.effective_chat is not None:
        t = await translator_for(update, context)
        await context.bot.send_message(update.effective_chat.id, t.gettext(
            "Goal setup closed after 10 minutes without an answer. Send /goal to start again."
        ))


# ---------------------------------------------------------------------------------------------
# /goal


async def goal_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """`/goal` opens the wizard; `/goal delete`, `/goal edit`; anything else is a one-liner."""
    message = update.effective_message
    if message is None:
        return END
    args = " ".join(context.args or ()).strip()
    reader = await open_reader(update, context)
    if reader is None:
        return END
    word = args.casefold()
    if not args:
        return await _start_wizard(update, context, reader, step=CHOOSE, edit=False)
    if word in _DELETE_WORDS:
        _drop_draft(context)
        await _ask_delete(update, context, reader, edit=False)
        return END
    if word in _EDIT_WORDS:
        return await _start_wizard(update, context, reader, step=KIND, edit=False)
    _drop_draft(context)
    await _one_liner(update, context, reader, args, confirmed=False)
    return END


async def goal_in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Goals change the user's account: set them up in the private chat, not in front of
    the group."""
    message = update.effective_message
    if message is None:
        return
    t = await translator_for(update, context)
    button = InlineKeyboardButton(
        t.gettext("🎯 Set my goal privately"), url=private_chat_url(context, GOAL_DEEP_LINK)
    )
    await message.reply_text(
        t.gettext("Reading goals are set in our private chat."),
        reply_markup=InlineKeyboardMarkup([[button]]),
    )


async def goal_deep_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/start goal` (the button from a group) opens the wizard; nothing else answers it."""
    reader = await open_reader(update, context)
    if reader is not None:
        await _start_wizard(update, context, reader, step=CHOOSE, edit=False)
    raise ApplicationHandlerStop


async def _one_liner(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    args: str,
    *,
    confirmed: bool,
) -> None:
    t = reader.t
    try:
        spec = parse_goal_command(args, mushaf_id=reader.mushaf_id)
    except GoalInputError as error:
        await send(update, context, error.describe(t), edit=confirmed)
        return
    if context.user_data is not None:
        context.user_data[PENDING_KEY] = {"args": args}
    retry = InlineKeyboardMarkup([[InlineKeyboardButton(
        t.gettext("Try again"), callback_data=f"{PREFIX}:ol:yes"
    )]])
    try:
        current = await find_current_goal(
            reader.session, reader.mushaf_id, stored_goal(context.user_data)
        )
        if current is not None and not current.can_change:
            await send(update, context, _cannot_change_text(current, t), edit=confirmed)
            return
        if current is not None and current.known is None and not confirmed:
            await _ask_replace(update, context, reader, spec, current)
            return
        stored = await apply_goal(
            reader.session, spec, reader.mushaf_id, current, today=_today(reader, current)
        )
    except QFError as error:
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return
    if context.user_data is None:
        return
    context.user_data.pop(PENDING_KEY, None)
    await _remember_goal(update, context, stored)
    lines = [t.gettext("✅ Goal set: {goal}.", goal=describe_goal(spec, t))]
    previous = current.known if current else None
    if current is not None:
        lines.append(t.gettext("It replaces your previous goal: {goal}.",
                               goal=describe_current_goal(current, t)))
    rows: list[list[InlineKeyboardButton]] = []
    if current is None or previous is not None:
        token = new_offer_token()
        context.user_data[UNDO_KEY] = {
            "token": token,
            "goal": stored.to_data(),
            "previous": previous.to_data() if previous else None,
        }
        rows.append([InlineKeyboardButton(t.gettext("↩️ Undo"),
                                          callback_data=f"{PREFIX}:undo:{token}")])
    rows.append([_today_button(t, reader.user_id)])
    await send(update, context, "\n".join(lines), InlineKeyboardMarkup(rows), edit=confirmed)


async def _ask_replace(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    spec: GoalSpec,
    current: CurrentGoal,
) -> None:
    t = reader.t
    text = t.gettext(
        "You already have a goal: {current}.\nReplace it with “{new}”?",
        current=describe_current_goal(current, t),
        new=describe_goal(spec, t),
    )
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(t.gettext("Replace it"), callback_data=f"{PREFIX}:ol:yes"),
        InlineKeyboardButton(t.gettext("Keep my goal"), callback_data=f"{PREFIX}:ol:no"),
    ]])
    await send(update, context, text, markup)


# ---------------------------------------------------------------------------------------------
# Delete and undo


async def _ask_delete(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, *, edit: bool
) -> None:
    t = reader.t
    try:
        current = await find_current_goal(
            reader.session, reader.mushaf_id, stored_goal(context.user_data)
        )
    except QFError as error:
        await reply_upstream_error(update, context, t, error)
        return
    if current is None:
        await send(update, context, t.gettext("You have no reading goal right now."), edit=edit)
        return
    if not current.can_change:
        await send(update, context, _cannot_change_text(current, t), edit=edit)
        return
    description = describe_current_goal(current, t)
    if context.user_data is not None:
        context.user_data[DELETE_KEY] = {"id": current.goal_id}
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(t.gettext("🗑 Delete it"), callback_data=f"{PREFIX}:del:yes"),
        InlineKeyboardButton(t.gettext("Keep it"), callback_data=f"{PREFIX}:del:no"),
    ]])
    await send(update, context, t.gettext(
        "Delete your goal “{goal}”? Your reading history and streak stay on Quran.com.",
        goal=description,
    ), markup, edit=edit)


async def _delete_confirmed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader
) -> None:
    t = reader.t
    user_data = context.user_data if context.user_data is not None else {}
    pending = user_data.get(DELETE_KEY)
    goal_id = pending.get("id") if isinstance(pending, dict) else None
    if not goal_id:
        await send(update, context, t.gettext("Nothing to delete any more."), edit=True)
        return
    try:
        await reader.session.delete_goal(str(goal_id))
    except NotFound:
        logger.info("goal to delete was already gone")
    except QFError as error:
        retry = InlineKeyboardMarkup([[InlineKeyboardButton(
            t.gettext("Try again"), callback_data=f"{PREFIX}:del:yes"
        )]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return
    user_data.pop(DELETE_KEY, None)
    user_data.pop(UNDO_KEY, None)
    known = stored_goal(user_data)
    if known is None or known.id in (None, goal_id):
        await _remember_goal(update, context, None)
    await send(update, context, t.gettext(
        "🗑 Goal deleted. Set a new one any time with /goal."
    ), edit=True)


async def _undo(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, token: str
) -> None:
    t = reader.t
    user_data = context.user_data if context.user_data is not None else {}
    undo = user_data.get(UNDO_KEY)
    if not isinstance(undo, dict) or undo.get("token") != token:
        await send(update, context, t.gettext("There is nothing to undo any more."), edit=True)
        return
    new = StoredGoal.from_data(undo.get("goal"))
    previous = StoredGoal.from_data(undo.get("previous"))
    if new is None or new.id is None:
        user_data.pop(UNDO_KEY, None)
        await send(update, context, t.gettext("There is nothing to undo any more."), edit=True)
        return
    retry = InlineKeyboardMarkup([[InlineKeyboardButton(
        t.gettext("Try again"), callback_data=f"{PREFIX}:undo:{token}"
    )]])
    try:
        if previous is None:
            try:
                await reader.session.delete_goal(new.id)
            except NotFound:
                logger.info("goal to undo was already gone")
            restored: StoredGoal | None = None
        else:
            restored = await apply_goal(
                reader.session, previous.spec, previous.mushaf_id,
                CurrentGoal(goal_id=new.id, known=new),
                today=local_today(reader.deps.clock(), reader.timezone),
            )
    except QFError as error:
        await reply_upstream_error(update, context, t, error, retry_markup=retry)
        return
    user_data.pop(UNDO_KEY, None)
    await _remember_goal(update, context, restored)
    if restored is None:
        text = t.gettext("↩️ Undone: the goal is removed.")
    else:
        text = t.gettext("↩️ Undone: your goal is back to {goal}.",
                         goal=describe_goal(restored.spec, t))
    await send(update, context, text, edit=True)


async def goal_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Undo, delete and replace confirmations (outside the wizard)."""
    query = update.callback_query
    if query is None or not query.data:
        return
    if not is_private(update):
        await query.answer()
        return
    _, action, argument = [*query.data.split(":", 2), ""][:3]
    reader = await open_reader(update, context)
    await query.answer()
    if reader is None:
        return
    t = reader.t
    if action == "undo":
        await _undo(update, context, reader, argument)
    elif action == "del" and argument == "yes":
        await _delete_confirmed(update, context, reader)
    elif action == "del":
        (context.user_data or {}).pop(DELETE_KEY, None)
        await send(update, context, t.gettext("Kept your goal."), edit=True)
    elif action == "ol" and argument == "yes":
        pending = (context.user_data or {}).get(PENDING_KEY)
        args = pending.get("args") if isinstance(pending, dict) else None
        if not isinstance(args, str):
            await send(update, context, t.gettext("That request has expired. Send /goal again."),
                       edit=True)
            return
        await _one_liner(update, context, reader, args, confirmed=True)
    elif action == "ol":
        (context.user_data or {}).pop(PENDING_KEY, None)
        await send(update, context, t.gettext("Kept your goal."), edit=True)


def build_conversation() -> ConversationHandler[Any]:
    private_new = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    typed = filters.TEXT & ~filters.COMMAND & private_new
    wizard_buttons = CallbackQueryHandler(wizard_button, pattern=rf"^{WIZARD}:")
    with warnings.catch_warnings():
        # PTB warns that CallbackQueryHandlers are not tracked per message with
        # per_message=False. That is intended: the wizard mixes buttons and typed answers, and
        # its buttons read the persisted draft rather than the message they sit on.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[CommandHandler("goal", goal_command, private_new), wizard_buttons],
            states={
                # The buttons are entry points, so button steps only need a handler for what
                # is typed there instead.
                **{step: [_typed_handler(step, typed)]
                   for step in (CHOOSE, KIND, SCHEDULE, MUSHAF, PREVIEW)},
                AMOUNT: [MessageHandler(typed, amount_typed)],
                DAYS: [MessageHandler(typed, days_typed)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[CommandHandler("cancel", cancel, private_new)],
            name=CONVERSATION_NAME,
            persistent=True,
            allow_reentry=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
        )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # The group button's deep link opens the wizard. It must run before the /start handlers
    # of handlers.timezone (group -1, which lets any other payload through) and handlers.start
    # (group 0), and stop them, or the welcome would answer instead.
    application.add_handler(
        CommandHandler(
            "start",
            goal_deep_link,
            filters.ChatType.PRIVATE
            & filters.UpdateType.MESSAGE
            & filters.Regex(rf"^/start(@\w+)?\s+{GOAL_DEEP_LINK}\s*$"),
        ),
        group=DEEP_LINK_GROUP,
    )
    application.add_handler(build_conversation())
    application.add_handler(
        CommandHandler("goal", goal_in_group, ~filters.ChatType.PRIVATE
                       & filters.UpdateType.MESSAGE)
    )
    application.add_handler(
        CallbackQueryHandler(goal_button, pattern=rf"^{PREFIX}:(undo|del|ol):")
    )
