"""The /goal wizard: a persistent ConversationHandler (private chats only, /cancel, « Back,
10-minute timeout), and /goal itself, which opens it or hands over to a one-liner or delete.

Every wizard button is also an entry point and reads the persisted draft rather than the
conversation, so a button keeps working after a restart or an upstream failure: "Try again"
repeats the failed step with the answers already given instead of starting over.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
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

from bot.domain.goals import GoalType, preset_by_key
from bot.domain.mushafs import MUSHAF_IDS
from bot.i18n import Translator
from bot.qf import QFConnectionError, QFError, QFTimeout
from bot.services.goals import confirm_goal
from bot.services.reader import Reader
from handlers.callbacks import CallbackData, on_press
from handlers.context import translator_for
from handlers.goals.buttons import (
    KindCode,
    Schedule,
    WizardCancel,
    WizardConfirm,
    WizardCustom,
    WizardDelete,
    WizardGo,
    WizardKind,
    WizardMushaf,
    WizardPreset,
    WizardSchedule,
    open_press,
    today_button,
)
from handlers.goals.draft import (
    Draft,
    Step,
    after_schedule,
    answers_version,
    before_preview,
    draft_of,
    drop_draft,
    replaced_goal,
    spec_of,
    wizard_session,
)
from handlers.goals.manage import ask_delete, save_goal_record, user_data_of
from handlers.goals.oneliners import set_one_liner
from handlers.goals.screens import draft_goal_text, retry_markup
from handlers.goals.steps import set_mushaf, show, start_wizard
from handlers.goals.typed import amount_typed, days_typed, typed_at
from handlers.replies import (
    StartGoalWizard,
    is_private,
    open_reader,
    private_chat_url,
    reply_upstream_error,
    send,
)

#: Deep-link payload that opens the wizard in the private chat (from a group).
GOAL_DEEP_LINK = "goal"
CONVERSATION_NAME = "goal_wizard"
CONVERSATION_TIMEOUT = 600
END = ConversationHandler.END

_KINDS = {KindCode.TIME: GoalType.QURAN_TIME, KindCode.PAGES: GoalType.QURAN_PAGES,
          KindCode.RANGE: GoalType.QURAN_RANGE}
_DELETE_WORDS = frozenset({"delete", "remove", "del", "stop", "حذف", "احذف", "الغاء"})
_EDIT_WORDS = frozenset({"edit", "change", "تعديل", "غير"})

D = TypeVar("D", bound=CallbackData)
WizardStep = Callable[
    [Update, ContextTypes.DEFAULT_TYPE, Reader, Translator, Draft, D], Awaitable[object]
]


# ---------------------------------------------------------------------------------------------
# /goal


async def goal_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """`/goal` opens the wizard; `/goal delete`, `/goal edit`; anything else is a one-liner."""
    if update.effective_message is None:
        return END
    args = " ".join(context.args or ()).strip()
    t = await translator_for(update, context)
    reader = await open_reader(update, context, t)
    if reader is None:
        return END
    word = args.casefold()
    if not args:
        return await start_wizard(update, context, reader, t, step=Step.CHOOSE, edit=False)
    if word in _EDIT_WORDS:
        return await start_wizard(update, context, reader, t, step=Step.KIND, edit=False)
    drop_draft(context)
    if word in _DELETE_WORDS:
        await ask_delete(update, context, reader, t, edit=False)
    else:
        await set_one_liner(update, context, reader, t, args, confirmed=False)
    return END


async def goal_in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Goals change the user's account: set them up in the private chat, not in front of
    the group."""
    message = update.effective_message
    if message is None:
        return
    t = await translator_for(update, context)
    open_chat = InlineKeyboardButton(
        t.gettext("🎯 Set my goal privately"), url=private_chat_url(context, GOAL_DEEP_LINK)
    )
    await message.reply_text(
        t.gettext("Reading goals are set in our private chat."),
        reply_markup=InlineKeyboardMarkup([[open_chat]]),
    )


