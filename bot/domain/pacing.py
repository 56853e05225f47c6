"""How fast a fan-out of reminders may leave: Telegram's send rate, kept on a real clock.

Many reminders share popular minutes (21:00). Telegram allows about 30 messages per second
overall and 20 per minute per group; python-telegram-bot's `AIORateLimiter` enforces those as
leaky buckets that still let a burst of 30 through at once, which a strict per-second window
(what Telegram applies) answers with 429s, and after a 429 the limiter's pause releases the
queue as another burst. So deliveries also pass through a `SendPacer`: at most 30 sends in any
1.025 s, spaced out, decided when each send really leaves. During a fan-out (sends are waiting)
group deliveries first wait a small deterministic per-group `jitter_seconds`, so the queue order
is spread the same way on every instance; a lone reminder goes out at once.

`SendPacer` is arithmetic; `PacedGate` and `FanOut` do the waiting, with the sleep and the
monotonic clock passed in (real time in the bot, instant in tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time as monotonic_time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable

#: During a fan-out at most this many sends leave in any `FANOUT_WINDOW_SECONDS`: Telegram's 30
#: per second, over a window 25 ms longer than its own, so that requests reaching Telegram a
#: little closer together than they left cannot make a 31st in one second. AIORateLimiter's
#: own limits stay as the backstop.
FANOUT_LIMIT_PER_SECOND = 30
FANOUT_WINDOW_SECONDS = 1.025
#: Upper bound of the per-group delay before a group reminder joins the send queue.
GROUP_JITTER_SECONDS = 0.5


def jitter_seconds(key: str, spread: float = GROUP_JITTER_SECONDS) -> float:
    """A stable delay in [0, spread) for `key` (e.g. "<chat_id>|<slot>").

    Deterministic rather than random so every bot instance spreads the same group the same
    way, and tests can predict it.
    """
    if spread <= 0:
        return 0.0
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * spread


class SendPacer:
    """At most `limit` sends in any `window` seconds, and at least `min_gap` between two.

    This is the rule Telegram applies (a sliding one-second window), with a window slightly
    longer than Telegram's so a little network jitter cannot push a 31st into it. The decision is
    made from the times sends really left (`record`), not from times booked in advance: an event
    loop busy with a fan-out wakes sleepers late and all at once, and booked times would then
    go out as a burst. `min_gap` stops a backlog from leaving as one burst either.
    Pure arithmetic on a monotonic clock, so it is easy to test; `PacedGate` does the waiting.
    """

    def __init__(
        self,
        limit: int = FANOUT_LIMIT_PER_SECOND,
        window: float = FANOUT_WINDOW_SECONDS,
        min_gap: float | None = None,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("the pacer needs a positive limit and window")
        self.limit = limit
        self.window = window
        # Three quarters of the even spacing: smooth, yet a stalled moment can be made up.
        self.min_gap = 0.75 * window / limit if min_gap is None else min_gap
        self._sent: deque[float] = deque(maxlen=limit)

    def wait_time(self, now: float) -> float:
        """Seconds until a send may leave (0: now)."""
        earliest = now
        if self._sent:
            earliest = max(earliest, self._sent[-1] + self.min_gap)
        if len(self._sent) >= self.limit:
            earliest = max(earliest, self._sent[0] + self.window)
        return earliest - now

    def record(self, now: float) -> None:
        self._sent.append(now)

    def forget(self, moment: float) -> None:
        """Take back a recorded send that did not happen after all (lost a claim race)."""
        with contextlib.suppress(ValueError):  # already pushed out of the window
            self._sent.remove(moment)


def spread_plan(count: int, pacer: SendPacer | None = None) -> list[float]:
    """Offsets (seconds from the due minute) at which `count` simultaneous reminders leave when
    the loop wakes everyone exactly on time."""
    pacer = pacer or SendPacer()
    offsets: list[float] = []
    moment = 0.0
    for _ in range(count):
        moment += pacer.wait_time(moment)
        pacer.record(moment)
        offsets.append(moment)
    return offsets


Sleep = Callable[[float], Awaitable[None]]
#: Reminder sends past the send gate and not yet answered (see `FanOut.send_turn`).
MAX_IN_FLIGHT = 3


class PacedGate:
    """Lets callers through one at a time as a `SendPacer` allows, judged on the real clock at
    the moment each one leaves."""

    def __init__(self, pacer: SendPacer, sleep: Sleep, monotonic: Callable[[], float]) -> None:
        self.pacer = pacer
        self._sleep = sleep
        self._monotonic = monotonic
        self._lock = asyncio.Lock()
        self.waiting = 0

    async def wait(self) -> float:
        """Return when the caller may go; the result identifies its turn for `give_back`."""
        self.waiting += 1
        try:
            async with self._lock:
                while (delay := self.pacer.wait_time(self._monotonic())) > 0:
                    await self._sleep(delay)
                moment = self._monotonic()
                self.pacer.record(moment)
                return moment
        finally:
            self.waiting -= 1

    def give_back(self, turn: float) -> None:
        self.pacer.forget(turn)


class FanOut:
    """The pacing one bot instance applies to reminders: two gates of the same rate, claims
    just ahead of sends, so instances racing through one fan-out each claim about as fast as
    they can send and share the work; and at most `MAX_IN_FLIGHT` sends unanswered.

    Several instances on one bot token must split the limit (`set_send_limit(30 // instances)`):
    Telegram counts per bot.
    """

    def __init__(
        self,
        limit_per_second: int = FANOUT_LIMIT_PER_SECOND,
        *,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = monotonic_time.monotonic,
    ) -> None:
        self.sleep = sleep
        self._monotonic = monotonic
        self.set_send_limit(limit_per_second)

    def set_send_limit(
        self,
        limit: int,
        *,
        window: float = FANOUT_WINDOW_SECONDS,
        min_gap: float | None = None,
    ) -> None:
        """Reminder sends allowed per `window` from this instance."""
        self.claims = PacedGate(SendPacer(limit, window, min_gap), self.sleep, self._monotonic)
        self.sends = PacedGate(SendPacer(limit, window, min_gap), self.sleep, self._monotonic)
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)

    @property
    def busy(self) -> bool:
        """Whether claims are queueing: a fan-out is under way."""
        return self.claims.waiting > 0

    @contextlib.asynccontextmanager
    async def send_turn(self) -> AsyncIterator[None]:
        """Hold this around one request to Telegram: it starts when the pacer allows.

        Only `MAX_IN_FLIGHT` sends may be past the gate and unanswered: when a 429 makes
        AIORateLimiter pause every request, the gate must not keep feeding it, or the queue it
        built up would leave as one burst when the pause ends and earn the next 429.
        """
        async with self._in_flight:
            await self.sends.wait()
            yield
