"""Timezone setup: /timezone with a city, country or zone name, or a shared location.

Quran Foundation counts reading days and streaks in the timezone we send (`x-timezone`) and
reminders fire in it, but Telegram never tells a bot where its users are. So the bot asks, and
accepts what people actually know: "Cairo", "Indonesia", "UTC+3", "الرياض", a zone name or their
location (see `bot.timezones`). Several candidates are offered as buttons; one is set at once.

In a private chat the setting is the user's own; in a group it is the group's and only admins
may change it, checked again on every button press (a member cannot press an admin's buttons).

The private flow is a persistent conversation in handler group -1, so that a typed city reaches
it even while another wizard (say /goal) waits in group 0: the conversation stops further
processing of what it consumes, ends itself quietly when the user sends any other command (which
then runs normally), and ignores what it does not understand. /start without a stored timezone
enters it silently, and handlers.start asks the question right after its welcome.
"""

from __future__ import annotations

import html
import logging
import warnings
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatID, ChatMemberStatus
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import chat_settings_for, deps_of, translator_for
from bot.i18n import Translator
from bot.scheduler import ReminderScheduler
from bot.timezones import (
    suggest_timezones,
    timezone_for_location,
    utc_offset_label,
    validate_timezone,
)
from handlers.replies import (
    LOGIN_DEEP_LINK,
    TIMEZONE_CALLBACK,
    TIMEZONE_DEEP_LINK,
    is_private,
    send,
)

logger = logging.getLogger(__name__)

#: Conversation name (persisted) and its one state.
CONVERSATION_NAME = "timezone"
ASKING = "asking"
#: Button that opens the flow (from /settings and /start).
ASK_CALLBACK = TIMEZONE_CALLBACK
#: Prefix of a suggestion button; the zone name follows (IANA names are at most 32 bytes).
SET_PREFIX = "tz:set:"
#: Handler group of the private conversation: before every wizard in group 0.
CONVERSATION_GROUP = -1
#: Text longer than this is someone writing something else, not naming a place.
MAX_PLACE_LENGTH = 60
#: user_data flag: a "Share my location" keyboard is showing and should go once we are done.
_KEYBOARD_SHOWN = "tz_keyboard"
_MAX_CALLBACK_BYTES = 64
#: What a conversation callback returns: ASKING, ConversationHandler.END or None (no change).
State = str | int | None


# --- shared pieces ----------------------------------------------------------------------------


def describe_zone(t: Translator, zone: str, now: datetime) -> str:
    """ "Asia/Riyadh (UTC+03:00)" for messages (plain text: escape it), kept in one
    left-to-right run so an Arabic sentence does not scatter its slash, sign and digits."""
    return t.isolate(f"{zone} ({utc_offset_label(zone, now)})")


def _local_time(t: Translator, zone: str, now: datetime) -> str:
    """The zone's clock, `21:00`, in the reader's digits."""
    return t.isolate(t.number(now.astimezone(ZoneInfo(zone)).strftime("%H:%M")))


async def ask_place(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, *, current: str | None
) -> None:
    """Ask a private-chat user where they are, with a button that shares their location."""
    deps = deps_of(context)
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
        context.user_data[_KEYBOARD_SHOWN] = True


async def _may_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Anyone may change their private chat; in a group only its admins (asked every time)."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None:
        return False
    if is_private(update):
        return chat.id == user.id
    message = update.message
    if user.id == ChatID.ANONYMOUS_ADMIN:
        # Anonymous admins post as GroupAnonymousBot on behalf of the group itself.
        return (
            update.callback_query is None
            and message is not None
            and message.sender_chat is not None
            and message.sender_chat.id == chat.id
        )
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        logger.info("admin check failed in chat %s", chat.id, exc_info=True)
        return False
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


def _suggestion_markup(names_and_labels: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(label, callback_data=SET_PREFIX + name)]
        for name, label in names_and_labels
        if len((SET_PREFIX + name).encode()) <= _MAX_CALLBACK_BYTES
    ]
    return InlineKeyboardMarkup(rows)


