"""Long polling that confirms an update to Telegram only once it is in the inbox.

Telegram treats every update below the `offset` of a `getUpdates` call as delivered and never
sends it again. PTB's Updater moves the offset as soon as updates are on its in-memory queue,
so a crash or a deploy lost whatever was queued or in flight. Here the offset moves past a
batch only after `InboxWorker.accept` committed it; if the write fails, the same batch is
fetched again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import Bot
from telegram.error import Conflict, NetworkError, RetryAfter, TimedOut

from bot.app.inbox import InboxWorker

logger = logging.getLogger(__name__)

#: Seconds Telegram holds a getUpdates call open when nothing is waiting.
LONG_POLL_SECONDS = 10
MAX_BACKOFF_SECONDS = 30.0


class InboxPoller:
    def __init__(
        self, bot: Bot, worker: InboxWorker, *, allowed_updates: list[str] | None = None
    ) -> None:
        self.bot = bot
        self.worker = worker
        self.allowed_updates = allowed_updates
        self._task: asyncio.Task[None] | None = None
        #: The first update Telegram has not been told about yet.
        self.offset: int | None = None
        self.polls = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._poll_forever(), name="inbox:poll")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _poll_forever(self) -> None:
        backoff = 1.0
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=self.offset,
                    timeout=LONG_POLL_SECONDS,
                    allowed_updates=self.allowed_updates,
                )
                self.polls += 1
                if updates:
                    await self.worker.accept(updates)
                    self.offset = updates[-1].update_id + 1
                backoff = 1.0
            except asyncio.CancelledError:
                raise
            except RetryAfter as exc:
                await asyncio.sleep(_seconds(exc.retry_after))
            except (NetworkError, TimedOut, Conflict) as exc:
                # Conflict: another process polls with this token (a deploy's overlap); the
                # old one stops soon. The others are the network's or Telegram's hiccups.
                logger.warning("getUpdates failed (%s); retrying in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            except Exception:
                logger.exception("storing fetched updates failed; fetching them again")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    async def stop(self) -> None:
        """Stop fetching; a batch being stored is either committed or fetched again later."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None


def _seconds(value: Any) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)
