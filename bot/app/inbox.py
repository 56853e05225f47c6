"""Run the durable inbox: accept updates into it, and work through it one chat at a time.

Every Telegram update reaches the handlers through here (polling via `bot.app.poller`, the
webhook via `bot.app.web`):

1. `accept` commits the update to the inbox (`storage/inbox.py`) before Telegram is told it
   arrived, then wakes its chat.
2. A chat is drained by one task that holds the chat's claim (`storage/inbox_claims.py`: a set
   on SQLite, a PostgreSQL advisory lock shared by every instance), taking the chat's oldest
   unfinished update, running PTB's handlers on it and marking it done only then. A chat has at
   most one update in flight, so a backlog in one chat holds one of the
   `MAX_CONCURRENT_UPDATES` slots and never delays other chats.
3. On start (`start`) and every `sweep_interval` seconds, chats with unfinished updates are
   woken: what a crash, a deploy or another instance left behind is replayed, in order.
4. `stop` takes no further update, lets those in flight finish within the grace period and
   leaves the rest unfinished for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app.journal import UpdateJournal, current_journal
from bot.app.processor import update_key
from storage.inbox import AcceptReport, InboxEntry, InboxRepository, IncomingUpdate
from storage.inbox_claims import ChatClaims
from storage.replay import replaying

logger = logging.getLogger(__name__)

INBOX_WORKER_KEY = "inbox_worker"
#: An update replayed this many times without finishing is not started again (a poison update
#: that crashes the process every time must not block its chat forever).
MAX_ATTEMPTS = 5
#: How often done rows older than the retention are deleted.
PRUNE_INTERVAL_SECONDS = 3600.0


def chat_key(update: Update) -> str:
    """The inbox's serialisation key: the same one the update processor uses, as text."""
    key = update_key(update)
    assert isinstance(key, tuple)  # a Telegram update always keys by ("chat"|"user"|"update", id)
    return f"{key[0]}:{key[1]}"


