"""What one update costs in our bot, against a bare python-telegram-bot handler, in one run.

Both sides answer through the same in-process fake Telegram (`RecordingRequest`), so the ratio is
the price of our wiring: chat settings from the database, translations, the Quran Foundation
adapter (against the in-process fake, no network) and the handler's own work.

    python bench/bench_update_cost.py [--updates 300]

It also counts the SQL statements one update sends, with the per-update read scope
(storage/update_scope.py: chat settings and the linked account read once) and, as the baseline
in the same run, with the scope switched off.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

import storage.update_scope as read_scope
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.recording import RecordingRequest
from sandbox.telegram import TelegramWorld


async def timed(updates: int, step: Callable[[], Awaitable[Any]]) -> list[float]:
    for _ in range(10):  # warm caches and lazy imports
        await step()
    samples = []
    for _ in range(updates):
        began = time.perf_counter()
        await step()
        samples.append(time.perf_counter() - began)
    return samples


async def bare_ptb(updates: int) -> list[float]:
    world = TelegramWorld()
    world.add_private_chat(DEMO_USER)

    async def help_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("<b>What I can do</b>\n/today …")

    app = (
        Application.builder()
        .token(world.bot_token)
        .request(RecordingRequest(world))
        .get_updates_request(RecordingRequest(world))
        .updater(None)
        .build()
    )
    app.add_handler(CommandHandler("help", help_reply))

    async def step() -> None:
        await world.user_sends(DEMO_USER.id, DEMO_USER, "/help")
        await app.process_update(Update.de_json(world.next_update_dict(), app.bot))

    async with app:
        return await timed(updates, step)


async def ours(updates: int, command: str) -> list[float]:
    with tempfile.TemporaryDirectory() as data_dir:
        async with BotHarness(Path(data_dir)) as bot:
            await bot.link_account()
            await bot.set_timezone("Asia/Riyadh")
            if command == "/today":
                await bot.send("/goal 15min")

            async def step() -> None:
                await bot.send(command)

            return await timed(updates, step)


def never_remembered(row_id: int) -> tuple[bool, None]:
    return False, None


async def statements_per_update(commands: list[str], *, scoped: bool) -> dict[str, float]:
    """SQL statements sent while one update is handled (median of 20), per command."""
    original = read_scope.remembered, read_scope.remembered_account
    if not scoped:
        setattr(read_scope, "remembered", never_remembered)  # noqa: B010 (a bench-only switch)
        setattr(read_scope, "remembered_account", never_remembered)  # noqa: B010
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            async with BotHarness(Path(data_dir)) as bot:
                await bot.link_account()
                await bot.set_timezone("Asia/Riyadh")
                await bot.send("/goal 15min")
                seen: list[str] = []
                event.listen(
                    bot.deps.database.engine.sync_engine,
                    "before_cursor_execute",
                    lambda *args: seen.append(args[2]),
                )
                counts: dict[str, float] = {}
                for command in commands:
                    samples = []
                    for n in range(20):
                        seen.clear()
                        # A new chapter each time: /read credits a new range, not a repeat.
                        await bot.send(command.format(n=n + 1))
                        samples.append(len(seen))
                    counts[command] = statistics.median(samples)
                return counts
    finally:
        setattr(read_scope, "remembered", original[0])  # noqa: B010
        setattr(read_scope, "remembered_account", original[1])  # noqa: B010


def line(name: str, samples: list[float], base: float) -> str:
    median = statistics.median(samples)
    return f"{name:<34} median {median * 1000:7.2f} ms   ratio vs bare PTB {median / base:6.1f}x"


async def main() -> None:
    # The harness runs without a JobQueue on purpose; PTB says so once per conversation.
    warnings.filterwarnings("ignore", message="Ignoring `conversation_timeout`")
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=300)
    args = parser.parse_args()
    bare = await bare_ptb(args.updates)
    base = statistics.median(bare)
    print(f"{args.updates} updates each, in process\n")
    print(line("bare PTB /help (one reply)", bare, base))
    print(line("ours /help (settings + i18n)", await ours(args.updates, "/help"), base))
    print(line("ours /today (+ Quran.com call)", await ours(args.updates, "/today"), base))
    commands = ["/help", "/goal {n} min", "/today", "/read {n}:1-{n}:3", "/settings"]
    before = await statements_per_update(commands, scoped=False)
    after = await statements_per_update(commands, scoped=True)
    print("\nSQL statements per update (median of 20): without the read scope -> with it")
    for command in commands:
        print(f"  {command:<20} {before[command]:5.0f} -> {after[command]:5.0f}")


if __name__ == "__main__":
    asyncio.run(main())
