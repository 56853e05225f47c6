"""Process updates of different chats concurrently while keeping each chat's updates in order.

python-telegram-bot handles one update at a time by default, so one user waiting on a slow
Quran.com call would delay every other chat. `concurrent_updates(True)` fixes that but drops all
ordering, and conversations then see their steps out of order. This processor serialises updates
that share a key (the chat, else the user) and lets different keys run side by side.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.app.metrics import Metrics, UpdateOutcome, current_outcome


def update_key(update: object) -> object:
    """The serialisation key: the chat when there is one, else the user, else nothing shared.

    Keying by chat (not by user) keeps a group's conversation steps and admin panel presses in
    the order they were sent; an inline query or poll answer has no chat and keys by its user.
    """
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
        return ("update", update.update_id)
    # Custom objects put on the update queue (e.g. "account linked" from the OAuth callback)
    # may carry the chat they belong to.
    chat_id = getattr(update, "chat_id", None)
    if chat_id is not None:
        return ("chat", chat_id)
    return ("object", id(update))


class _KeyLock:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class KeyedUpdateProcessor(BaseUpdateProcessor):
    """Serialise per chat, run different chats concurrently, bounded overall.

    PTB takes its semaphore before `do_process_update`, so updates waiting for a busy chat would
    hold a slot; the inbox (`bot.app.inbox`) runs one update per chat at a time, so every slot
    is a chat making progress. The bound (`MAX_CONCURRENT_UPDATES`, see `bot.app.config`) keeps
    a burst from starting everything at once and finishing everything late.
    """

    def __init__(
        self, max_concurrent_updates: int = 64, *, metrics: Metrics | None = None
    ) -> None:
        super().__init__(max_concurrent_updates=max_concurrent_updates)
        self._locks: dict[object, _KeyLock] = {}
        self._metrics = metrics

    async def do_process_update(
        self, update: object, coroutine: Awaitable[Any]
    ) -> None:
        key = update_key(update)
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = _KeyLock()
        entry.users += 1
        try:
            # asyncio.Lock wakes waiters in FIFO order, and PTB creates the processing tasks in
            # the order updates leave the queue, so a chat's updates run in arrival order.
            async with entry.lock:
                await self._measured(update, coroutine)
        finally:
            entry.users -= 1
            if entry.users == 0:
                # Drop idle keys so a bot that has seen a million chats does not keep a million
                # locks.
                del self._locks[key]

    async def _measured(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handlers, timing them (not the wait for the chat's lock) and noting whether
        one failed (`bot.app.metrics.mark_update_failed` flips the outcome)."""
        if self._metrics is None:
            await coroutine
            return
        outcome = UpdateOutcome()
        token = current_outcome.set(outcome)
        started = time.perf_counter()
        try:
            await coroutine
        except BaseException:
            outcome.failed = True
            raise
        finally:
            current_outcome.reset(token)
            self._metrics.update_finished(
                update, time.perf_counter() - started, failed=outcome.failed
            )

    async def initialize(self) -> None:
        """Nothing to set up; locks are created on demand."""

    async def shutdown(self) -> None:
        self._locks.clear()

    @property
    def active_keys(self) -> int:
        return len(self._locks)
