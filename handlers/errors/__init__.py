"""The last line of defence: an unexpected error becomes a short apology, never a traceback.

Expected upstream failures are turned into friendly replies where they happen (see
`handlers.replies`); this handler only sees bugs and Telegram errors.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from handlers.errors.apology import on_error


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_error_handler(on_error)
