"""Group life: the bot added to or removed from a group, a user blocking it, and a group's
upgrade to a supergroup.

    membership.py  added (registered, greeted), removed, kicked or blocked (deactivated)
    migration.py   a basic group became a supergroup: everything follows its new id

What happens to the chat's reminders is `bot.services.reminders.Reminders` (deactivate_chat,
follow_migration), so this flow needs nothing from handlers.reminders.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, ChatMemberHandler, MessageHandler, filters

from handlers.groups.membership import bot_membership_changed
from handlers.groups.migration import group_migrated


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(
        ChatMemberHandler(bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, group_migrated))
