"""Replies every flow shares: upstream failures, "link your account first", private-only actions.

Keeping them in one place means a 429 or an expired login reads the same whether it happened in
/goal, /read or /note, and that each reply offers the one button that fixes the situation.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatID, ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes
from telegram.helpers import create_deep_linked_url

from bot.i18n import Translator
from bot.presentation.text import STORED_INPUT_LIMIT
from bot.qf import LinkExpired, NotLinked, QFError, UserSession, friendly_error
from bot.services.deps import Deps, deps_of
from bot.services.reader import MissingSetup, Reader, reader_for
from handlers.callbacks import CallbackData, button
from handlers.context import chat_settings_for

logger = logging.getLogger(__name__)

#: Deep-link payload that opens the private chat ready to log in (from a group).
LOGIN_DEEP_LINK = "login"
#: Deep-link payload that opens the private chat ready to set a timezone.
TIMEZONE_DEEP_LINK = "timezone"
#: user_data key of the command the timezone question interrupted: {"text": …, "at": epoch}.
#: Persisted with user_data, so the "Continue" offer survives a restart.
AFTER_TIMEZONE_KEY = "after_timezone"
#: An interrupted command older than this is not offered again: the user has moved on.
AFTER_TIMEZONE_TTL = timedelta(hours=1)
#: Longest command kept for "Continue" (a /note with its whole reflection is not replayed).
_MAX_INTERRUPTED_LENGTH = STORED_INPUT_LIMIT
#: Commands carried on by themselves once a missing link is restored. /note is not among them:
#: it keeps what it carried as a draft, which the next /note offers, so replaying it would
#: start a second draft of the same text.
_CARRIED_AFTER_LINKING = frozenset({"/goal", "/read", "/today", "/progress", "/remind", "/notes"})
#: Telegram's limit for a message's text; a lead that would take the answer past it goes alone.
_MESSAGE_LIMIT = 4096
_ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})


# Buttons every flow may show; the flow named on each handles its presses.


@dataclass(frozen=True)
class LinkAccount(CallbackData, prefix="acct.login"):
    """ "Link Quran.com account" in a private chat: starts the login (handlers.account)."""


@dataclass(frozen=True)
class AskTimezone(CallbackData, prefix="tz.ask"):
    """ "Set my timezone" in a private chat: asks where the user is (handlers.timezone)."""


@dataclass(frozen=True)
class StartGoalWizard(CallbackData, prefix="goal.w.start"):
    """Opens the goal wizard (handled in handlers.goals). /today offers it when there is no
    goal, so it lives here rather than in the goals package, which itself links to /today."""


def is_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


async def is_group_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """May the sender change this chat's settings: anyone their own private chat; in a group,
    its owner and administrators, anonymous ones included.

    Asked of Telegram on every command and every press, since an admin may be demoted in
    between and anybody in the group can press a panel's buttons. A message from an anonymous
    admin comes from GroupAnonymousBot with `sender_chat` set to the group itself (only its
    admins can post as the group); a button pressed by an anonymous admin carries their real
    user id, whose member status says administrator.
    """
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return chat.id == user.id
    message = update.message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    if user.id == ChatID.ANONYMOUS_ADMIN:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        logger.info("admin check failed in chat %s", chat.id, exc_info=True)
        return False
    return member.status in _ADMIN_STATUSES


def private_chat_url(context: ContextTypes.DEFAULT_TYPE, payload: str | None = None) -> str:
    """`t.me/<bot>?start=<payload>`: without a payload it just opens the private chat."""
    return create_deep_linked_url(context.bot.username, payload)


def private_chat_markup(
    t: Translator, context: ContextTypes.DEFAULT_TYPE, payload: str | None = None
) -> InlineKeyboardMarkup:
    """For what only happens in private: one button that opens the private chat."""
    url = private_chat_url(context, payload)
    return InlineKeyboardMarkup([[InlineKeyboardButton(t.gettext("Open private chat"), url=url)]])


def link_account_markup(
    t: Translator, context: ContextTypes.DEFAULT_TYPE, *, private: bool
) -> InlineKeyboardMarkup:
    """The button that starts linking: in a group it opens the private chat, since a login link
    must never be shown where others could press it."""
    label = t.gettext("🔗 Link Quran.com account")
    if private:
        link = button(label, LinkAccount())
    else:
        link = InlineKeyboardButton(label, url=private_chat_url(context, LOGIN_DEEP_LINK))
    return InlineKeyboardMarkup([[link]])


def set_timezone_button(t: Translator) -> InlineKeyboardButton:
    """ "🕒 Set my timezone", for private chats: asks the timezone question (handlers.timezone)
    with the keyboard that shares a location."""
    return button(t.gettext("🕒 Set my timezone"), AskTimezone())


async def refuse(update: Update, text: str) -> None:
    """Say no to a press (as an alert: the message it sits on stays as it is) or to a command
    (as a reply), e.g. a member trying an admin-only action."""
    query = update.callback_query
    if query is not None:
        await query.answer(text, show_alert=True)
        return
    message = update.effective_message
    if message is not None:
        await message.reply_text(text)


async def send(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    *,
    edit: bool = False,
) -> Message | None:
    """Answer in place for button presses (editing the pressed message) or as a new message."""
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        try:
            result: Message | bool = await query.edit_message_text(text, reply_markup=reply_markup)
        except BadRequest as exc:
            # Pressing the same button twice re-renders identical text; that is not an error.
            if "not modified" not in str(exc).lower():
                raise
            return None
        return result if isinstance(result, Message) else None  # inline messages give True
    chat = update.effective_chat
    if chat is None:
        return None
    lead = _LEAD.get()
    if lead is not None and lead.replaces is not None and lead.fits(chat.id, text):
        # The answer of a command carried on after a button press takes the pressed message's
        # place: one edit instead of a confirmation plus a new message.
        lead.taken = True
        try:
            edited = await context.bot.edit_message_text(
                lead.joined(text), chat.id, lead.replaces, reply_markup=reply_markup
            )
        except BadRequest:
            # Deleted or no longer editable meanwhile: the answer still arrives, as a message.
            logger.info("could not edit message %s; sending the answer anew", lead.replaces)
            return await context.bot.send_message(
                chat.id, lead.joined(text), reply_markup=reply_markup
            )
        return edited if isinstance(edited, Message) else None
    return await context.bot.send_message(
        chat.id, with_lead(chat.id, text), reply_markup=reply_markup
    )


async def reply_upstream_error(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    t: Translator,
    error: QFError,
    *,
    retry_markup: InlineKeyboardMarkup | None = None,
    kept: bool = False,
) -> None:
    """Tell the user what happened and what to do; never raw JSON, never a traceback.
    `kept`: what the user typed is held for a retry (see `friendly_error`)."""
    logger.info("Quran Foundation call failed: %s", error)
    markup = retry_markup
    if isinstance(error, NotLinked | LinkExpired):
        markup = link_account_markup(t, context, private=is_private(update))
        # Once the account is linked again, the command carries on by itself
        # (handlers.timezone.carry_on, from handlers.account's confirmation).
        remember_interrupted_command(update, context, only=_CARRIED_AFTER_LINKING)
    await send(update, context, friendly_error(error, t, kept=kept), markup)


def retry_button(t: Translator, data: CallbackData) -> InlineKeyboardButton:
    """The one "try again" button every failure offers, with the same label everywhere."""
    return button(t.gettext("🔁 Try again"), data)


async def session_for(update: Update, deps: Deps) -> UserSession:
    """The Quran Foundation session of the person who sent the update (never the group's).

    Uses the timezone of the sender's private settings when they have one, else the chat's, so
    "today" means the sender's day.
    """
    user = update.effective_user
    if user is None:
        raise NotLinked()
    timezone = await timezone_for(update, deps)
    return deps.qf.for_user(user.id, timezone=timezone)


async def timezone_for(update: Update, deps: Deps) -> str | None:
    user = update.effective_user
    chat = update.effective_chat
    for chat_id in (user.id if user else None, chat.id if chat else None):
        if chat_id is None:
            continue
        settings = await deps.chats.get(chat_id)
        if settings is not None and settings.timezone:
            return settings.timezone
    return None


def remember_interrupted_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, only: frozenset[str] | None = None
) -> str | None:
    """Keep the command that needed a timezone (or a linked account) so it can be carried out
    once that is set (see `handlers.timezone.carry_on`).

    Only typed commands are kept (a button press cannot be replayed as the user), and of those
    only the ones named in `only` when given; returns the kept text, or None. The message id is
    kept too: the replay runs under it, so /read's once-only credit key stays the one of the
    message the user sent, and carrying it on twice still credits once.
    """
    message = update.message
    if message is None or context.user_data is None:
        return None
    text = (message.text or "").strip()
    if not text.startswith("/") or len(text) > _MAX_INTERRUPTED_LENGTH:
        return None
    # "/goal@QuranBot 10min" in a group runs in the private chat later: drop the mention.
    command, _, rest = text.partition(" ")
    command = command.split("@", 1)[0]
    if only is not None and command not in only:
        return None
    text = " ".join([command, *rest.split()])
    now = deps_of(context).clock()
    # Only a private message's id is kept: a group command is carried on in the private chat,
    # where that id means another message.
    message_id = message.message_id if is_private(update) else None
    context.user_data[AFTER_TIMEZONE_KEY] = {
        "text": text, "at": now.timestamp(), "message_id": message_id,
    }
    return text


@dataclass(frozen=True)
class InterruptedCommand:
    text: str
    #: The id of the private message that sent it; None for one sent in a group.
    message_id: int | None


def interrupted_command(
    context: ContextTypes.DEFAULT_TYPE, now: datetime, *, take: bool = False
) -> str | None:
    """The command the timezone question interrupted, if recent; `take` forgets it."""
    kept = interrupted(context, now, take=take)
    return kept.text if kept is not None else None


def interrupted(
    context: ContextTypes.DEFAULT_TYPE, now: datetime, *, take: bool
) -> InterruptedCommand | None:
    """The command a question interrupted, with the id of the message that sent it."""
    if context.user_data is None:
        return None
    kept = context.user_data.get(AFTER_TIMEZONE_KEY)
    if take:
        context.user_data.pop(AFTER_TIMEZONE_KEY, None)
    if not isinstance(kept, dict):
        return None
    text, at, message_id = kept.get("text"), kept.get("at"), kept.get("message_id")
    if not isinstance(text, str) or not isinstance(at, int | float):
        return None
    if now.timestamp() - at > AFTER_TIMEZONE_TTL.total_seconds():
        return None
    return InterruptedCommand(text, message_id if isinstance(message_id, int) else None)


async def ask_for_timezone(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator
) -> None:
    """Features that need a day boundary ask for a timezone instead of guessing UTC.

    The command is remembered: once the timezone is stored, handlers.timezone offers to carry
    it out, so the user never has to retype it. A place typed in answer is taken by
    handlers.fallback (no conversation is open for it) or, after the button, by the timezone
    conversation.
    """
    command = remember_interrupted_command(update, context)
    then = (
        "\n"
        + t.gettext(
            "Then I'll carry on with <code>{command}</code>.", command=html.escape(command)
        )
        if command
        else ""
    )
    if is_private(update):
        text = t.gettext(
            "First, which timezone are you in? Type your city or country, for example "
            "<i>Cairo</i>, or share your location."
        )
        await send(update, context, text + then, InlineKeyboardMarkup([[set_timezone_button(t)]]))
        return
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t.gettext("Set my timezone"),
                               url=private_chat_url(context, TIMEZONE_DEEP_LINK))]]
    )
    await send(update, context, t.gettext("I need your timezone first."), markup)


async def open_reader(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator
) -> Reader | None:
    """The sender's Quran.com session for goals and reading, or None after telling them what
    is missing: the button to link their account, or the question for their timezone."""
    user = update.effective_user
    if user is None:
        return None
    deps = deps_of(context)
    await chat_settings_for(update, deps)  # registers the chat on first contact
    reader = await reader_for(deps, user.id, timezone=await timezone_for(update, deps))
    if reader is MissingSetup.ACCOUNT:
        await reply_upstream_error(update, context, t, NotLinked())
        return None
    if reader is MissingSetup.TIMEZONE:
        await ask_for_timezone(update, context, t)
        return None
    return reader


# ---------------------------------------------------------------------------------------------
# Carrying on an interrupted command in the same reply


@dataclass
class _Lead:
    """What the next message to `chat_id` starts with; `taken` once a message carried it.
    With `replaces`, that message is not sent anew but edited into message `replaces`."""

    chat_id: int
    text: str
    taken: bool = False
    replaces: int | None = None

    def fits(self, chat_id: int, text: str, limit: int = _MESSAGE_LIMIT) -> bool:
        return not self.taken and self.chat_id == chat_id and len(self.joined(text)) <= limit

    def joined(self, text: str) -> str:
        return f"{self.text}\n\n{text}" if self.text else text


#: Set while a carried-on command runs (see `carry_on`); contextvars follow the awaits of one
#: update, so a reply sent for another update at the same time never picks it up.
_LEAD: ContextVar[_Lead | None] = ContextVar("reply_lead", default=None)


def with_lead(chat_id: int, text: str, *, limit: int = _MESSAGE_LIMIT) -> str:
    """`text`, led by the confirmation of what interrupted the command it answers, if one is
    waiting for this chat and both fit in one message. Every reply sent through `send` (and
    captions, see handlers.reading) goes through here."""
    lead = _LEAD.get()
    # A lead that replaces a message is placed by `send` or, failing that, by `carry_on`.
    if lead is None or lead.replaces is not None or not lead.fits(chat_id, text, limit):
        return text
    lead.taken = True
    return lead.joined(text)


@contextmanager
def leading(chat_id: int, text: str, *, replaces: int | None = None) -> Iterator[_Lead]:
    """While inside, the first reply to `chat_id` starts with `text` (see `with_lead`), or,
    with `replaces`, is edited into that message; the yielded lead says whether that happened.
    Used by handlers.timezone to carry on an interrupted command in the same reply."""
    holder = _Lead(chat_id, text, taken=not text and replaces is None, replaces=replaces)
    token = _LEAD.set(holder)
    try:
        yield holder
    finally:
        _LEAD.reset(token)
