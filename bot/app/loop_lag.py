"""An event-loop lag probe: how long the loop was kept from running anything else.

Everything in the process shares one event loop, so a single callback that computes for 300 ms
(a start-time scan, a big JSON dump, a synchronous library call) delays every chat's answer by
that much. Such stalls are invisible in per-update latency (the update that waited is not the
one that blocked), so a task sleeps a short interval over and over and measures how late it
wakes up: the overshoot is the time the loop could not run it.

The overshoot is exported as `quran_companion_event_loop_lag_seconds` (a histogram) and the
largest one since start as `quran_companion_event_loop_lag_max_seconds`; a stall at or above
`warn_after` is also logged with its size, so that it can be lined up with what else the log
says happened at that moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

#: Short enough to see a 50 ms stall clearly; long enough to cost nothing (100 wake-ups a second).
PROBE_INTERVAL = 0.01
#: The responsiveness budget: no stall this long should happen (issue 17).
WARN_AFTER = 0.05


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
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="event-loop-lag-probe"
            )

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            began = loop.time()
            await asyncio.sleep(self.interval)
            self.record(max(0.0, loop.time() - began - self.interval))

    def record(self, lag: float) -> None:
        self.max_seconds = max(self.max_seconds, lag)
        if self.observe is not None:
            self.observe(lag)
        if lag >= self.warn_after:
            logger.warning("event loop stalled for %.0f ms", lag * 1000)
