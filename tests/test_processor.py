"""Updates of different chats run concurrently; updates of one chat keep their order.

These go through `update_queue` (not `process_update`, which bypasses the processor) with the
Application started, exactly as polling and the webhook deliver updates.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Chat, Message, Update, User
from telegram.ext import Application, CallbackContext, TypeHandler

from bot.app.processor import KeyedUpdateProcessor, update_key
from sandbox.recording import RecordingRequest
from sandbox.telegram import TelegramWorld

UPSTREAM_SECONDS = 0.3


def make_update(update_id: int, chat_id: int, text: str) -> Update:
    user = User(chat_id, f"user{chat_id}", is_bot=False)
    chat = Chat(chat_id, Chat.PRIVATE if chat_id > 0 else Chat.GROUP)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text=text)
    return Update(update_id, message=message)


@asynccontextmanager
async def started_app(
    handler: Any, processor: KeyedUpdateProcessor
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    world = TelegramWorld()
    app = (
        Application.builder()
        .token(world.bot_token)
        .request(RecordingRequest(world))
        .get_updates_request(RecordingRequest(world))
        .updater(None)
        .concurrent_updates(processor)
        .build()
    )
    app.add_handler(TypeHandler(Update, handler))
    async with app:
        await app.start()
        try:
            yield app
        finally:
            await app.stop()


async def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)


async def test_twenty_chats_waiting_on_upstream_do_not_wait_on_each_other() -> None:
    finished: dict[int, float] = {}

    async def slow_upstream(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        await asyncio.sleep(UPSTREAM_SECONDS)
        assert update.effective_chat is not None
        finished[update.effective_chat.id] = time.monotonic()

    async with started_app(slow_upstream, KeyedUpdateProcessor(256)) as app:
        began = time.monotonic()
        for chat_id in range(1, 21):
            await app.update_queue.put(make_update(chat_id, chat_id, "hi"))
        await wait_until(lambda: len(finished) == 20)
        slowest = max(finished.values()) - began
    # Serial processing would take 20 x 0.3 = 6 s.
    assert slowest < UPSTREAM_SECONDS * 2, slowest


async def test_updates_of_one_chat_keep_their_order_while_other_chats_interleave() -> None:
    seen: list[tuple[int, str]] = []
    running: dict[int, int] = {}
    overlap_within_chat: list[int] = []

    async def record(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        assert update.effective_chat is not None and update.effective_message is not None
        chat_id = update.effective_chat.id
        running[chat_id] = running.get(chat_id, 0) + 1
        if running[chat_id] > 1:
            overlap_within_chat.append(chat_id)
        # Later messages sleep less, so any reordering would show.
        index = int(str(update.effective_message.text).split()[-1])
        await asyncio.sleep(0.02 * (10 - index) / 10)
        seen.append((chat_id, str(update.effective_message.text)))
        running[chat_id] -= 1

    async with started_app(record, KeyedUpdateProcessor(256)) as app:
        update_id = 0
        for index in range(10):
            for chat_id in (101, 202, -303):
                update_id += 1
                await app.update_queue.put(make_update(update_id, chat_id, f"step {index}"))
        await wait_until(lambda: len(seen) == 30)

    assert overlap_within_chat == []
    for chat_id in (101, 202, -303):
        order = [text for chat, text in seen if chat == chat_id]
        assert order == [f"step {i}" for i in range(10)]
    # Different chats really interleaved (not one chat after the other).
    first_chats = {chat for chat, _ in seen[:3]}
    assert len(first_chats) == 3


async def test_concurrency_bound_is_respected() -> None:
    active = 0
    peak = 0
    done = 0

    async def track(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        nonlocal active, peak, done
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.05)
        active -= 1
        done += 1

    async with started_app(track, KeyedUpdateProcessor(4)) as app:
        for chat_id in range(1, 13):
            await app.update_queue.put(make_update(chat_id, chat_id, "hi"))
        await wait_until(lambda: done == 12)
    assert peak == 4


async def test_idle_chat_locks_are_released() -> None:
    processor = KeyedUpdateProcessor(16)

    async def quick(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        await asyncio.sleep(0)

    count = 0

    async def counting(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        nonlocal count
        await quick(update, context)
        count += 1

    async with started_app(counting, processor) as app:
        for chat_id in range(1, 51):
            await app.update_queue.put(make_update(chat_id, chat_id, "hi"))
        await wait_until(lambda: count == 50)
        await wait_until(lambda: processor.active_keys == 0)


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        (make_update(1, 42, "x"), ("chat", 42)),
        (make_update(2, -100123, "x"), ("chat", -100123)),
    ],
)
def test_update_key_is_the_chat(update: Update, expected: tuple[str, int]) -> None:
    assert update_key(update) == expected


def test_custom_event_with_chat_id_shares_the_chat_key() -> None:
    class AccountLinked:
        chat_id = 42

    assert update_key(AccountLinked()) == ("chat", 42)
