"""How long do 200 chats wait when each update needs a 300 ms upstream call?

Runs the same handler (simulated Quran.com round trip, then a reply through the Bot API) under
three update processors in one run and prints latency from enqueue to reply:

* bare PTB, default (one update at a time) — what a plain python-telegram-bot bot does;
* bare PTB, `concurrent_updates(True)` — fast but gives up per-chat ordering;
* our KeyedUpdateProcessor — concurrent across chats, ordered within a chat.

Target for ours: every chat answered within 1.2 x one round trip + 50 ms.

    python bench/bench_processor.py [--chats 200] [--upstream-ms 300] [--skip-sequential]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from telegram import Chat, Message, Update, User
from telegram.ext import Application, BaseUpdateProcessor, CallbackContext, TypeHandler

from bot.app.processor import KeyedUpdateProcessor
from sandbox.recording import RecordingRequest
from sandbox.telegram import FakeUser, TelegramWorld


def make_update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, f"user{chat_id}", is_bot=False)
    chat = Chat(chat_id, Chat.PRIVATE)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="/today")
    return Update(update_id, message=message)


async def measure(
    processor: BaseUpdateProcessor | bool, chats: int, upstream: float
) -> list[float]:
    world = TelegramWorld()
    for chat_id in range(1, chats + 1):
        world.add_private_chat(FakeUser(chat_id, f"user{chat_id}"))
    builder = (
        Application.builder()
        .token(world.bot_token)
        .request(RecordingRequest(world))
        .get_updates_request(RecordingRequest(world))
        .updater(None)
    )
    if processor is not False:
        builder = builder.concurrent_updates(processor)
    app = builder.build()
    enqueued: dict[int, float] = {}
    latencies: list[float] = []
    done = asyncio.Event()

    async def handler(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        await asyncio.sleep(upstream)  # the Quran Foundation round trip
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "Today: 3 of 10 pages")
        latencies.append(time.perf_counter() - enqueued[update.effective_chat.id])
        if len(latencies) == chats:
            done.set()

    app.add_handler(TypeHandler(Update, handler))
    async with app:
        await app.start()
        try:
            for chat_id in range(1, chats + 1):
                enqueued[chat_id] = time.perf_counter()
                await app.update_queue.put(make_update(chat_id, chat_id))
            await asyncio.wait_for(done.wait(), timeout=chats * upstream + 30)
        finally:
            await app.stop()
    return latencies


def describe(name: str, latencies: list[float]) -> tuple[str, float]:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    worst = ordered[-1]
    return (
        f"{name:<34} p50 {p50 * 1000:8.0f} ms   p95 {p95 * 1000:8.0f} ms   "
        f"max {worst * 1000:8.0f} ms",
        worst,
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--upstream-ms", type=float, default=300)
    parser.add_argument("--skip-sequential", action="store_true",
                        help="skip bare PTB's default processing (it takes chats x upstream)")
    args = parser.parse_args()
    upstream = args.upstream_ms / 1000
    print(f"{args.chats} chats, {args.upstream_ms:.0f} ms simulated upstream each\n")

    keyed = await measure(KeyedUpdateProcessor(max(256, args.chats)), args.chats, upstream)
    concurrent = await measure(True, args.chats, upstream)
    line, keyed_worst = describe("KeyedUpdateProcessor (ours)", keyed)
    print(line)
    line, concurrent_worst = describe("bare PTB concurrent_updates(True)", concurrent)
    print(line)
    sequential_worst = None
    if not args.skip_sequential:
        sequential = await measure(False, args.chats, upstream)
        line, sequential_worst = describe("bare PTB default (sequential)", sequential)
        print(line)

    target = 1.2 * upstream + 0.050
    print()
    print(f"target: every chat answered within {target * 1000:.0f} ms -> "
          f"{'met' if keyed_worst <= target else 'MISSED'} (max {keyed_worst * 1000:.0f} ms)")
    print(f"ratio ours / bare PTB concurrent (max latency): {keyed_worst / concurrent_worst:.3f}")
    if sequential_worst is not None:
        ratio = keyed_worst / sequential_worst
        print(f"ratio ours / bare PTB default   (max latency): {ratio:.4f}")


if __name__ == "__main__":
    asyncio.run(main())
