"""Reflections: public QuranReflect posts on a verse.

    /reflections 2:255 ─ the posts on it (author, excerpt, likes), five a page,
                         each with [↗ Open] and [📝 Note on this]; your own posts on page 1
    💬 Reflections on … ─ the same, from under a note or /today's verses

[📝 Note on this] (`NoteOnReflection`) starts the notes wizard, so handlers.notes registers
it; this package only lists. Modules: buttons (exported for other flows), listing.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CommandHandler, filters

from handlers.callbacks import on_press
from handlers.reflections.buttons import NoteOnReflection, ShowReflections
from handlers.reflections.listing import reflections_button, reflections_command, turn_page

__all__ = ["NoteOnReflection", "ShowReflections", "reflections_button", "register"]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(
        CommandHandler("reflections", reflections_command, filters.UpdateType.MESSAGE)
    )
    application.add_handler(on_press(ShowReflections, turn_page))
