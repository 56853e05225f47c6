"""What the durable inbox adds per update, on SQLite and PostgreSQL, against no inbox in the
same run.

Without the inbox an update goes straight to the update processor (what PTB's Updater did);
with it, it is stored (`accept`), started (`start_next`), handled, its reply journaled
(`inbox_sends`) and marked done. Both answer `/help` and `/today` (a linked user with a goal,
Quran.com in process) through the in-process fake Telegram. A burst of N chats sending at once
is timed both ways too.

    python bench/bench_inbox.py [--updates 200] [--burst 40] [--postgres postgresql://…/db]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from telegram import Update

from bot.app.inbox import inbox_worker_of
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.telegram import FakeUser


@asynccontextmanager
async def postgres_database(url: str) -> AsyncIterator[str]:
    name = f"bench_inbox_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _, _ = url.rpartition("/")
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://")
    finally:
        admin = await asyncpg.connect(url)
        try:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def measure(bot: BotHarness, command: str, updates: int) -> tuple[list[float], list[float]]:
    """Alternate one update without and one with the inbox, so that the load of a shared
    machine weighs on both sides alike; returns (without, with) seconds per update."""
    app = bot.app
    worker = inbox_worker_of(app)
    without: list[float] = []
    with_: list[float] = []
    for n in range(2 * (updates + 10)):
        await bot.world.user_sends(DEMO_USER.id, DEMO_USER, command)
        update = Update.de_json(bot.world.next_update_dict(), app.bot)
        inbox = n % 2 == 1
        began = time.perf_counter()
        if inbox:
            await worker.accept([update])
            await worker.idle()
        else:
            await app.update_processor.process_update(update, app.process_update(update))
        took = time.perf_counter() - began
        if n >= 20:  # the first ones warm caches
            (with_ if inbox else without).append(took)
    return without, with_


async def burst(bot: BotHarness, size: int, *, inbox: bool) -> float:
    """Seconds from N chats' /help arriving together to the last answer."""
    app = bot.app
    worker = inbox_worker_of(app)
    updates = []
    for n in range(size):
        user = FakeUser(900_000 + n, f"Burst{n}")
        bot.world.add_private_chat(user)
        await bot.world.user_sends(user.id, user, "/help")
        updates.append(Update.de_json(bot.world.next_update_dict(), app.bot))
    began = time.perf_counter()
    if inbox:
        await worker.accept(updates)
        await worker.idle()
    else:
        await asyncio.gather(
            *(app.update_processor.process_update(u, app.process_update(u)) for u in updates)
        )
    return time.perf_counter() - began


def line(label: str, without: list[float], with_: list[float]) -> str:
    def ms(values: list[float], q: float) -> float:
        return 1000 * statistics.quantiles(values, n=100)[int(q) - 1]

    p50a, p50b = 1000 * statistics.median(without), 1000 * statistics.median(with_)
    return (
        f"  {label:<8} no inbox p50 {p50a:6.2f} ms p95 {ms(without, 95):6.2f} ms | "
        f"inbox p50 {p50b:6.2f} ms p95 {ms(with_, 95):6.2f} ms | added {p50b - p50a:+.2f} ms"
    )


async def run_backend(name: str, url: str | None, updates: int, burst_size: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        overrides = {"DATABASE_URL": url} if url else {}
        async with BotHarness(Path(data_dir), settings_overrides=overrides) as bot:
            await bot.link_account()
            await bot.set_timezone("Asia/Riyadh")
            await bot.send("/goal 15min")
            print(f"{name}:")
            for command in ("/help", "/today"):
                without, with_ = await measure(bot, command, updates)
                print(line(command, without, with_))
            plains, storeds = [], []
            for _ in range(3):
                plains.append(await burst(bot, burst_size, inbox=False))
                storeds.append(await burst(bot, burst_size, inbox=True))
            plain, stored = statistics.median(plains), statistics.median(storeds)
            print(
                f"  burst of {burst_size} chats (median of 3): last answer after "
                f"{plain * 1000:.0f} ms without, {stored * 1000:.0f} ms with the inbox"
            )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--burst", type=int, default=40)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    await run_backend("SQLite", None, args.updates, args.burst)
    try:
        async with postgres_database(args.postgres) as url:
            await run_backend("PostgreSQL", url, args.updates, args.burst)
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"PostgreSQL skipped: {exc}")


if __name__ == "__main__":
    asyncio.run(main())
