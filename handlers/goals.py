"""Reading goals: the /goal wizard and one-liners, edit and delete."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Placeholder until this flow lands."""
