"""Group life: the bot added to or removed from a group, supergroup migration."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Placeholder until this flow lands."""
