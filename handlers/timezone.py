"""Timezone setup: /timezone with a city, country or zone name, or a shared location.

Quran Foundation counts reading days and streaks in the timezone we send (`x-timezone`) and
reminders fire in it, but Telegram never tells a bot where its users are. So the bot asks, and
accepts what people actually know: "Cairo", "Indonesia", "UTC+3", "الرياض", a zone name or their
location (see `bot.domain.timezones`). Several candidates are offered as
buttons; one is set at once.

In a private chat the setting is the user's own; in a group it is the group's and only admins
may change it, checked again on every button press (a member cannot press an admin's buttons).

The private flow is a persistent conversation in handler group -1, so that a typed city reaches
it even while another wizard (say /goal) waits in group 0: the conversation stops further
processing of what it consumes, ends itself quietly when the user sends any other command (which
then runs normally), and ignores what it does not understand. /start without a stored timezone
enters it silently, and handlers.start asks the question right after its welcome.

Features that need a timezone (/goal, /read, /today, /progress, /remind) ask for it through
`handlers.replies.ask_for_timezone`, which remembers the command; a place typed in answer reaches
`answer_place` through handlers.fallback. Once the user's timezone is stored, a "Continue" button
carries the remembered command out, dispatched again as if retyped.
"""

from __future__ import annotations

import html
import logging
import warnings
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
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

from bot.app.scheduler import ReminderScheduler
from bot.domain.timezones import (
    is_offset_zone,
    suggest_timezones,
    timezone_for_location,
    utc_offset_label,
    validate_timezone,
)
from bot.i18n import Translator
from bot.presentation.text import shorten_for_echo
from bot.services.deps import deps_of
from handlers.context import chat_settings_for, translator_for
from handlers.replies import (
    LOGIN_DEEP_LINK,
    TIMEZONE_CALLBACK,
    TIMEZONE_DEEP_LINK,
    interrupted_command,
    is_group_admin,
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
#: "Continue" after the timezone is set: carries out the command the question interrupted.
CONTINUE_CALLBACK = "tz:go"
#: A typed word shorter than this ("no", "it") is a reply to something else, not a country
#: code, unless the timezone question was just asked or it is written in capitals ("UK").
_MIN_UNPROMPTED_PLACE = 3
#: Longest command shown on the "Continue" button; the message above it shows it whole.
_MAX_BUTTON_COMMAND = 32
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
    left-to-right run so an Arabic sentence does not scatter its slash, sign and digits.
    An offset-only zone is just "UTC+03:00": its name, Etc/GMT-3, reads as the opposite sign."""
    offset = utc_offset_label(zone, now)
    return t.isolate(offset if is_offset_zone(zone) else f"{zone} ({offset})")


def _local_time(t: Translator, zone: str, now: datetime) -> str:
    """The zone's clock, `21:00`, in the reader's digits."""
    return t.isolate(t.number(now.astimezone(ZoneInfo(zone)).strftime("%H:%M")))


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
        context.user_data[_KEYBOARD_SHOWN] = True


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
        query=html.escape(shorten_for_echo(query)),
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
        await offer_interrupted_command(update, context, t)
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
    t = await translator_for(update, context)
    query = " ".join(context.args or []).strip()
    if query:
        await _apply_query(update, context, t, query)
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
    await offer_interrupted_command(update, context, t)
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
    if not await is_group_admin(update, context):
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
    if not await is_group_admin(update, context):
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
    else:
        await send(update, context, text, edit=True)
    await offer_interrupted_command(update, context, t)


# --- a place typed outside the conversation, and the interrupted command ----------------------


async def answer_place(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, text: str, *, asked: bool
) -> bool:
    """A private message no flow took, from a user with no timezone (handlers.fallback).

    Right after the timezone question (`asked`: a feature asked, see
    `handlers.replies.ask_for_timezone`) it is the answer, taken as in the conversation: set at
    once when unambiguous, else offered, else "couldn't find". Unprompted, a place only gets
    the suggestion buttons, since "how" or "Jordan" may not be about time at all. Returns
    False when nothing was sent.
    """
    text = text.strip()
    if not text or len(text) > MAX_PLACE_LENGTH or not is_private(update):
        return False
    if asked:
        await _apply_query(update, context, t, text)
        return True
    if len(text) < _MIN_UNPROMPTED_PLACE and not text.isupper():
        return False
    suggestions = suggest_timezones(text, now=deps_of(context).clock())
    if not suggestions:
        return False
    await send(
        update,
        context,
        t.gettext(
            "Setting your timezone? Tap the right one below. Otherwise send /help to see "
            "what I can do."
        ),
        _suggestion_markup([(s.name, s.label) for s in suggestions]),
    )
    return True


def _button_command(command: str) -> str:
    if len(command) <= _MAX_BUTTON_COMMAND:
        return command
    return command[: _MAX_BUTTON_COMMAND - 1].rstrip() + "…"


async def offer_interrupted_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator
) -> None:
    """After a private timezone change, offer to carry out the command that needed it.

    A button rather than running it at once: it may write to Quran.com (/read), and the user
    should see the new timezone before it counts. The command stays in user_data until pressed
    or expired, so the button works after a restart too.
    """
    if not is_private(update):
        return
    command = interrupted_command(context, deps_of(context).clock())
    if command is None:
        return
    button = InlineKeyboardButton(
        t.gettext("▶️ Continue: {command}", command=_button_command(command)),
        callback_data=CONTINUE_CALLBACK,
    )
    await send(
        update,
        context,
        t.gettext("Now, where were we: <code>{command}</code>", command=html.escape(command)),
        InlineKeyboardMarkup([[button]]),
    )


def _replayed(update: Update, message: Message, command: str, now: datetime) -> Update:
    """The interrupted command as if the user had sent it again, under the Continue message's
    id (unique, so /read's once-only credit key cannot collide with another message)."""
    user = update.effective_user
    assert user is not None
    name = command.split(maxsplit=1)[0]
    data = {
        "update_id": update.update_id,
        "message": {
            "message_id": message.message_id,
            "date": int(now.timestamp()),
            "chat": message.chat.to_dict(),
            "from": user.to_dict(),
            "text": command,
            # Entity offsets count UTF-16 code units.
            "entities": [
                {"type": "bot_command", "offset": 0, "length": len(name.encode("utf-16-le")) // 2}
            ],
        },
    }
    return Update.de_json(data, message.get_bot())


async def continue_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Carry out the interrupted command by dispatching it again through every handler, so it
    behaves exactly as if retyped (wizards, one-liners, errors and all)."""
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    message = query.message
    if not is_private(update) or not isinstance(message, Message):
        await query.answer()
        return
    now = deps_of(context).clock()
    # Taken before running, so a second press (or a double tap) cannot run it twice.
    command = interrupted_command(context, now, take=True)
    if command is None:
        await query.answer(
            t.gettext("That was done already or is too old; send the command again."),
            show_alert=True,
        )
        await _drop_button(query)
        return
    await query.answer()
    await _drop_button(query)
    await context.application.process_update(_replayed(update, message, command, now))


async def _drop_button(query: CallbackQuery) -> None:
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest:
        logger.debug("the Continue button was already gone")


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
    application.add_handler(
        CallbackQueryHandler(continue_pressed, pattern=f"^{CONTINUE_CALLBACK}$")
    )
    # A location shared after the question timed out still sets the timezone.
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.LOCATION,
            location_shared,
        )
    )
