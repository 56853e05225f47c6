"""The bot's own membership in a chat: added to a group, removed or kicked, blocked or
unblocked in private.

Being added registers the group (so /reminders finds its settings) and says hello; being
removed, kicked or blocked deactivates the chat and its reminders at once rather than at the
next failed send. Reminders stay off when the bot comes back: an admin turns them on again.
"""

from __future__ import annotations

import logging

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.services.deps import deps_of
from bot.services.khatm import KhatmService
from bot.services.reminders import reminders_of
from handlers.context import translator_for

logger = logging.getLogger(__name__)

#: The bot can read and write in the chat.
PRESENT = frozenset(
    {
        ChatMemberStatus.OWNER,
        ChatMemberStatus.ADMINISTRATOR,
        ChatMemberStatus.MEMBER,
        ChatMemberStatus.RESTRICTED,
    }
)


def _is_present(status: str) -> bool:
    return status in PRESENT


async def bot_membership_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    deps = deps_of(context)
    was_present = _is_present(change.old_chat_member.status)
    is_present = _is_present(change.new_chat_member.status)
    # RESTRICTED without is_member means "not in the chat" for a restricted member.
    if change.new_chat_member.status == ChatMemberStatus.RESTRICTED:
        is_present = bool(getattr(change.new_chat_member, "is_member", True))
    title = chat.title or chat.full_name or chat.username
    if is_present:
        await deps.chats.ensure(chat.id, chat.type, title)
        await deps.chats.set_active(chat.id, True)
        if not was_present and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
            await _greet_group(update, context, chat.id)
        return
    if not was_present:
        return
    logger.info("bot left chat %s (%s)", chat.id, change.new_chat_member.status)
    await deps.chats.ensure(chat.id, chat.type, title)
    await reminders_of(context).deactivate_chat(chat.id)
    # Its khatm board can no longer be pressed or edited: closed now, erased with the group.
    await KhatmService(deps).bot_left(chat.id)


async def _greet_group(update: Update, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    t = await translator_for(update, context)
    text = t.gettext(
        "Assalamu alaikum! I help this group read the Quran together. Admins can set up daily "
        "reading reminders with /reminders; everyone can check in under each reminder, and "
        "members who link their Quran.com account get their reading credited."
    )
    try:
        await context.bot.send_message(chat_id, text)
    except TelegramError:
        # A group where the bot may not write is still registered; the greeting is a nicety.
        logger.info("could not greet chat %s", chat_id, exc_info=True)
