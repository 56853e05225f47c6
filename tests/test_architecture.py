"""The layers stay visible and the arrows point one way.

handlers/ (Telegram) → bot/services (use cases) → bot/domain (pure rules) / bot/qf (Quran.com
adapter) / storage (repositories). bot/presentation renders text for people; bot/i18n is the
translation runtime every layer may use; bot/app wires everything together and sits on top.
The fakes in sandbox/ serve tests and demo mode and are never imported by the product.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("bot", "handlers", "storage")

#: A module longer than this mixes concerns: split it (migrations are data, not code).
MAX_MODULE_LINES = 500


def python_files(*folders: str) -> list[Path]:
    return sorted(
        path for folder in folders for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    )


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


#: layer folder -> module prefixes it must never import.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "bot/domain": (
        "telegram", "storage", "httpx", "sqlalchemy", "bot.qf", "bot.services", "bot.app",
        "bot.presentation", "handlers", "sandbox",
    ),
    "bot/i18n": (
        "telegram", "storage", "httpx", "sqlalchemy", "bot.qf", "bot.services", "bot.app",
        "bot.presentation", "bot.domain", "handlers", "sandbox",
    ),
    "bot/qf": (
        "telegram", "storage", "sqlalchemy", "bot.services", "bot.app", "bot.presentation",
        "handlers", "sandbox",
    ),
    # Presentation renders what the services return (their result types), never storage rows.
    "bot/presentation": (
        "telegram", "storage", "httpx", "sqlalchemy", "bot.services.deps", "bot.app", "handlers",
        "sandbox",
    ),
    # Services may read the settings (a leaf module), nothing else of the wiring above them.
    "bot/services": ("telegram", "handlers", "sandbox", "bot.app.application",
                     "bot.app.runner", "bot.app.web", "bot.app.processor", "bot.app.scheduler"),
    "storage": ("bot", "handlers", "sandbox"),
    "handlers": ("sqlalchemy", "httpx", "aiosqlite", "asyncpg", "sandbox", "bot.app.application",
                 "bot.app.runner", "bot.app.web", "bot.app.processor"),
    "bot/app": ("sandbox",),
}

#: Command-line entry points are wiring: `python -m storage rotate-keys` reads the bot's settings.
ENTRY_POINTS = {ROOT / "storage" / "__main__.py"}

LAYER_CASES = [
    (layer, path) for layer in FORBIDDEN for path in python_files(layer)
    if path not in ENTRY_POINTS
]


@pytest.mark.parametrize(
    ("layer", "path"), LAYER_CASES, ids=[str(p.relative_to(ROOT)) for _, p in LAYER_CASES]
)
def test_layers_import_only_what_is_below_them(layer: str, path: Path) -> None:
    forbidden = FORBIDDEN[layer]
    offending = {
        name for name in imported_modules(path)
        if any(_under(name, prefix) for prefix in forbidden)
    }
    assert not offending, f"{path.relative_to(ROOT)} ({layer}) imports {sorted(offending)}"


def test_config_is_a_leaf_the_services_may_read() -> None:
    project = ("bot", "handlers", "storage", "sandbox")
    offending = {
        name for name in imported_modules(ROOT / "bot/app/config.py")
        if name.split(".")[0] in project
    }
    assert not offending


@pytest.mark.parametrize(
    "path", python_files(*PRODUCT), ids=lambda p: str(p.relative_to(ROOT))
)
def test_modules_stay_small_enough_to_have_one_concern(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


@pytest.mark.parametrize("path", python_files("sandbox"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_fakes_stay_split_by_concern_too(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


def flow_packages() -> set[str]:
    return {
        f"handlers.{path.parent.name}" for path in ROOT.glob("handlers/*/__init__.py")
    }


def test_every_flow_is_a_registered_package() -> None:
    from handlers import HANDLER_MODULES

    assert flow_packages() == set(HANDLER_MODULES)
    loose = {path.stem for path in ROOT.glob("handlers/*.py")} - {"__init__"}
    # The only loose modules are the shared parts every flow uses.
    assert loose <= {"callbacks", "context", "replies"}


@pytest.mark.parametrize(
    "path", python_files("handlers"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_flow_imports_another_flows_internals(path: Path) -> None:
    own = module_name(path).split(".")[:2]
    offending = set()
    for name in imported_modules(path):
        parts = name.split(".")
        if parts[0] != "handlers" or len(parts) < 3 or parts[:2] == own:
            continue
        # handlers.other.symbol is the package's public face; handlers.other.module is not.
        if (ROOT / "handlers" / parts[1] / f"{parts[2]}.py").exists():
            offending.add(name)
    assert not offending, f"{path.relative_to(ROOT)} reaches into {sorted(offending)}"


def _builds_callback_data_by_hand(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and any(k.arg == "callback_data" for k in node.keywords):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    "path", python_files("bot", "handlers"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_button_is_built_through_the_callback_registry(path: Path) -> None:
    if path == ROOT / "handlers" / "callbacks.py":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not _builds_callback_data_by_hand(tree), (
        f"{path.relative_to(ROOT)} sets callback_data itself at lines "
        f"{_builds_callback_data_by_hand(tree)}: use handlers.callbacks.button(label, Data(...))"
    )


def test_storage_default_mushaf_is_the_domains() -> None:
    from bot.domain.mushafs import DEFAULT_MUSHAF_ID as domain_default
    from storage import DEFAULT_MUSHAF_ID as storage_default

    assert storage_default == domain_default
