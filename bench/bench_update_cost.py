"""What one update costs in our bot, against a bare python-telegram-bot handler, in one run.

Both sides answer through the same in-process fake Telegram (`RecordingRequest`), so the ratio is
the price of our wiring: chat settings from the database, translations, the Quran Foundation
adapter (against the in-process fake, no network) and the handler's own work.

    python bench/bench_update_cost.py [--updates 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

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


def line(name: str, samples: list[float], base: float) -> str:
    median = statistics.median(samples)
    return f"{name:<34} median {median * 1000:7.2f} ms   ratio vs bare PTB {median / base:6.1f}x"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=300)
    args = parser.parse_args()
    bare = await bare_ptb(args.updates)
    base = statistics.median(bare)
    print(f"{args.updates} updates each, in process\n")
    print(line("bare PTB /help (one reply)", bare, base))
    print(line("ours /help (settings + i18n)", await ours(args.updates, "/help"), base))
    print(line("ours /today (+ Quran.com call)", await ours(args.updates, "/today"), base))


if __name__ == "__main__":
    asyncio.run(main())
