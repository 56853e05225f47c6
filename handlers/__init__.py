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

from handlers.callbacks import stale_button_fallback

HANDLER_MODULES: tuple[str, ...] = (
    "handlers.errors",
    "handlers.wizards",
    "handlers.menu",
    "handlers.groups",
    # Before start: the notes wizard owns the `/start note` deep link.
    "handlers.notes",
    # Before start too: the khatm flow owns the `/start khatm` deep link ("My juz").
    "handlers.khatm",
    "handlers.start",
    "handlers.account",
    "handlers.timezone",
    "handlers.settings",
    "handlers.language",
    "handlers.goals",
    "handlers.reading",
    "handlers.reminders",
    # After notes, which registers this flow's [📝 Note on this] as a wizard entry point.
    "handlers.reflections",
    # Last: answers only what no flow above took.
    "handlers.fallback",
)


def import_flow_modules() -> list[ModuleType]:
    """Each flow's module, imported on first use (bot.app.warm_start does it before the loop)."""
    return [importlib.import_module(name) for name in HANDLER_MODULES]


#: Where every flow's button handlers are (the default group).
BUTTON_GROUP = 0


def register_all(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    for module in import_flow_modules():
        module.register(application)
    # After every flow, in the buttons' group: a press none of them took (an unknown prefix, an
    # old format) still gets "no longer valid" instead of a spinner that never stops. In a
    # later group it would also see, and answer again, the presses the flows did take.
    application.add_handler(stale_button_fallback(), group=BUTTON_GROUP)


async def on_startup(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    for module in import_flow_modules():
        hook = getattr(module, "on_startup", None)
        if hook is not None:
            await hook(application)