async def goal_deep_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/start goal` (the button from a group) opens the wizard; nothing else answers it."""
    t = await translator_for(update, context)
    reader = await open_reader(update, context, t)
    if reader is not None:
        await start_wizard(update, context, reader, t, step=Step.CHOOSE, edit=False)
    raise ApplicationHandlerStop


# ---------------------------------------------------------------------------------------------
# Buttons: each one works in any state, since the answers are in the draft


async def start_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: StartGoalWizard
) -> object:
    """🎯 Set a goal (from /today) and "Try again" when the wizard could not start."""
    t = await translator_for(update, context)
    reader = await open_press(update, context, t)
    if reader is None:
        return _not_opened(update)
    return await start_wizard(update, context, reader, t, step=Step.CHOOSE, edit=True)


def _not_opened(update: Update) -> object:
    """The state after a press that could not open the wizard: a press in a group changes no
    conversation; in private, one the sender is not set up for ends it."""
    return END if is_private(update) else None


def on_wizard_press(cls: type[D], step: WizardStep[D]) -> CallbackQueryHandler[Any, object]:
    """A wizard button's handler: `step` runs with the presser's session and draft. Outside
    the private chat the press is only answered; without a draft the setup is over."""

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, data: D) -> object:
        t = await translator_for(update, context)
        reader = await open_press(update, context, t)
        if reader is None:
            return _not_opened(update)
        draft = draft_of(context)
        # A button of an earlier opening of the wizard (closed, cancelled, or opened again
        # since) must not act on the answers of the current one.
        if draft is None or getattr(data, "session", None) != wizard_session(draft):
            await send(update, context, t.gettext(
                "This goal setup has ended. Send /goal to start again."
            ), edit=True)
            return END
        return await step(update, context, reader, t, draft, data)

    return on_press(cls, pressed)


async def _cancel_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, t: Translator,
    draft: Draft, data: WizardCancel,
) -> object:
    drop_draft(context)
    await send(update, context, t.gettext("Cancelled. Nothing about your goal was changed."),
               edit=True)
    return END


async def _delete_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, t: Translator,
    draft: Draft, data: WizardDelete,
) -> object:
    drop_draft(context)
    await ask_delete(update, context, reader, t, edit=True)
    return END


async def _go_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, t: Translator,
    draft: Draft, data: WizardGo,
) -> object:
    return await show(update, context, reader, t, draft, data.step, edit=True)


async def _preset_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, t: Translator,
    draft: Draft, data: WizardPreset,
) -> object:
    preset = preset_by_key(data.key, int(draft["mushaf"]))
    if preset is None:
        return await show(update, context, reader, t, draft, Step.CHOOSE, edit=True)
    spec = preset.spec
    # The One-juz preset is a page goal of a juz's pages, and is said back as a juz.
    draft.update(origin="preset", preset=preset.key, type=spec.type.value, amount=spec.amount,
                 juz=1 if preset.key == "juz" else None, duration=spec.duration_days,
                 schedule="days" if spec.duration_days else "daily")
    return await show(update, context, reader, t, draft, Step.PREVIEW, edit=True)


async def _custom_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, t: Translator,
    draft: Draft, data: WizardCustom,
) -> object:
    draft.update(origin="custom", preset=None)
    return await show(update, context, reader, t, draft, Step.KIND, edit=True)


async def _kind_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, t: Translator,
    draft: Draft, data: WizardKind,
) -> object:
    kind = _KINDS[data.kind]
    if draft.get("type") != kind.value:
        draft.update(type=kind.value, amount=None, juz=None, duration=None, schedule=None)
    draft["origin"] = "custom"
    return await show(update, context, reader, t, draft, Step.AMOUNT, edit=True)


async def _schedule_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, t: Translator,
    draft: Draft, data: WizardSchedule,
) -> object:
    draft["schedule"] = data.schedule.value
    if data.schedule is Schedule.DAYS:
        return await show(update, context, reader, t, draft, Step.DAYS, edit=True)
    draft["duration"] = None
    return await show(update, context, reader, t, draft, after_schedule(draft), edit=True)


async def _mushaf_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, t: Translator,
    draft: Draft, data: WizardMushaf,
) -> object:
    if data.mushaf_id not in MUSHAF_IDS:
        return None
    return await set_mushaf(update, context, reader, t, draft, data.mushaf_id)


async def _confirm_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reader: Reader, t: Translator,
    draft: Draft, data: WizardConfirm,
) -> object:
    if data.answers != answers_version(draft):
        await send(update, context, t.gettext(
            "This preview is out of date; nothing was saved. "
            "Use the newest message of your goal setup."
        ))
        return None
    spec = spec_of(draft)
    if spec is None:
        return await show(update, context, reader, t, draft, Step.KIND, edit=True)
    try:
        goal = await confirm_goal(
            reader, spec, int(draft["mushaf"]), replaced_goal(draft), user_data_of(context),
            recheck=bool(draft.get("uncertain")),
        )
    except QFError as error:
        if isinstance(error, QFTimeout | QFConnectionError) and error.ambiguous:
            draft["uncertain"] = True  # it may have been set: look before trying again
        again = WizardConfirm(wizard_session(draft), answers_version(draft))
        retry = retry_markup(t, draft, again, before_preview(draft))
        await reply_upstream_error(update, context, t, error, retry_markup=retry, kept=True)
        return Step.PREVIEW
    drop_draft(context)
    await save_goal_record(update, context)
    if goal.id is None:
        # Saved, but this contract does not tell us the new goal's id.
        await send(update, context, t.gettext(
            "✅ Your goal is saved: {goal}.", goal=draft_goal_text(draft, spec, t)
        ), edit=True)
        return END
    text = t.gettext(
        "✅ Your goal is set: {goal}.\nSee today's share with /today; log reading with /read.",
        goal=draft_goal_text(draft, spec, t),
    )
    markup = InlineKeyboardMarkup([[today_button(t, reader.user_id)]])
    await send(update, context, text, markup, edit=True)
    return END


# ---------------------------------------------------------------------------------------------
# Leaving


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    message = update.effective_message
    drop_draft(context)
    if message is not None:
        t = await translator_for(update, context)
        await message.reply_text(t.gettext("Cancelled. Nothing about your goal was changed."))
    return END


async def timed_out(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    drop_draft(context)
    if isinstance(update, Update) and update.effective_chat is not None:
        t = await translator_for(update, context)
        await context.bot.send_message(update.effective_chat.id, t.gettext(
            "Goal setup closed after 10 minutes without an answer. Send /goal to start again."
        ))


def build_conversation() -> ConversationHandler[Any]:
    private_new = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    typed = filters.TEXT & ~filters.COMMAND & private_new
    buttons = [
        on_press(StartGoalWizard, start_pressed),
        on_wizard_press(WizardCancel, _cancel_pressed),
        on_wizard_press(WizardDelete, _delete_pressed),
        on_wizard_press(WizardGo, _go_pressed),
        on_wizard_press(WizardPreset, _preset_pressed),
        on_wizard_press(WizardCustom, _custom_pressed),
        on_wizard_press(WizardKind, _kind_pressed),
        on_wizard_press(WizardSchedule, _schedule_pressed),
        on_wizard_press(WizardMushaf, _mushaf_pressed),
        on_wizard_press(WizardConfirm, _confirm_pressed),
    ]
    with warnings.catch_warnings():
        # PTB warns that CallbackQueryHandlers are not tracked per message with
        # per_message=False. That is intended: the wizard mixes buttons and typed answers, and
        # its buttons read the persisted draft rather than the message they sit on.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[CommandHandler("goal", goal_command, private_new), *buttons],
            states={
                # The buttons are entry points, so button steps only need a handler for what
                # is typed there instead.
                **{step: [typed_at(step, typed)]
                   for step in (Step.CHOOSE, Step.KIND, Step.SCHEDULE, Step.MUSHAF,
                                Step.PREVIEW)},
                Step.AMOUNT: [MessageHandler(typed, amount_typed)],
                Step.DAYS: [MessageHandler(typed, days_typed)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[CommandHandler("cancel", cancel, private_new)],
            name=CONVERSATION_NAME,
            persistent=True,
            allow_reentry=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
        )
