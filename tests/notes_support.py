"""Shared pieces of the notes tests (tests/test_notes_*.py)."""

from __future__ import annotations

from typing import Any

from bot.app.config import DEFAULT_SCOPES
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import Note as FakeNote
from sandbox.telegram import TelegramWorld

#: The 2026-03-29 contract's head lookup (`GET /v1/sync`) needs the `sync` scope; without it a
#: stale `lastMutationAt` cannot be recovered (see the report to the lead).
SCOPES_WITH_SYNC: tuple[str, ...] = (*DEFAULT_SCOPES.split(), "sync")
APOLOGY = "Sorry, something went wrong"


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or m.get("caption") or "") for m in messages)


def labels(message: dict[str, Any]) -> list[str]:
    return [label for label, _ in TelegramWorld.buttons(message)]


def assert_telegram_accepted_everything(world: TelegramWorld) -> None:
    """Every Bot API call succeeded (so every HTML message parsed) and every press was
    answered; no apology for an unexpected error was sent."""
    failed = [(c.method, c.status, c.response.get("description")) for c in world.calls
              if c.status != 200]
    assert failed == []
    presses = sum(1 for update in world.updates if "callback_query" in update)
    assert len(world.answered_callbacks) == presses
    assert not any(APOLOGY in text for text in world.texts())


def notes_of(bot: BotHarness, sub: str) -> list[FakeNote]:
    return sorted(bot.fake_qf.users[sub].notes.values(), key=lambda note: note.sequence)


async def open_wizard(bot: BotHarness, ranges: str = "2:255") -> None:
    """`/note`, then the verses: the wizard is waiting for the body."""
    await bot.send("/note")
    await bot.send(ranges)


async def finish_wizard(bot: BotHarness, *, share: bool = False) -> list[dict[str, Any]]:
    """Done, which saves the note privately at once; with `share`, then the follow-up
    🌍 Share to QuranReflect and its confirmation. Returns what the last press produced."""
    saved = await bot.press("Done")
    if share:
        await bot.press("Share to QuranReflect")
        return await bot.press("Yes, share it")
    return saved


def demo_chat(bot: BotHarness) -> list[str]:
    return bot.texts(DEMO_USER.id)
