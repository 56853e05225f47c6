"""Layering rules that keep the domain and the Quran Foundation adapter free of Telegram."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Domain logic and the QF adapter: testable and reusable without python-telegram-bot.
TELEGRAM_FREE = sorted(
    [*ROOT.glob("bot/qf/*.py")]
    + [
        ROOT / "bot" / name
        for name in (
            "chapters.py", "verses.py", "goals.py", "notes.py", "reminders.py", "reading.py",
            "mushafs.py", "timezones.py", "i18n.py", "linking.py", "progress_chart.py",
            "config.py",
        )
        if (ROOT / "bot" / name).exists()
    ]
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", TELEGRAM_FREE, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_and_adapter_never_import_telegram(path: Path) -> None:
    offending = {name for name in imported_modules(path) if name.split(".")[0] == "telegram"}
    assert not offending, f"{path.name} imports {offending}"


@pytest.mark.parametrize(
    "path", sorted(ROOT.glob("handlers/*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_handlers_never_run_sql_or_http_themselves(path: Path) -> None:
    offending = {
        name for name in imported_modules(path)
        if name.split(".")[0] in {"sqlalchemy", "httpx", "aiosqlite", "asyncpg"}
    }
    assert not offending, f"{path.name} imports {offending}"


def test_every_handler_module_is_registered() -> None:
    from handlers import HANDLER_MODULES

    modules = {
        f"handlers.{path.stem}"
        for path in ROOT.glob("handlers/*.py")
        if path.stem not in {"__init__", "replies"}
    }
    assert modules == set(HANDLER_MODULES)
