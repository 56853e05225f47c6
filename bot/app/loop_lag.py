"""An event-loop lag probe: how long the loop was kept from running anything else.

Everything in the process shares one event loop, so a single callback that computes for 300 ms
(a start-time scan, a big JSON dump, a synchronous library call) delays every chat's answer by
that much. Such stalls are invisible in per-update latency (the update that waited is not the
one that blocked), so a task sleeps a short interval over and over and measures how late it
wakes up: the overshoot is the time the loop could not run it.

The overshoot is exported as `quran_companion_event_loop_lag_seconds` (a histogram) and the
largest one since start as `quran_companion_event_loop_lag_max_seconds`; a stall at or above
`warn_after` is also logged with its size, so that it can be lined up with what else the log
says happened at that moment. A full garbage collection stops everything too, and it happens
wherever an allocation tips the balance, so no line of the log explains it: the probe times
those collections and says how much of a stall was one (bot.app.warm_start keeps them short).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

#: Short enough to see a 50 ms stall clearly; long enough to cost nothing (100 wake-ups a second).
PROBE_INTERVAL = 0.01
#: The responsiveness budget: no stall this long should happen (issue 17).
WARN_AFTER = 0.05
#: The oldest generation: a collection of it walks every tracked object of the process.
FULL_COLLECTION = 2


class LoopLagProbe:
    """Measures the loop's lag from `start()` until `stop()`; `observe` receives each overshoot
    (the metrics), `max_seconds` keeps the largest."""

    def __init__(
        self,
        observe: Callable[[float], None] | None = None,
        *,
        interval: float = PROBE_INTERVAL,
        warn_after: float = WARN_AFTER,
    ) -> None:
        self.interval = interval
        self.warn_after = warn_after
        self.max_seconds = 0.0
        #: May be set after start: the metrics registry exists only once the app is built.
        self.observe = observe
        #: The longest full garbage collection since start.
        self.max_collection_seconds = 0.0
        self._task: asyncio.Task[None] | None = None
        self._collecting_since: float | None = None
        self._collected_seconds = 0.0

    def attach(self, observe: Callable[[float], None]) -> None:
        """Report to `observe` from now on, starting with the largest stall seen so far (the
        probe runs before the metrics exist, and a stall at start must still show)."""
        self.observe = observe
        if self.max_seconds > 0:
            observe(self.max_seconds)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="event-loop-lag-probe"
            )
            gc.callbacks.append(self._on_collection)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._on_collection)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != FULL_COLLECTION:
            return
        if phase == "start":
            self._collecting_since = time.perf_counter()
        elif self._collecting_since is not None:
            took = time.perf_counter() - self._collecting_since
            self._collecting_since = None
            self._collected_seconds += took
            self.max_collection_seconds = max(self.max_collection_seconds, took)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            began = loop.time()
            await asyncio.sleep(self.interval)
            collected, self._collected_seconds = self._collected_seconds, 0.0
            self.record(max(0.0, loop.time() - began - self.interval), collected)

    def record(self, lag: float, collecting: float = 0.0) -> None:
        """One overshoot; `collecting` is how much of it full garbage collections took."""
        self.max_seconds = max(self.max_seconds, lag)
        if self.observe is not None:
            self.observe(lag)
        if lag < self.warn_after:
            return
        if collecting >= self.warn_after / 2:
            logger.warning(
                "event loop stalled for %.0f ms (a full garbage collection took %.0f ms)",
                lag * 1000, collecting * 1000,
            )
        else:
            logger.warning("event loop stalled for %.0f ms", lag * 1000)