async def _store(update: Update, context: ContextTypes.DEFAULT_TYPE, zone: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    deps = deps_of(context)
    await chat_settings_for(update, deps)
    await deps.chats.update(chat.id, timezone=zone)
    # Reminders keep their wall-clock time in the new zone: 21:00 stays 21:00 there.
    await ReminderScheduler.of(context).apply_chat_timezone(chat.id, zone)
    logger.info("chat %s set its timezone", chat.id)


def _confirmation(t: Translator, zone: str, now: datetime, *, group: bool) -> str:
    described = html.escape(describe_zone(t, zone, now))
    local = _local_time(t, zone, now)
    if group:
        return t.gettext(
            "🕒 This group's timezone is now <b>{zone}</b>; it's {time} there.",
            zone=described,
            time=local,
        )
    return t.gettext(
        "🕒 Your timezone is now <b>{zone}</b>; it's {time} there. "
        "Not right? Send /timezone again.",
        zone=described,
        time=local,
    )


def _not_found(t: Translator, query: str) -> str:
    return t.gettext(
        "I couldn't find a timezone for “{query}”. Try the nearest big city, your country "
        "or an offset, for example <i>Cairo</i>, <i>Indonesia</i> or <i>UTC+3</i>.",
        query=html.escape(query),
    )


async def _apply_query(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, query: str
) -> bool:
    """Set the zone the query names, or offer candidates; False when nothing matched."""
    deps = deps_of(context)
    now = deps.clock()
    group = not is_private(update)
    exact = validate_timezone(query)
    suggestions = suggest_timezones(query, now=now)
    if exact is not None and "/" in exact:
        chosen: str | None = exact
    elif len(suggestions) == 1:
        chosen = suggestions[0].name
    else:
        chosen = None
    if chosen is not None:
        await _store(update, context, chosen)
        await _reply_done(update, context, _confirmation(t, chosen, now, group=group))
        return True
    if not suggestions:
        await send(update, context, _not_found(t, query))
        return False
    text = (
        t.gettext("Which one is this group's timezone?")
        if group
        else t.gettext("Which one is yours?")
    )
    await send(update, context, text, _suggestion_markup([(s.name, s.label) for s in suggestions]))
    return True


async def _reply_done(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    *,
    remove_keyboard: bool = False,
) -> None:
    """Send a confirmation, taking down the location keyboard if one is showing."""
    chat = update.effective_chat
    if chat is None:
        return
    shown = context.user_data.pop(_KEYBOARD_SHOWN, False) if context.user_data else False
    if (shown or remove_keyboard) and is_private(update):
        await context.bot.send_message(chat.id, text, reply_markup=ReplyKeyboardRemove())
    else:
        await context.bot.send_message(chat.id, text)


# --- private conversation ---------------------------------------------------------------------


async def timezone_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State:
    deps = deps_of(context)
    t = await translator_for(update, context)
    query = " ".join(context.args or []).strip()
    if query:
        await _apply_query(update, context, t, query)
        raise ApplicationHandlerStop(ConversationHandler.END)
    settings = await chat_settings_for(update, deps)
    await ask_place(update, context, t, current=settings.timezone if settings else None)
    raise ApplicationHandlerStop(ASKING)


async def start_with_timezone_payload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State:
    """`/start timezone`: a group sent the user here to set their own timezone."""
    deps = deps_of(context)
    t = await translator_for(update, context)
    settings = await chat_settings_for(update, deps)
    await ask_place(update, context, t, current=settings.timezone if settings else None)
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
        return None
    await query.answer()
    settings = await chat_settings_for(update, deps_of(context))
    await ask_place(update, context, t, current=settings.timezone if settings else None)
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
    if await _apply_query(update, context, t, text):
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
    await _store(update, context, zone)
    now = deps.clock()
    text = t.gettext(
        "📍 From your location: <b>{zone}</b>; it's {time} there. Not right? Send /timezone "
        "followed by your city.",
        zone=html.escape(describe_zone(t, zone, now)),
        time=_local_time(t, zone, now),
    )
    # A location comes from the keyboard's button (or the attachment menu): take it down.
    await _reply_done(update, context, text, remove_keyboard=True)
    return ConversationHandler.END


async def location_in_flow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> State:
    await location_shared(update, context)
    raise ApplicationHandlerStop(ConversationHandler.END)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    t = await translator_for(update, context)
    await _reply_done(update, context, t.gettext("OK, your timezone stays as it was."))
    raise ApplicationHandlerStop(ConversationHandler.END)


async def other_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Another command ends the question quietly; it then runs as usual (no stop)."""
    return ConversationHandler.END


# --- groups and buttons (stateless) -----------------------------------------------------------


async def group_timezone_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    t = await translator_for(update, context)
    settings = await chat_settings_for(update, deps)
    query = " ".join(context.args or []).strip()
    if not query:
        current = settings.timezone if settings else None
        head = (
            t.gettext(
                "This group's timezone is <b>{zone}</b>.",
                zone=html.escape(describe_zone(t, current, deps.clock())),
            )
            if current
            else t.gettext("This group has no timezone yet.")
        )
        await send(
            update,
            context,
            head
            + "\n"
            + t.gettext(
                "Admins can set it with /timezone followed by a city, for example "
                "<code>/timezone Cairo</code>."
            ),
        )
        return
    if not await _may_change(update, context):
        await send(
            update, context, t.gettext("Sorry, only group admins can change the group's timezone.")
        )
        return
    await _apply_query(update, context, t, query)


async def suggestion_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    deps = deps_of(context)
    t = await translator_for(update, context)
    zone = validate_timezone(query.data.removeprefix(SET_PREFIX))
    if zone is None:
        await query.answer(t.gettext("That choice is no longer valid; send /timezone again."))
        return
    if not await _may_change(update, context):
        await query.answer(
            t.gettext("Sorry, only group admins can change the group's timezone."),
            show_alert=True,
        )
        return
    await query.answer()
    await _store(update, context, zone)
    text = _confirmation(t, zone, deps.clock(), group=not is_private(update))
    shown = bool(context.user_data and context.user_data.get(_KEYBOARD_SHOWN))
    if shown and is_private(update):
        # The location keyboard can only be taken down by a new message: replace the
        # suggestions with it rather than leave both on screen.
        try:
            await query.delete_message()
        except BadRequest:
            await query.edit_message_reply_markup(None)
        await _reply_done(update, context, text)
        return
    await send(update, context, text, edit=True)


# --- registration -----------------------------------------------------------------------------


def _start_payload(payload: str) -> filters.BaseFilter:
    return filters.Regex(rf"^/start(?:@\w+)?\s+{payload}\s*$")


#: Commands that never wait for typed text, so the question may outlive them: the usual
#: onboarding detour (/login, then back to "which city?") must not lose the answer.
_KEEPS_QUESTION = filters.Regex(r"^/(?:login|logout|privacy|help|settings)(?:@\w+)?(?:\s|$)")


def _conversation() -> ConversationHandler[Any]:
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
                CallbackQueryHandler(ask_button, pattern=f"^{ASK_CALLBACK}$"),
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


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(_conversation(), group=CONVERSATION_GROUP)
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("timezone", group_timezone_command, groups))
    application.add_handler(CallbackQueryHandler(suggestion_pressed, pattern=f"^{SET_PREFIX}"))
    # A location shared after the question timed out still sets the timezone.
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.LOCATION,
            location_shared,
        )
    )
