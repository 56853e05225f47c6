"""Telegram handlers, one package per user flow.

Each package exposes `register(application)` in its `__init__`; a package may also expose
`async def on_startup(application)` for work that needs the running bot (menus, scheduled jobs).
Beside the flows sit the parts every flow shares: `context` (settings and translator of an
update), `replies` (shared replies and buttons) and `callbacks` (the button data registry).
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
