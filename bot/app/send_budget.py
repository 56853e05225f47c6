"""One budget for everything the bot sends, so Telegram never has to say 429.

Telegram allows about 30 messages in any rolling second overall and 20 a minute in one group,
and tolerates short bursts of about one a second in a private chat. PTB's `AIORateLimiter` is a
leaky bucket: it lets ~60 requests through in the first second of a burst, so a burst of replies
overshoots the rolling window and the bot then waits out `retry_after` — everyone's answer comes
late. This limiter instead counts each send as taking a slot from the moment its request leaves
until a second after Telegram answers (Telegram counts it somewhere in between, so holding the
slot that long is the only way to be sure), and never has more than 30 slots taken.

Replies to people go before reminders and summaries: a waiting send is served by priority, then
in arrival order, so a 2,000-reminder fan-out never delays someone's `/today`. A send to a group
at its per-minute cap waits without holding up sends to other chats. A 429 that still happens
(another process on the same token, Telegram being stricter than documented) pauses everything
for `retry_after`, is counted, and the request is retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning


class Priority(IntEnum):
    """Who waits for whom: lower values are served first."""

    #: An answer to something a person just did.
    REPLY = 0
    #: Reminders, nudges, summaries: many at once, nobody is staring at the screen for them.
    BULK = 1


#: Methods that put or change a message in a chat: the ones Telegram's flood limits count.
#: (Answering a callback query, getMe, getChatMember … are not messages and pass straight on.)
_COUNTED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")
_UNCOUNTED = frozenset({"sendChatAction"})


def counts_as_message(endpoint: str) -> bool:
    return endpoint.startswith(_COUNTED_PREFIXES) and endpoint not in _UNCOUNTED


@dataclass(frozen=True)
class SendLimits:
    """Telegram's published limits (https://core.telegram.org/bots/faq#broadcasting-to-users)."""

    per_second: int = 30
    group_per_minute: int = 20
    #: A private chat: bursts of a few, then about one a second.
    private_burst: int = 3
    private_per_second: float = 1.0
    #: How long a slot stays taken after Telegram's answer.
    overall_window: float = 1.0
    group_window: float = 60.0


