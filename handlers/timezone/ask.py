"""The private timezone question: /timezone, the "Set my timezone" button, a typed place or a
shared location.

The private flow is a persistent conversation in handler group -1, so that a typed city reaches
it even while another wizard (say /goal) waits in group 0: the conversation stops further
processing of what it consumes, ends itself quietly when the user sends any other command (which
then runs normally), and ignores what it does not understand. /start without a stored timezone
enters it silently, and handlers.start asks the question right after its welcome.
"""

from __future__ import annotations

import html
import warnings
from typing import Any

from telegram import KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.domain.timezones import timezone_for_location
from bot.i18n import Translator
from bot.services.deps import deps_of
from handlers.context import chat_settings_for, translator_for
from handlers.replies import (
    LOGIN_DEEP_LINK,
    TIMEZONE_DEEP_LINK,
    AskTimezone,
    is_private,
    send,
)
from handlers.timezone.choice import (
    KEYBOARD_SHOWN,
    MAX_PLACE_LENGTH,
    apply_query,
    describe_zone,
    local_time,
    reply_done,
    store_zone,
)
from handlers.timezone.continuation import carry_on_after_confirmation

#: Conversation name (persisted) and its one state.
CONVERSATION_NAME = "timezone"
ASKING = "asking"
#: Handler group of the private conversation: before every wizard in group 0.
CONVERSATION_GROUP = -1
#: What a conversation callback returns: ASKING, ConversationHandler.END or None (no change).
State = str | int | None


async def ask_place(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator) -> None:
    """Ask a private-chat user where they are (showing the timezone they have, if any), with a
    button that shares their location."""
    deps = deps_of(context)
    settings = await chat_settings_for(update, deps)
    current = settings.timezone if settings else None
    lines = []
    if current:
        lines.append(
            t.gettext(
                "Your timezone is <b>{zone}</b>.",
                zone=html.escape(describe_zone(t, current, deps.clock())),
            )
        )
    else:
        lines.append(
            t.gettext(
                "🕒 Which timezone are you in? I need it to count your reading days and to "
                "send reminders on time."
            )
        )
    lines.append(
        t.gettext(
            "Type your city or country (for example <i>Cairo</i>, <i>Jakarta</i> or <i>UK</i>) "
            "or tap <b>📍 Share my location</b>. /cancel to stop."
        )
    )
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(t.gettext("📍 Share my location"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=t.gettext("City or country"),
    )
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_message(chat.id, "\n".join(lines), reply_markup=keyboard)
    if context.user_data is not None:
        context.user_data[KEYBOARD_SHOWN] = True


async def timezone_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State:
    t = await translator_for(update, context)
    query = " ".join(context.args or []).strip()
    if query:
        await apply_query(update, context, t, query)
        raise ApplicationHandlerStop(ConversationHandler.END)
    await ask_place(update, context, t)
    raise ApplicationHandlerStop(ASKING)


async def start_with_timezone_payload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State:
    """`/start timezone`: a group sent the user here to set their own timezone."""
    t = await translator_for(update, context)
    await ask_place(update, context, t)
    raise ApplicationHandlerStop(ASKING)


async def start_without_payload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State:
    """/start (or `/start linked`): listen for a city when no timezone is stored;
    handlers.start asks the question after its welcome.

    Nothing is sent here and processing continues, so the welcome (group 0) comes first.
    """
    deps = deps_of(context)
    settings = await chat_settings_for(update, deps)
    if settings is not None and settings.timezone:
        return ConversationHandler.END
    return ASKING


def _is_ask_press(data: object) -> bool:
    """A well-formed "Set my timezone" press. Anything else with its prefix is left to the
    stale-button answer in group 0: answered here too, it would be answered twice."""
    return AskTimezone.parse(data) is not None


async def ask_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State:
    query = update.callback_query
    if query is None:
        return None
    t = await translator_for(update, context)
    if not is_private(update):
        await query.answer(
            t.gettext("Group admins set the group's timezone with /timezone followed by a city."),
            show_alert=True,
        )
        # Answered: no handler in a later group may answer it again.
        raise ApplicationHandlerStop()
    await query.answer()
    await ask_place(update, context, t)
    raise ApplicationHandlerStop(ASKING)


async def place_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State:
    message = update.message
    if message is None or message.text is None:
        return None
    text = message.text.strip()
    if len(text) > MAX_PLACE_LENGTH:
        # Not an answer to "which city?": let the rest of the bot see it.
        return ConversationHandler.END
    t = await translator_for(update, context)
    if await apply_query(update, context, t, text):
        raise ApplicationHandlerStop(ConversationHandler.END)
    raise ApplicationHandlerStop()  # keep asking


async def location_shared(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State:
    message = update.message
    if message is None or message.location is None or not is_private(update):
        return None
    deps = deps_of(context)
    t = await translator_for(update, context)
    try:
        zone = timezone_for_location(message.location.latitude, message.location.longitude)
    except ValueError:
        await send(
            update, context, t.gettext("That location doesn't look right; try typing your city.")
        )
        return None
    await store_zone(update, context, zone)
    now = deps.clock()
    text = t.gettext(
        "📍 From your location: <b>{zone}</b>; it's {time} there. Not right? Send /timezone "
        "followed by your city.",
        zone=html.escape(describe_zone(t, zone, now)),
        time=local_time(t, zone, now),
    )
    # A location comes from the keyboard's button (or the attachment menu): take it down.
    await reply_done(update, context, text, remove_keyboard=True)
    await carry_on_after_confirmation(update, context)
    return ConversationHandler.END


async def location_in_flow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State:
    await location_shared(update, context)
    raise ApplicationHandlerStop(ConversationHandler.END)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    t = await translator_for(update, context)
    await reply_done(update, context, t.gettext("Cancelled. Your timezone stays as it was."))
    raise ApplicationHandlerStop(ConversationHandler.END)


async def other_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Another command ends the question quietly; it then runs as usual (no stop)."""
    return ConversationHandler.END


def _start_payload(payload: str) -> filters.BaseFilter:
    return filters.Regex(rf"^/start(?:@\w+)?\s+{payload}\s*$")


#: Commands that never wait for typed text, so the question may outlive them: the usual
#: onboarding detour (/login, then back to "which city?") must not lose the answer.
_KEEPS_QUESTION = filters.Regex(r"^/(?:login|logout|privacy|help|settings)(?:@\w+)?(?:\s|$)")


def conversation() -> ConversationHandler[Any]:
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    with warnings.catch_warnings():
        # The button entry point is per chat and user, not per message, on purpose: the
        # conversation is about the user, whichever message they pressed.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[
                CommandHandler("timezone", timezone_command, private),
                CommandHandler(
                    "start",
                    start_with_timezone_payload,
                    private & _start_payload(TIMEZONE_DEEP_LINK),
                ),
                CommandHandler(
                    "start",
                    start_without_payload,
                    private
                    & ~_start_payload(TIMEZONE_DEEP_LINK)
                    & ~_start_payload(LOGIN_DEEP_LINK),
                ),
                CallbackQueryHandler(ask_button, pattern=_is_ask_press),
            ],
            states={
                ASKING: [
                    MessageHandler(private & filters.TEXT & ~filters.COMMAND, place_typed),
                    MessageHandler(private & filters.LOCATION, location_in_flow),
                ],
            },
            fallbacks=[
                CommandHandler("cancel", cancel, filters.UpdateType.MESSAGE),
                MessageHandler(filters.COMMAND & ~_KEEPS_QUESTION, other_command),
            ],
            name=CONVERSATION_NAME,
            persistent=True,
            allow_reentry=True,
            conversation_timeout=600,
        )
