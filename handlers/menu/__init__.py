"""Command menus: the list Telegram shows under the "/" button, per chat type and language.

One table (`commands.COMMANDS`) serves the menus, /help (handlers.start) and the "unknown
command" reply (handlers.fallback), so a command cannot appear in one and be missing from
another. A chat with its own language gets its own menu from handlers.language.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from handlers.menu.commands import COMMANDS, bot_commands, commands_for, set_menus

#: What other flows use: /help lists the commands, /language sets a chat's menu, the fallback
#: knows which commands exist.
__all__ = ["COMMANDS", "bot_commands", "commands_for", "on_startup", "register"]


async def on_startup(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await set_menus(application)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Menus are set at start-up; there is nothing to dispatch."""
