"""Shared scene for the khatm board tests: a group with an admin and members, the board message
and its buttons, and the coalesced edits waited for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reminders_support import ADMIN, GROUP_ID, MEMBER, OTHER_MEMBER, add_group, clock_at

from handlers.khatm.board import board_edits
from handlers.khatm.buttons import PressJuz
from sandbox.harness import BotHarness
from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.telegram import FakeUser

__all__ = ["ADMIN", "GROUP_ID", "MEMBER", "OTHER_MEMBER", "add_group"]

CREDIT_PATH = r"^/v1/activity-days$"


def harness(tmp_path: Path) -> BotHarness:
    from reminders_support import NINE_CAIRO

    clock = clock_at(NINE_CAIRO)
    return BotHarness(tmp_path, clock=clock, fake_qf=FakeQuranFoundation(clock=clock))


def members(count: int, first_id: int = 3000) -> list[FakeUser]:
    return [FakeUser(first_id + n, f"Member{n}") for n in range(count)]


async def settle(bot: BotHarness) -> None:
    """Wait for the board's coalesced edits (no waiting between presses in tests)."""
    edits = board_edits(bot.app)
    edits.delay = 0
    await edits.flush()


def boards(bot: BotHarness, chat_id: int = GROUP_ID) -> list[dict[str, Any]]:
    """Bot messages in the group that carry juz buttons, oldest first (as they are now)."""
    return [
        message
        for message in bot.world.sent(chat_id)
        if any(data and PressJuz.parse(data) for _, data in bot.world.buttons(message))
    ]


def current_board(bot: BotHarness, chat_id: int = GROUP_ID) -> dict[str, Any]:
    """The latest board message, re-read after edits."""
    message = boards(bot, chat_id)[-1]
    fresh = bot.world.message(chat_id, message["message_id"])
    assert fresh is not None
    return fresh


def juz_data(bot: BotHarness, message: dict[str, Any], juz: int) -> str:
    for _, data in bot.world.buttons(message):
        press = PressJuz.parse(data)
        if press is not None and press.juz == juz:
            return data  # type: ignore[return-value]
    raise LookupError(juz)


async def start_board(bot: BotHarness, args: str = "") -> dict[str, Any]:
    add_group(bot.world)
    await bot.deps.chats.ensure(GROUP_ID, "group", "Masjid Reading Circle")
    await bot.send(f"/khatm {args}".strip(), user=ADMIN, chat_id=GROUP_ID)
    await settle(bot)
    return current_board(bot)


async def press(bot: BotHarness, user: FakeUser, data: str, message: dict[str, Any]) -> None:
    await bot.world.user_presses(GROUP_ID, user, message["message_id"], data)
    await bot.process_pending()
