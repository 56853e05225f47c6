"""Telegram handlers, one module per user flow.

Each module exposes `register(application)`; a module may also expose
`async def on_startup(application)` for work that needs the running bot (menus, scheduled jobs).
The order below is the dispatch order: error handling and chat bookkeeping first, the catch-all
"unknown command" reply last.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from telegram.ext import Application

HANDLER_MODULES: tuple[str, ...] = (
    "handlers.errors",
    "handlers.wizards",
    "handlers.menu",
    "handlers.groups",
    # Before start: the notes wizard owns the `/start note` deep link.
    "handlers.notes",
    "handlers.start",
    "handlers.account",
    "handlers.timezone",
    "handlers.settings",
    "handlers.language",
    "handlers.goals",
    "handlers.reading",
    "handlers.reminders",
    # Last: answers only what no flow above took.
    "handlers.fallback",
)


def _modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in HANDLER_MODULES]


def register_all(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    for module in _modules():
        module.register(application)


async def on_startup(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    for module in _modules():
        hook = getattr(module, "on_startup", None)
        if hook is not None:
            await hook(application)