@dataclass(order=True)
class _Waiter:
    priority: int
    seq: int
    chat_id: int | None = field(compare=False)
    is_group: bool = field(compare=False)
    future: asyncio.Future[None] = field(compare=False)


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class SendBudget(BaseRateLimiter[Priority]):
    """The process's `BaseRateLimiter`; bulk sends pass `rate_limit_args=Priority.BULK`.

    `on_retry_after` is told of every 429 (metrics); `clock` is monotonic seconds (tests).
    """

    def __init__(
        self,
        limits: SendLimits | None = None,
        *,
        max_retries: int = 3,
        on_retry_after: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits or SendLimits()
        self.max_retries = max_retries
        self._on_retry_after = on_retry_after
        self._clock = clock
        self._taken = 0
        self._group_taken: dict[int, int] = {}
        self._private: dict[int, _Bucket] = {}
        self._waiting: list[_Waiter] = []
        self._seq = itertools.count()
        self._paused_until = 0.0
        self._timer: asyncio.TimerHandle | None = None
        #: Counters for metrics and benches.
        self.sent = 0
        self.retry_afters = 0

    async def initialize(self) -> None:
        """Nothing to open: slots are plain counters."""

    async def shutdown(self) -> None:
        for waiter in self._waiting:
            if not waiter.future.done():
                waiter.future.cancel()
        self._waiting.clear()
        if self._timer is not None:
            self._timer.cancel()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Priority | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if not counts_as_message(endpoint):
            return await callback(*args, **kwargs)
        chat_id = _chat_id(data.get("chat_id"))
        is_group = chat_id is not None and chat_id < 0
        priority = rate_limit_args if rate_limit_args is not None else Priority.REPLY
        for attempt in range(self.max_retries + 1):
            await self._acquire(priority, chat_id, is_group)
            try:
                result = await callback(*args, **kwargs)
            except RetryAfter as error:
                self._release_later(chat_id, is_group)
                wait = retry_after_seconds(error)
                self.retry_afters += 1
                if self._on_retry_after is not None:
                    self._on_retry_after(wait)
                self._paused_until = max(self._paused_until, self._clock() + wait)
                if attempt == self.max_retries:
                    raise
                continue
            except BaseException:
                self._release_later(chat_id, is_group)
                raise
            self.sent += 1
            self._release_later(chat_id, is_group)
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    # ----------------------------------------------------------------------------------------

    async def _acquire(self, priority: int, chat_id: int | None, is_group: bool) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(
            self._waiting, _Waiter(priority, next(self._seq), chat_id, is_group, future)
        )
        self._grant()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                # Granted just as we were cancelled: give the slot back.
                self._release_later(chat_id, is_group, at_once=True)
            else:
                self._forget(future)
            raise

    def _forget(self, future: asyncio.Future[None]) -> None:
        self._waiting = [w for w in self._waiting if w.future is not future]
        heapq.heapify(self._waiting)

    def _grant(self) -> None:
        """Hand free slots to waiters: by priority, then arrival, skipping chats at their cap."""
        now = self._clock()
        if now < self._paused_until:
            self._wake_at(self._paused_until - now)
            return
        limits = self.limits
        skipped: list[_Waiter] = []
        next_private = float("inf")
        while self._waiting and self._taken < limits.per_second:
            waiter = heapq.heappop(self._waiting)
            if waiter.future.done():
                continue
            if waiter.is_group and waiter.chat_id is not None:
                if self._group_taken.get(waiter.chat_id, 0) >= limits.group_per_minute:
                    skipped.append(waiter)
                    continue
            elif waiter.chat_id is not None:
                wait = self._private_wait(waiter.chat_id, now)
                if wait > 0:
                    next_private = min(next_private, wait)
                    skipped.append(waiter)
                    continue
            self._take(waiter.chat_id, waiter.is_group, now)
            waiter.future.set_result(None)
        for waiter in skipped:
            heapq.heappush(self._waiting, waiter)
        if next_private != float("inf"):
            self._wake_at(next_private)

    def _private_wait(self, chat_id: int, now: float) -> float:
        limits = self.limits
        bucket = self._private.get(chat_id)
        if bucket is None:
            return 0.0
        tokens = min(
            float(limits.private_burst),
            bucket.tokens + (now - bucket.stamp) * limits.private_per_second,
        )
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / limits.private_per_second

    def _take(self, chat_id: int | None, is_group: bool, now: float) -> None:
        limits = self.limits
        self._taken += 1
        if chat_id is None:
            return
        if is_group:
            self._group_taken[chat_id] = self._group_taken.get(chat_id, 0) + 1
            return
        bucket = self._private.get(chat_id)
        tokens = float(limits.private_burst) if bucket is None else min(
            float(limits.private_burst),
            bucket.tokens + (now - bucket.stamp) * limits.private_per_second,
        )
        self._private[chat_id] = _Bucket(tokens - 1.0, now)
        if len(self._private) > 10_000:
            self._forget_full_buckets(now)

    def _forget_full_buckets(self, now: float) -> None:
        """A bucket that has refilled says nothing: drop it, so memory follows active chats."""
        limits = self.limits
        full_after = limits.private_burst / limits.private_per_second
        self._private = {
            chat: bucket for chat, bucket in self._private.items()
            if now - bucket.stamp < full_after
        }

    def _release_later(self, chat_id: int | None, is_group: bool, *, at_once: bool = False) -> None:
        loop = asyncio.get_running_loop()
        limits = self.limits
        loop.call_later(0.0 if at_once else limits.overall_window, self._release_overall)
        if is_group and chat_id is not None:
            loop.call_later(
                0.0 if at_once else limits.group_window, self._release_group, chat_id
            )

    def _release_overall(self) -> None:
        self._taken -= 1
        self._grant()

    def _release_group(self, chat_id: int) -> None:
        left = self._group_taken.get(chat_id, 0) - 1
        if left > 0:
            self._group_taken[chat_id] = left
        else:
            self._group_taken.pop(chat_id, None)
        self._grant()

    def _wake_at(self, delay: float) -> None:
        """Look again after `delay`; an earlier wake-up already set stands."""
        loop = asyncio.get_running_loop()
        when = loop.time() + max(delay, 0.0)
        if self._timer is not None:
            if self._timer.when() <= when:
                return
            self._timer.cancel()
        self._timer = loop.call_at(when, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._grant()


def _chat_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
        # "@channelusername": a channel or public group, counted like a group.
        return -1
    return None


def retry_after_seconds(error: RetryAfter) -> float:
    """Telegram's wait in seconds, whether PTB gives it as an int or (PTB_TIMEDELTA) a timedelta."""
    with warnings.catch_warnings():
        # PTB warns that the int will become a timedelta; both are handled below.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: object = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if isinstance(value, int | float) else 1.0
