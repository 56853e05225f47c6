"""The chat around every notes step: who is asking, in which chat, and answering presses.

Notes are personal: they are written and opened only in the private chat. A command in a group
gets a button to the private chat; a press in a group (a forged one: the bot never puts note
buttons there) gets an alert and changes nothing.
"""

from __future__ import annotations

from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageEntityType
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.services.deps import Deps
from handlers.replies import is_private, private_chat_url, send, timezone_for

#: `t.me/<bot>?start=note`: opens the private chat from a group, ready to write.
NOTE_DEEP_LINK: Final = "note"


def user_id_of(update: Update) -> int:
    user = update.effective_user
    if user is None:
        raise RuntimeError("notes handlers need an update with a user")
    return user.id


def command_argument(message: Message) -> str:
    """What follows `/note` (or `/note@Bot`), line breaks kept: a multi-line note stays one."""
    text = message.text or ""
    entities = message.entities
    if entities and entities[0].type == MessageEntityType.BOT_COMMAND and entities[0].offset == 0:
        command = message.parse_entity(entities[0])
        return text[len(command):].strip()
    return text.partition(" ")[2].strip()


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the pressed button (stops its spinner), with a notice when `text` is given."""
    query = update.callback_query
    if query is not None:
        await query.answer(text, show_alert=alert)


async def in_private(update: Update, t: Translator) -> bool:
    """True in the private chat; elsewhere the press is answered with an alert instead."""
    if is_private(update):
        return True
    await answer(update, t.gettext("Notes open only in our private chat."), alert=True)
    return False


async def send_to_private_chat(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator
) -> None:
    """Notes are personal: a group gets a button to the private chat instead."""
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t.gettext("📝 Open our private chat"),
                               url=private_chat_url(context, NOTE_DEEP_LINK))]]
    )
    await send(
        update,
        context,
        t.gettext("Notes are personal, so I write them with you in our private chat."),
        markup,
    )


async def zone_for(update: Update, deps: Deps) -> ZoneInfo:
    """The reader's timezone for note dates; UTC when none is set (dates only, no deadline)."""
    name = await timezone_for(update, deps)
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
