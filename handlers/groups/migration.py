"""A basic group upgraded to a supergroup gets a new chat id: its settings, reminders and
chat_data move to the new id, and its reminders' due times are stored afresh.

Telegram sends two service messages (one in the old group, one in the new supergroup); the first
one moves everything, the second finds nothing left to move. A reminder sent to the old id in
between is redirected by the delivery itself (`bot.services.reminder_delivery`).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.services.reminders import reminders_of

logger = logging.getLogger(__name__)


async def group_migrated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old_chat_id, new_chat_id = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old_chat_id, new_chat_id = message.migrate_from_chat_id, message.chat.id
    else:
        return
    if await reminders_of(context).follow_migration(old_chat_id, new_chat_id):
        logger.info("chat %s migrated to %s", old_chat_id, new_chat_id)
