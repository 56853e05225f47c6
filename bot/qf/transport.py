"""Sending requests to Quran Foundation: deadlines, retries, and what a failed send means.

Reads are retried with backoff and jitter; writes only when the request certainly never left (a
refused connection), because QF has no idempotency keys. A timeout or a dropped connection after
sending is reported as *ambiguous* (`QFTimeout`/`QFConnectionError` with `ambiguous=True`): the
request may have been applied, and only the caller knows whether that is safe to repeat.

Nothing here logs a token, a header or a body.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from bot.qf.errors import QFConnectionError, QFTimeout, error_from_response
from bot.qf.observer import IgnoringObserver, QFObserver, operation_of

log = logging.getLogger(__name__)

#: Connect fast or give up; QF's slowest reads (today's plan, sync) finish well inside 10 s.
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
#: Every chat is served side by side and one /goal asks for today's plan of three goal types at
#: once, so 40 people at the same moment need ~120 requests in flight. With 50 connections the
#: rest queued behind them, one 300 ms round trip per queue turn (measured: the last of 40
#: answers 0.4 s later); the pool is sized for a crowd, and idle connections are kept for the
#: next one.
DEFAULT_LIMITS = httpx.Limits(max_connections=256, max_keepalive_connections=64)

#: Statuses worth asking again: rate limiting and a proxy or upstream that is briefly away.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_attempts` tries and `budget` seconds per logical request."""

    max_attempts: int = 3
    budget: float = 10.0
    base_delay: float = 0.5
    max_delay: float = 4.0


class Transport:
    """Sends requests: one attempt with a hard deadline, or several with retries."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        deadline: float,
        retry: RetryPolicy,
        sleep: Sleep,
        rng: random.Random,
    ) -> None:
        self.http = http
        self._deadline = deadline
        self._retry = retry
        self._sleep = sleep
        self._rng = rng
        #: Told of every attempt (metrics); see `bot.qf.observer`.
        self.observer: QFObserver = IgnoringObserver()

    async def send_once(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        started = time.monotonic()
        status = "network_error"
        try:
            # httpx's own timeouts live in the network layer; the outer deadline also bounds
            # transports without one (ASGI in tests) and slow-drip bodies.
            async with asyncio.timeout(self._deadline):
                response = await self.http.send(request)
            status = str(response.status_code)
        except TimeoutError as exc:
            status = "timeout"
            log.warning("QF %s %s: no answer within %.1f s", request.method, path, self._deadline)
            raise QFTimeout(f"{request.method} {path} timed out", ambiguous=True) from exc
        except httpx.TimeoutException as exc:
            status = "timeout"
            sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            log.warning("QF %s %s: %s", request.method, path, type(exc).__name__)
            raise QFTimeout(f"{request.method} {path} timed out", ambiguous=sent) from exc
        except httpx.TransportError as exc:
            # A refused or failed connect never reached QF; a connection that dropped while we
            # waited for the answer may have delivered the request.
            sent = not isinstance(exc, httpx.ConnectError | httpx.UnsupportedProtocol)
            log.warning("QF %s %s: %s", request.method, path, type(exc).__name__)
            raise QFConnectionError(
                f"{request.method} {path}: {type(exc).__name__}", ambiguous=sent
            ) from exc
        finally:
            self.observer.request_finished(
                operation_of(request.method, path), status, time.monotonic() - started
            )
        elapsed_ms = (time.monotonic() - started) * 1000
        log.debug("QF %s %s -> %s in %.0f ms", request.method, path, response.status_code,
                  elapsed_ms)
        return response

    async def send(
        self, build: Callable[[], httpx.Request], *, idempotent: bool
    ) -> httpx.Response:
        """Send, retrying what is safe to retry. Returns the last response, failed or not."""
        clock = _Budget()
        attempt = 0
        while True:
            attempt += 1
            request = build()
            try:
                response = await self.send_once(request)
            except (QFTimeout, QFConnectionError) as error:
                retryable = idempotent or not error.ambiguous
                delay = self._delay(attempt, clock, None) if retryable else None
                if delay is None:
                    raise
                reason = error.code or "network error"
            else:
                if not (idempotent and response.status_code in RETRYABLE_STATUSES):
                    return response
                retry_after = error_from_response(response).retry_after
                delay = self._delay(attempt, clock, retry_after)
                if delay is None:
                    return response
                reason = str(response.status_code)
            log.info("QF %s %s: %s, retry %d in %.2f s", request.method, request.url.path,
                     reason, attempt, delay)
            await clock.wait(self._sleep, delay)

    def _delay(self, attempt: int, clock: _Budget, retry_after: float | None) -> float | None:
        """Seconds to wait before the next attempt, or None when out of attempts or budget."""
        if attempt >= self._retry.max_attempts:
            return None
        if retry_after is not None:
            delay = retry_after
        else:
            ceiling = min(self._retry.max_delay, self._retry.base_delay * 2 ** (attempt - 1))
            # "Equal jitter": never less than half the backoff, so retries stay spread out
            # even when many chats hit the same outage at once.
            delay = ceiling / 2 + self._rng.uniform(0, ceiling / 2)
        if clock.elapsed() + delay > self._retry.budget:
            return None
        return delay


class _Budget:
    """Time spent on one logical request, counting waits at their requested length so that an
    injected (instant) sleep in tests is charged like a real one."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._correction = 0.0

    def elapsed(self) -> float:
        return time.monotonic() - self._started + self._correction

    async def wait(self, sleep: Sleep, delay: float) -> None:
        before = time.monotonic()
        await sleep(delay)
        self._correction += delay - (time.monotonic() - before)