class InboxWorker:
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        inbox: InboxRepository,
        claims: ChatClaims,
        *,
        sweep_interval: float,
    ) -> None:
        self.application = application
        self.inbox = inbox
        self.claims = claims
        self.sweep_interval = sweep_interval
        self._draining: dict[str, asyncio.Task[None]] = {}
        #: Chats woken while being drained: the drain looks once more before it ends.
        self._again: set[str] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self._stopping = False
        self._in_flight = 0
        #: Updates this process stored and has not started yet (their first run).
        self._fresh: set[int] = set()
        #: The first update of an idle chat, straight from `accept` (single instance only).
        self._handoff: dict[str, InboxEntry] = {}

    # -- accepting ----------------------------------------------------------------------------

    async def accept(self, updates: Sequence[Update]) -> AcceptReport:
        """Commit `updates` to the inbox, then start their chats; raises if the write failed
        (the caller must then not confirm them to Telegram)."""
        report = await self.inbox.accept(
            [IncomingUpdate(u.update_id, chat_key(u), u.to_dict()) for u in updates]
        )
        if report.shed:
            logger.warning("%d update(s) shed: a chat has too many unfinished", report.shed)
        self._fresh.update(u.update_id for u in report.queued)
        for incoming in report.queued:
            # Alone in this process's inbox, a chat's only unfinished update is handed to its
            # drain as is: no read to find it again.
            idle = incoming.chat_key not in self._draining
            if idle and not self.claims.shared and incoming.update_id in report.heads:
                self._handoff[incoming.chat_key] = InboxEntry(
                    incoming.update_id, incoming.chat_key, incoming.payload, 0
                )
        for key in dict.fromkeys(u.chat_key for u in report.queued):
            self.wake(key)
        return report

    # -- working ------------------------------------------------------------------------------

    def wake(self, key: str) -> None:
        if self._stopping:
            return
        if key in self._draining:
            self._again.add(key)
            return
        self._draining[key] = asyncio.create_task(self._drain(key), name=f"inbox:{key}")

    async def _drain(self, key: str) -> None:
        try:
            while not self._stopping:
                self._again.discard(key)
                if not await self.claims.try_claim(key):
                    return  # another instance works on this chat; it looks again when done
                try:
                    entry = self._handoff.pop(key, None) or await self.inbox.next_for(key)
                    while entry is not None and not self._stopping:
                        outcome = await self._run(entry)
                        entry = await self.inbox.finish(
                            entry.update_id, outcome, then_next_of=key
                        )
                finally:
                    await self.claims.release(key)
                if key in self._again:
                    continue
                # Shared claims: another instance may have stored an update for this chat while
                # we held the claim (and could not claim it itself), so look once released.
                shared_backlog = self.claims.shared and await self.inbox.has_pending(key)
                if not shared_backlog and key not in self._again:
                    return
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("working through the inbox of %s failed; the sweep retries", key)
        finally:
            self._draining.pop(key, None)

    async def _run(self, entry: InboxEntry) -> str:
        """Handle one update; returns how it ended ("handled", or "abandoned" for a poison
        update that was cut off too often)."""
        # An update this process stored and never started is a first run: nothing was sent
        # for it yet. Anything else (left by a crash, a deploy or another instance) may have
        # been partly done: count the attempt and let the journal answer what was sent.
        first_run = entry.update_id in self._fresh
        self._fresh.discard(entry.update_id)
        if not first_run:
            attempts = await self.inbox.mark_started(entry.update_id)
            if attempts > MAX_ATTEMPTS:
                logger.error("update %s cut off %d times; given up", entry.update_id, attempts)
                return "abandoned"
        app = self.application
        update = Update.de_json(entry.payload, app.bot)
        journal = UpdateJournal(entry.update_id, replay=not first_run, inbox=self.inbox)
        token = current_journal.set(journal)
        self._in_flight += 1
        try:
            # The update processor bounds how many updates run at once and times them.
            with replaying(journal.replay):
                await app.update_processor.process_update(update, app.process_update(update))
        finally:
            self._in_flight -= 1
            current_journal.reset(token)
        return "handled"

    async def sweep(self) -> int:
        """Wake every chat with unfinished updates; returns how many there were."""
        keys = await self.inbox.pending_chats()
        for key in keys:
            self.wake(key)
        return len(keys)

    async def _sweep_forever(self) -> None:
        since_prune = PRUNE_INTERVAL_SECONDS
        while True:
            try:
                await self.sweep()
                if since_prune >= PRUNE_INTERVAL_SECONDS:
                    since_prune = 0.0
                    await self.inbox.prune()
            except Exception:
                logger.exception("sweeping the inbox failed; trying again")
            await asyncio.sleep(self.sweep_interval)
            since_prune += self.sweep_interval

    # -- life cycle -----------------------------------------------------------------------------

    async def start(self) -> int:
        """Replay what is unfinished, then keep sweeping; returns the chats replayed."""
        self._stopping = False
        replayed = await self.sweep()
        if replayed:
            logger.info("replaying unfinished updates of %d chat(s)", replayed)
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="inbox:sweep")
        return replayed

    async def idle(self) -> None:
        """Wait until no chat is being drained (tests and benchmarks)."""
        while self._draining:
            await asyncio.gather(*list(self._draining.values()), return_exceptions=True)

    async def stop(self, grace: float) -> int:
        """Take nothing new, give what runs `grace` seconds, then cancel the rest (it stays
        unfinished in the inbox). Returns how many chats were cut off."""
        self._stopping = True
        self._handoff.clear()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        tasks = list(self._draining.values())
        late: set[asyncio.Task[None]] = set()
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if late:
            logger.warning(
                "%d chat(s) still busy after %.0f s; their updates run after the next start",
                len(late),
                grace,
            )
        await self.claims.close()
        return len(late)


def inbox_worker_of(application: Application[Any, Any, Any, Any, Any, Any]) -> InboxWorker:
    worker: InboxWorker = application.bot_data[INBOX_WORKER_KEY]
    return worker
